import type { Command } from "commander";
import pc from "picocolors";
import { parseDuration } from "../../core/duration.js";
import { startDaemon } from "../../engine/daemon.js";
import { type CliIO, type GlobalOptions, withRuntime } from "../cli-io.js";

/** `concord run`: the daemon. */
export function registerRun(program: Command, io: CliIO): void {
  program
    .command("run")
    .description("the daemon: propagate changes continuously (push where systems can, polling elsewhere)")
    .option("--poll <duration>", "poll period for systems without push and without pollEvery", "5s")
    .addHelpText("after", "\nExample:\n  $ concord run            # Ctrl-C stops after the run in progress")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { poll: string }>();
      await withRuntime(io, flags, async (rt) => {
        const daemon = await startDaemon(rt, {
          defaultPollMs: parseDuration(flags.poll, "--poll"),
          onRun: (s) => {
            const written = Object.values(s.written).reduce((n, c) => n + c.created + c.updated + c.deleted, 0);
            if (flags.json) io.out(JSON.stringify(s));
            else if (s.read + written + s.errors > 0 || s.halted) {
              io.err(
                `${new Date().toISOString()} run ${s.runId}: read ${s.read}, wrote ${written}, conflicts ${s.conflicts}, errors ${s.errors}${s.halted ? pc.red(` HALTED: ${s.haltReasons.join("; ")}`) : ""}`,
              );
            }
          },
          onError: (message) => io.err(pc.red(`run failed: ${message}; retrying`)),
        });
        const stop = () => {
          io.err("stopping after the run in progress…");
          void daemon.stop();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        io.err(`concord run: watching ${Object.keys(rt.config.systems).join(", ")} (Ctrl-C to stop)`);
        await daemon.done;
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      });
    });
}

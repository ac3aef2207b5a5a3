import type { Command } from "commander";
import { runSync } from "../../engine/sync.js";
import { type CliIO, type GlobalOptions, printJson, withRuntime } from "../cli-io.js";
import { exitCodeOf } from "../exit-codes.js";
import { formatSummary } from "../format.js";
import { progressObserver } from "../progress.js";

interface SyncFlags extends GlobalOptions {
  readonly full?: boolean;
  readonly entity?: string[];
  readonly system?: string[];
  readonly force?: boolean;
  readonly retryDead?: boolean;
}

/** `concord sync`: one pass of capture → apply → propagate. */
export function registerSync(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command("sync")
    .description("one pass: read what changed, merge it into the hub, write the deltas")
    .option("--full", "read whole snapshots (initial load, drift and delete detection)")
    .option("--entity <name...>", "only these entities")
    .option("--system <name...>", "only read from and write to these systems")
    .option("--force", "write even when a safety limit is exceeded")
    .option("--retry-dead", "retry dead-lettered writes now")
    .addHelpText(
      "after",
      "\nExamples:\n  $ concord sync\n  $ concord sync --full --entity contact\n  $ concord sync --json",
    )
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<SyncFlags>();
      const progress = progressObserver(io, flags.json);
      const summary = await withRuntime(
        io,
        flags,
        (rt) =>
          runSync(rt, {
            command: describeSync(flags),
            full: flags.full === true,
            force: flags.force === true,
            retryDead: flags.retryDead === true,
            ...(flags.entity === undefined ? {} : { entities: new Set(flags.entity) }),
            ...(flags.system === undefined ? {} : { systems: new Set(flags.system) }),
          }),
        progress,
      ).finally(() => progress.stop());
      if (flags.json) printJson(io, summary);
      else io.out(formatSummary(io, summary));
      exit(exitCodeOf(summary));
    });
}

/** The run's command as the user meant it, from the parsed flags (not from argv positions). */
function describeSync(flags: SyncFlags): string {
  const parts = ["sync"];
  if (flags.full === true) parts.push("--full");
  for (const e of flags.entity ?? []) parts.push("--entity", e);
  for (const s of flags.system ?? []) parts.push("--system", s);
  if (flags.force === true) parts.push("--force");
  if (flags.retryDead === true) parts.push("--retry-dead");
  return parts.join(" ");
}

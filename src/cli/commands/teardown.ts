import type { Command } from "commander";
import { ConcordError } from "../../core/errors.js";
import { type CliIO, type GlobalOptions, printJson, withRuntime } from "../cli-io.js";

/** `concord teardown --system S`: removes what Concord installed in a system. */
export function registerTeardown(program: Command, io: CliIO): void {
  program
    .command("teardown")
    .description("remove the triggers, changelog tables or slots Concord installed in a system")
    .requiredOption("--system <name>", "the system to clean up")
    .addHelpText(
      "after",
      "\nExample:\n  $ concord teardown --system crm\n\nThe next sync of that system starts over with a full snapshot.",
    )
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { system: string }>();
      const removed = await withRuntime(io, flags, async (rt) => {
        if (rt.config.systems[flags.system] === undefined)
          throw new ConcordError("usage", `--system ${flags.system}: no such system`);
        const capture = (await rt.connector(flags.system)).capture;
        const what = capture === undefined ? [] : await capture.teardown();
        // Without its capture the cursor means nothing: the next sync takes a snapshot.
        await rt.hub.commit({ meta: [{ key: `teardown:${flags.system}`, value: rt.now() }] });
        return what;
      });
      if (flags.json) return printJson(io, { system: flags.system, removed });
      io.out(
        removed.length === 0 ? `${flags.system}: nothing to remove` : `${flags.system}: removed ${removed.join(", ")}`,
      );
    });
}

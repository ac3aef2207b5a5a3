import type { Command } from "commander";
import { rollbackRun } from "../../engine/admin/rollback.js";
import { type CliIO, type GlobalOptions, printJson, withDryRuntime, withRuntime } from "../cli-io.js";
import { exitCodeOf } from "../exit-codes.js";
import { formatSummary } from "../format.js";

/** `concord rollback --run R [--dry-run]`. */
export function registerRollback(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command("rollback")
    .description("undo a run in every system from the journal's before-values")
    .requiredOption("--run <id>", "the run to undo (see `concord audit`)")
    .option("--dry-run", "show what would be written, write nothing")
    .addHelpText("after", "\nExamples:\n  $ concord rollback --run 0193… --dry-run\n  $ concord rollback --run 0193…")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { run: string; dryRun?: boolean }>();
      const dryRun = flags.dryRun === true;
      const planned: string[] = [];
      const open = dryRun ? withDryRuntime : withRuntime;
      const report = await open(io, flags, (rt) =>
        rollbackRun(rt, flags.run, {
          dryRun,
          onPlanned: (system, entity, op) =>
            planned.push(`${op.target.op.kind} ${entity} ${op.target.golden.uid} in ${system}`),
        }),
      );
      if (flags.json) {
        printJson(io, { ...report.summary, skipped: report.skipped, ...(dryRun ? { planned } : {}) });
      } else {
        if (dryRun) io.out(planned.length === 0 ? "rollback would write nothing" : planned.join("\n"));
        else io.out(`rolled back run ${flags.run}\n${formatSummary(io, report.summary)}`);
        for (const s of report.skipped) io.err(`not undone: ${s}`);
      }
      exit(exitCodeOf(report.summary));
    });
}

import type { Command } from "commander";
import { mergeRecords } from "../../engine/admin/merge-records.js";
import { type CliIO, type GlobalOptions, printJson, withRuntime } from "../cli-io.js";
import { exitCodeOf } from "../exit-codes.js";
import { formatSummary, table } from "../format.js";

/** `concord duplicates` and `concord merge UID UID`. */
export function registerDuplicates(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command("duplicates")
    .description("duplicate candidates: golden records that may be the same real-world thing")
    .addHelpText("after", "\nExample:\n  $ concord duplicates && concord merge KEEP_UID DROP_UID")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions>();
      const list = await withRuntime(io, flags, (rt) => rt.hub.listDuplicates({ status: "open" }));
      if (flags.json) return printJson(io, list);
      if (list.length === 0) return io.out("no duplicate candidates");
      const t = table(io, ["id", "entity", "record", "may duplicate", "why"]);
      for (const d of list) t.push([d.id, d.entity, d.uid, d.otherUid, d.reason]);
      io.out(t.toString());
    });

  program
    .command("merge <keep> <drop>")
    .description("merge golden record DROP into KEEP everywhere (KEEP's values win; DROP's fill gaps)")
    .addHelpText("after", "\nExample:\n  $ concord merge 0193aaaa… 0193bbbb…")
    .action(async (keep: string, drop: string, _flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions>();
      const summary = await withRuntime(io, flags, (rt) => mergeRecords(rt, keep, drop));
      if (flags.json) printJson(io, summary);
      else io.out(`merged ${drop} into ${keep}\n${formatSummary(io, summary)}`);
      exit(exitCodeOf(summary));
    });
}

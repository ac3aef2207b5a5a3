import type { Command } from "commander";
import { redact } from "../../core/redact.js";
import type { Conflict } from "../../core/types.js";
import { encodeValue } from "../../core/values.js";
import { resolveConflict } from "../../engine/admin/resolve-conflict.js";
import type { Runtime } from "../../engine/runtime.js";
import { type CliIO, type GlobalOptions, printJson, withRuntime } from "../cli-io.js";
import { exitCodeOf } from "../exit-codes.js";
import { formatSummary, table } from "../format.js";

/** `concord conflicts` and `concord conflicts resolve ID --pick SYSTEM`. */
export function registerConflicts(program: Command, io: CliIO, exit: (code: number) => void): void {
  const conflicts = program
    .command("conflicts")
    .description("the conflict queue (open conflicts; --all for resolved ones too)")
    .option("--all", "include resolved conflicts")
    .addHelpText("after", "\nExamples:\n  $ concord conflicts\n  $ concord conflicts resolve 0193… --pick crm")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { all?: boolean }>();
      const list = await withRuntime(io, flags, async (rt) =>
        (await rt.hub.listConflicts(flags.all === true ? {} : { status: "open" })).map((c) => redactConflict(rt, c)),
      );
      if (flags.json) return printJson(io, list);
      if (list.length === 0) return io.out(flags.all === true ? "no conflicts" : "no open conflicts");
      const t = table(io, [
        "id",
        "record",
        "field",
        "system",
        "its value",
        "golden (from)",
        "rule",
        "status",
        "winner",
      ]);
      for (const c of list) {
        t.push([
          c.id,
          `${c.entity} ${c.uid}`,
          c.field,
          c.system,
          encodeValue(c.value),
          `${encodeValue(c.goldenValue)} (${c.goldenSystem})`,
          c.rule,
          c.status,
          c.winner ?? "-",
        ]);
      }
      io.out(t.toString());
    });

  conflicts
    .command("resolve <id>")
    .description("resolve a conflict: the picked system's value becomes golden and is written everywhere")
    .requiredOption("--pick <system>", "the system whose value wins")
    .addHelpText("after", "\nExample:\n  $ concord conflicts resolve 0193… --pick erp")
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { pick: string }>();
      const summary = await withRuntime(io, flags, (rt) => resolveConflict(rt, id, flags.pick));
      if (flags.json) printJson(io, summary);
      else io.out(`conflict ${id} resolved: ${flags.pick} wins\n${formatSummary(io, summary)}`);
      exit(exitCodeOf(summary));
    });
}

/** Conflicts leave the hub with sensitive values hashed. */
export function redactConflict(rt: Runtime, c: Conflict): Conflict {
  if (rt.config.entities[c.entity]?.fields[c.field]?.sensitive !== true) return c;
  return { ...c, value: redact(c.value, rt.secret), goldenValue: redact(c.goldenValue, rt.secret) };
}

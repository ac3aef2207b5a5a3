import type { Command } from "commander";
import { encodeValue } from "../../core/values.js";
import { type CliIO, type GlobalOptions, printJson, withRuntime } from "../cli-io.js";
import { table } from "../format.js";

interface AuditFlags extends GlobalOptions {
  readonly uid?: string;
  readonly run?: string;
  readonly system?: string;
  readonly since?: string;
  readonly limit: string;
}

/** `concord audit`: the journal, filtered. */
export function registerAudit(program: Command, io: CliIO): void {
  program
    .command("audit")
    .description("the journal: every applied change, with before, after, system, run and cause")
    .option("--uid <uid>", "one golden record")
    .option("--run <id>", "one run")
    .option("--system <name>", "changes from or to one system")
    .option("--since <time>", "entries at or after an ISO-8601 time")
    .option("--limit <n>", "at most this many entries", "200")
    .addHelpText(
      "after",
      "\nExamples:\n  $ concord audit --uid 0193…\n  $ concord audit --since 2026-01-01T00:00:00Z --json",
    )
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<AuditFlags>();
      const entries = await withRuntime(io, flags, (rt) =>
        rt.hub.queryJournal({
          limit: Number(flags.limit),
          ...(flags.uid === undefined ? {} : { uid: flags.uid }),
          ...(flags.run === undefined ? {} : { runId: flags.run }),
          ...(flags.system === undefined ? {} : { system: flags.system }),
          ...(flags.since === undefined ? {} : { since: new Date(flags.since).toISOString() }),
        }),
      );
      if (flags.json) return printJson(io, entries);
      const t = table(io, ["at", "run", "record", "system", "what", "field", "before", "after", "cause"]);
      for (const e of entries) {
        t.push([
          e.at,
          e.runId.slice(-8),
          `${e.entity} ${e.uid.slice(-8)}`,
          e.system,
          e.kind,
          e.field ?? "",
          e.before === undefined ? "" : encodeValue(e.before),
          e.after === undefined ? "" : encodeValue(e.after),
          e.cause,
        ]);
      }
      io.out(entries.length === 0 ? "no journal entries match" : t.toString());
    });
}

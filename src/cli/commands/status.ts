import type { Command } from "commander";
import { collectStatus } from "../../engine/status.js";
import { type CliIO, type GlobalOptions, printJson, withRuntime } from "../cli-io.js";
import { table } from "../format.js";

/** `concord status`: per system and entity, what is linked, waiting, failing. */
export function registerStatus(program: Command, io: CliIO): void {
  program
    .command("status")
    .description("per system and entity: records, in sync, last sync, errors, dead letters")
    .addHelpText("after", "\nExamples:\n  $ concord status\n  $ concord status --json")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions>();
      const status = await withRuntime(io, flags, (rt) => collectStatus(rt));
      if (flags.json) return printJson(io, status);
      const t = table(io, ["entity", "system", "records", "in sync", "detached", "pending writes", "dead letters"]);
      for (const row of status.bindings) {
        const inSync = row.inSyncIsLowerBound === true ? `≥ ${row.inSync}` : row.inSync;
        t.push([row.entity, row.system, row.records, inSync, row.detached, row.pendingWrites, row.deadLetters]);
      }
      const last = status.lastRun;
      const lines = [
        t.toString(),
        ...status.entities.map(
          (e) => `${e.entity}: ${e.live} golden records, ${e.deleted} deleted, ${e.dirty} waiting to be written`,
        ),
        last === undefined
          ? "last sync: never"
          : `last sync: ${last.finishedAt ?? last.startedAt} (${last.status}, run ${last.id}, lag ${status.lagSeconds ?? "?"} s)`,
        ...(status.lastPass === undefined ? [] : [`daemon's last pass with nothing to do: ${status.lastPass}`]),
        `open conflicts: ${status.openConflicts}, duplicate candidates: ${status.openDuplicates}, waiting for references: ${status.parked}`,
      ];
      if (status.recentErrors.length > 0) {
        lines.push("recent errors:");
        for (const e of status.recentErrors)
          lines.push(`  ${e.at} ${e.system} ${e.entity} ${e.key ?? e.uid ?? ""} [${e.stage}] ${e.message}`);
      }
      io.out(lines.join("\n"));
    });
}

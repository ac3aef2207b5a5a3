import Table from "cli-table3";
import pc from "picocolors";
import type { RunSummary } from "../core/types.js";
import type { CliIO } from "./cli-io.js";

/** A table that draws plainly off a terminal. */
export function table(io: CliIO, head: string[]): Table.Table {
  return new Table({ head, style: io.isTTY ? {} : { head: [], border: [] } });
}

/** Human summary of a run. */
export function formatSummary(io: CliIO, summary: RunSummary, verb = "synced"): string {
  const lines: string[] = [];
  const written = Object.entries(summary.written).filter(([, c]) => c.created + c.updated + c.deleted > 0);
  lines.push(
    `run ${summary.runId}: read ${summary.read}, applied ${summary.applied}, ${verb} in ${summary.durationMs} ms`,
  );
  if (written.length > 0) {
    const t = table(io, ["system", "created", "updated", "deleted"]);
    for (const [system, c] of written) t.push([system, c.created, c.updated, c.deleted]);
    lines.push(t.toString());
  } else {
    lines.push("nothing to write: every system holds the golden values");
  }
  if (summary.conflicts > 0) lines.push(`${summary.conflicts} conflict(s): see \`concord conflicts\``);
  if (summary.errors > 0) lines.push(pc.yellow(`${summary.errors} record(s) failed: see \`concord status\``));
  for (const reason of summary.haltReasons) lines.push(pc.red(`halted: ${reason} (use --force to write anyway)`));
  return lines.join("\n");
}

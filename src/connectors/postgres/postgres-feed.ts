import type { SourceChange } from "../../core/types.js";
import { currentRows } from "./postgres-rows.js";
import type { Db } from "./postgres-session.js";
import type { PostgresTables } from "./postgres-tables.js";

/** One record named by a change feed (changelog row or decoded WAL change). */
export interface FeedEntry {
  readonly tbl: string;
  readonly op: "upsert" | "delete";
  readonly pk: string;
  /** ISO-8601 time of the change, when known. */
  readonly at?: string;
}

/**
 * Folds several entries of one record into the latest and reports each record as it is now: its
 * current row when it exists (upsert), a delete when it does not, whatever the entry said. The
 * state decides rather than the entry's op because entries of concurrent transactions can come in
 * an order other than their commits'; the current state is what every later read agrees with.
 * One query per table.
 */
export async function resolveEntries(
  db: Db,
  tables: PostgresTables,
  entries: readonly FeedEntry[],
): Promise<SourceChange[]> {
  // Deleting before setting moves a record to the position of its latest entry.
  const latest = new Map<string, FeedEntry>();
  for (const entry of entries) {
    if (!tables.has(entry.tbl)) continue; // a table no longer bound
    const id = `${entry.tbl}\u0000${entry.pk}`;
    latest.delete(id);
    latest.set(id, entry);
  }
  const keysByTable = new Map<string, string[]>();
  for (const e of latest.values()) keysByTable.set(e.tbl, [...(keysByTable.get(e.tbl) ?? []), e.pk]);
  const rows = new Map<string, Awaited<ReturnType<typeof currentRows>>>();
  for (const [tbl, keys] of keysByTable) rows.set(tbl, await currentRows(db, await tables.get(tbl), keys));
  return [...latest.values()].map((e): SourceChange => {
    const row = rows.get(e.tbl)?.get(e.pk);
    const base = { resource: e.tbl, key: e.pk, ...(e.at !== undefined && { sourceTime: e.at }) };
    return row ? { ...base, op: "upsert", row } : { ...base, op: "delete" };
  });
}

import type { NativeRow, SourceChange } from "../../core/types.js";
import { placeholders, type Sql } from "./mysql-database.js";
import { addressable, type MysqlTables, type TableInfo } from "./mysql-tables.js";

/** Keys per `IN (...)` list: short statements, far below max_allowed_packet. */
const KEYS_PER_QUERY = 500;

/** A row object from raw column values, named after the resource's columns. */
export function rowFrom(info: TableInfo, values: readonly unknown[], offset = 0): NativeRow {
  const row: NativeRow = {};
  info.spec.columns.forEach((column, i) => {
    row[column] = values[offset + i];
  });
  return row;
}

/** The current rows of the given keys (as text), by key; keys without a row are absent. */
export async function currentRows(sql: Sql, info: TableInfo, keys: readonly string[]): Promise<Map<string, NativeRow>> {
  const found = new Map<string, NativeRow>();
  const usable = keys.filter((k) => addressable(info, k));
  for (let start = 0; start < usable.length; start += KEYS_PER_QUERY) {
    const chunk = usable.slice(start, start + KEYS_PER_QUERY);
    const rows = await sql.arrays(
      `SELECT ${info.keyText}, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} IN (${placeholders(chunk.length)})`,
      chunk,
    );
    for (const values of rows) found.set(String(values[0]), rowFrom(info, values, 1));
  }
  return found;
}

/** Folds log entries per record: the latest entry of each, ordered by that latest entry. */
export function foldLatest<E extends { readonly tbl: string; readonly pk: string }>(entries: Iterable<E>): E[] {
  const latest = new Map<string, E>();
  for (const entry of entries) {
    const id = `${entry.tbl}\u0000${entry.pk}`;
    // Deleting before setting moves a record to the position of its latest entry.
    latest.delete(id);
    latest.set(id, entry);
  }
  return [...latest.values()];
}

/** One logged change of one record, as a changelog or the binary log tells it. */
export interface LoggedChange {
  readonly tbl: string;
  readonly op: "upsert" | "delete";
  readonly pk: string;
  /** ISO-8601 time of the change. */
  readonly at: string;
}

/**
 * Folds entries per record and reads the current rows of upserted ones: a record that is gone by
 * then is reported deleted (its delete comes later in the log). Entries of unbound tables are left out.
 */
export async function changesFrom(
  sql: Sql,
  tables: MysqlTables,
  entries: Iterable<LoggedChange>,
): Promise<SourceChange[]> {
  const latest = foldLatest([...entries].filter((e) => tables.has(e.tbl)));
  const upserted = new Map<string, string[]>();
  for (const e of latest) {
    if (e.op === "upsert") upserted.set(e.tbl, [...(upserted.get(e.tbl) ?? []), e.pk]);
  }
  const rows = new Map<string, Map<string, NativeRow>>();
  for (const [tbl, keys] of upserted) rows.set(tbl, await currentRows(sql, await tables.get(tbl), keys));
  return latest.map((e): SourceChange => {
    const row = e.op === "upsert" ? rows.get(e.tbl)?.get(e.pk) : undefined;
    const base = { resource: e.tbl, key: e.pk, sourceTime: e.at };
    return row ? { ...base, op: "upsert", row } : { ...base, op: "delete" };
  });
}

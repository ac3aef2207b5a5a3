import type { NativeRow } from "../../core/types.js";
import type { Db } from "./sqlite-database.js";
import type { TableInfo } from "./sqlite-tables.js";

/** Keys per `IN (...)` list: far below SQLite's limit of bound parameters. */
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
export function currentRows(db: Db, info: TableInfo, keys: readonly string[]): Map<string, NativeRow> {
  const found = new Map<string, NativeRow>();
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const chunk = keys.slice(start, start + KEYS_PER_QUERY);
    const sql =
      `SELECT ${info.keyText}, ${info.columns.join(", ")} FROM ${info.table} ` +
      `WHERE ${info.keyMatch} IN (${chunk.map(() => "?").join(", ")})`;
    for (const values of db
      .prepare<string[], unknown[]>(sql)
      .raw(true)
      .all(...chunk)) {
      found.set(String(values[0]), rowFrom(info, values, 1));
    }
  }
  return found;
}

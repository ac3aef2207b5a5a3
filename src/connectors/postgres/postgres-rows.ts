import type { NativeRow } from "../../core/types.js";
import type { Db } from "./postgres-session.js";
import type { TableInfo } from "./postgres-tables.js";

/** A row object from raw column values, named after the resource's columns. */
export function rowFrom(info: TableInfo, values: readonly unknown[], offset = 0): NativeRow {
  const row: NativeRow = {};
  info.spec.columns.forEach((column, i) => {
    row[column] = values[offset + i];
  });
  return row;
}

/** The current rows of the given keys (as text), by key; keys without a row are absent. One query. */
export async function currentRows(db: Db, info: TableInfo, keys: readonly string[]): Promise<Map<string, NativeRow>> {
  const found = new Map<string, NativeRow>();
  if (keys.length === 0) return found;
  const { rows } = await db.query<unknown[]>({
    text: `SELECT ${info.keyText}, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} = ANY($1::${info.keyType}[])`,
    values: [keys],
    rowMode: "array",
  });
  for (const values of rows) found.set(String(values[0]), rowFrom(info, values, 1));
  return found;
}

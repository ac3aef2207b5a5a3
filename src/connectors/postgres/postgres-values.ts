import type { ValueKind } from "./postgres-tables.js";

/**
 * A value as pg should bind it for a column of the given kind. Values go as text that PostgreSQL
 * converts to the column's type (so numeric strings stay exact); JSON columns get JSON text (a
 * string is taken as JSON text already, as canonical json values are); Dates become ISO text, and
 * a date column takes the date part, in UTC like every canonical date.
 */
export function toPgValue(kind: ValueKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (kind === "json") return typeof value === "string" ? value : JSON.stringify(value);
  if (value instanceof Date) return kind === "date" ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value) || Array.isArray(value)) return value; // bytea; arrays become array literals
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

import { parseDateTime } from "../../core/datetime.js";
import { messageOf } from "../../core/errors.js";
import type { NativeRow } from "../../core/types.js";
import type { WriteOp, WriteResult } from "../connector.js";
import { CREATED } from "./mysql-capture-schema.js";
import { isSystemFailure, placeholders, quoteIdent, type ServerInfo, type Sql } from "./mysql-database.js";
import { addressable, columnValue, keyTextOf, type TableColumn, type TableInfo } from "./mysql-tables.js";

/** Rows per multi-row INSERT: short statements, far below max_allowed_packet. */
const ROWS_PER_INSERT = 500;
const ZONED = /\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const TEMPORAL = new Set(["datetime", "timestamp"]);

type InsertOp = Extract<WriteOp, { op: "insert" }>;

/** What one batch writes with: the transaction's connection, the table, what the server can do. */
export interface WriteTarget {
  readonly sql: Sql;
  readonly info: TableInfo;
  readonly server: ServerInfo;
}

/**
 * A value as the driver should bind it for `column`: objects and arrays as JSON (the driver would
 * turn an object into `a = 1` pairs), an ISO datetime with a zone as a Date (which the driver
 * writes in the connection's zone) when the column is a DATETIME or TIMESTAMP.
 */
export function toSqlValue(value: unknown, column: TableColumn | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string" && column && TEMPORAL.has(column.dataType) && ZONED.test(value)) {
    const ms = parseDateTime(value);
    return ms === null ? value : new Date(ms);
  }
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

/** The columns a row sets: undefined means "not given", so an insert takes the default. */
function assignments(info: TableInfo, row: NativeRow): { names: string[]; columns: string[]; values: unknown[] } {
  const entries = Object.entries(row).filter(([, v]) => v !== undefined);
  return {
    names: entries.map(([c]) => c),
    columns: entries.map(([c]) => quoteIdent(c)),
    values: entries.map(([c, v]) => toSqlValue(v, info.byName.get(c.toLowerCase()))),
  };
}

/** The key a row gives itself, as text; undefined when it leaves the key to the table. */
function givenKey(info: TableInfo, row: NativeRow): string | undefined {
  return keyTextOf(columnValue(row, info.spec.key));
}

/**
 * Applies ops in order. Runs of inserts go in multi-row INSERTs (when every key can be told: given,
 * or read back with RETURNING), each in a savepoint; a run that fails is undone and applied one
 * insert at a time, so that only the failing record fails. Updates and deletes are one statement
 * each, which InnoDB undoes alone when it fails.
 */
export async function applyOps(target: WriteTarget, ops: readonly WriteOp[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  let run: InsertOp[] = [];
  const flush = async () => {
    for (let start = 0; start < run.length; start += ROWS_PER_INSERT) {
      results.push(...(await insertRun(target, run.slice(start, start + ROWS_PER_INSERT))));
    }
    run = [];
  };
  for (const op of ops) {
    if (op.op === "insert" && batchable(target, op) && (run.length === 0 || sameColumns(run[0], op))) {
      run.push(op);
      continue;
    }
    await flush();
    if (op.op === "insert" && batchable(target, op)) run.push(op);
    else results.push(await settle(() => applyOne(target, op)));
  }
  await flush();
  return results;
}

function batchable({ info, server }: WriteTarget, op: InsertOp): boolean {
  return server.insertReturning || givenKey(info, op.row) !== undefined;
}

function sameColumns(a: InsertOp | undefined, b: InsertOp): boolean {
  const names = (op: InsertOp) => Object.keys(op.row).filter((c) => op.row[c] !== undefined);
  const [x, y] = [names(a ?? b), names(b)];
  return x.length === y.length && x.every((c, i) => c === y[i]);
}

async function insertRun(target: WriteTarget, ops: InsertOp[]): Promise<WriteResult[]> {
  if (ops.length === 1) return [await settle(() => savepoint(target.sql, () => insertOne(target, ops[0] as InsertOp)))];
  try {
    return await savepoint(target.sql, () => insertMany(target, ops));
  } catch (err) {
    if (isSystemFailure(err)) throw err;
    // One row broke the statement: find it by writing them one at a time.
    const results: WriteResult[] = [];
    for (const op of ops) results.push(await settle(() => savepoint(target.sql, () => insertOne(target, op))));
    return results;
  }
}

async function insertMany({ sql, info, server }: WriteTarget, ops: InsertOp[]): Promise<WriteResult[]> {
  const rows = ops.map((op) => assignments(info, op.row));
  const columns = rows[0]?.columns ?? [];
  const tuple = `(${placeholders(columns.length)})`;
  const insert = `INSERT INTO ${info.table} (${columns.join(", ")}) VALUES ${rows.map(() => tuple).join(", ")}`;
  const values = rows.flatMap((r) => r.values);
  let keys: string[];
  if (server.insertReturning) {
    keys = (await sql.arrays(`${insert} RETURNING ${info.keyText}`, values)).map((r) => String(r[0]));
  } else {
    await sql.run(insert, values);
    keys = ops.map((op) => givenKey(info, op.row) ?? "");
  }
  await recordCreated(
    sql,
    info,
    ops.map((op, i) => [op.ref, keys[i] ?? ""] as const),
  );
  return keys.map((key) => ({ ok: true, key }));
}

async function insertOne({ sql, info, server }: WriteTarget, op: InsertOp): Promise<WriteResult> {
  const { columns, values } = assignments(info, op.row);
  const insert = `INSERT INTO ${info.table} (${columns.join(", ")}) VALUES (${placeholders(columns.length)})`;
  let key: string | undefined;
  if (server.insertReturning) {
    key = (await sql.arrays(`${insert} RETURNING ${info.keyText}`, values))[0]?.map(String)[0];
  } else {
    const { insertId } = await sql.run(insert, values);
    key = givenKey(info, op.row) ?? (info.keyColumn.autoIncrement && insertId ? String(insertId) : undefined);
  }
  if (key === undefined) {
    throw new Error(
      `cannot tell the key of the row inserted into ${info.spec.name}: give "${info.spec.key}" a value or make it AUTO_INCREMENT`,
    );
  }
  await recordCreated(sql, info, [[op.ref, key]]);
  return { ok: true, key };
}

/** Records ref → key in the same transaction as the records, for `findCreated`. */
async function recordCreated(
  sql: Sql,
  info: TableInfo,
  created: readonly (readonly [string, string])[],
): Promise<void> {
  await sql.run(
    `INSERT INTO ${quoteIdent(CREATED)} (ref, tbl, record_key, at) VALUES ${created.map(() => "(?, ?, ?, UTC_TIMESTAMP(6))").join(", ")}
     ON DUPLICATE KEY UPDATE tbl = VALUES(tbl), record_key = VALUES(record_key), at = VALUES(at)`,
    created.flatMap(([ref, key]) => [ref, info.spec.name, key]),
  );
}

async function applyOne(target: WriteTarget, op: Exclude<WriteOp, InsertOp> | InsertOp): Promise<WriteResult> {
  const { sql, info } = target;
  if (op.op === "insert") return savepoint(sql, () => insertOne(target, op));
  if (!addressable(info, op.key)) return notFound(info, op.key);
  if (op.op === "delete") {
    const { affectedRows } = await sql.run(`DELETE FROM ${info.table} WHERE ${info.key} = ?`, [op.key]);
    return affectedRows === 0 ? notFound(info, op.key) : { ok: true, key: op.key };
  }
  const { columns, values } = assignments(info, op.row);
  if (columns.length === 0) {
    const found = await sql.arrays(`SELECT 1 FROM ${info.table} WHERE ${info.key} = ?`, [op.key]);
    return found.length === 0 ? notFound(info, op.key) : { ok: true, key: op.key };
  }
  // affectedRows counts the rows found, changed or not (the driver sets CLIENT_FOUND_ROWS).
  const { affectedRows } = await sql.run(
    `UPDATE ${info.table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE ${info.key} = ?`,
    [...values, op.key],
  );
  if (affectedRows === 0) return notFound(info, op.key);
  return { ok: true, key: givenKey(info, op.row) ?? op.key };
}

/** Runs `fn` in a savepoint, undone alone when `fn` fails. */
async function savepoint<T>(sql: Sql, fn: () => Promise<T>): Promise<T> {
  await sql.run("SAVEPOINT concord_op");
  try {
    const result = await fn();
    await sql.run("RELEASE SAVEPOINT concord_op");
    return result;
  } catch (err) {
    if (!isSystemFailure(err)) await sql.run("ROLLBACK TO SAVEPOINT concord_op");
    throw err;
  }
}

/** Turns a record's failure into its result; a failure of the system itself goes on up. */
async function settle(fn: () => Promise<WriteResult>): Promise<WriteResult> {
  try {
    return await fn();
  } catch (err) {
    if (isSystemFailure(err)) throw err;
    return { ok: false, error: messageOf(err), retryable: false };
  }
}

function notFound(info: TableInfo, key: string): WriteResult {
  return {
    ok: false,
    error: `no row with ${info.spec.key} = ${key} in ${info.spec.name}`,
    retryable: false,
    notFound: true,
  };
}

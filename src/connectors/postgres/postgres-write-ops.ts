import type { NativeRow } from "../../core/types.js";
import type { WriteOp, WriteResult } from "../connector.js";
import { CREATED, qualified } from "./postgres-capture-schema.js";
import { type Db, quoteIdent } from "./postgres-session.js";
import type { TableInfo } from "./postgres-tables.js";
import { toPgValue } from "./postgres-values.js";

type Insert = Extract<WriteOp, { op: "insert" }>;
type Update = Extract<WriteOp, { op: "update" }>;
type Delete = Extract<WriteOp, { op: "delete" }>;

/** Consecutive ops of one kind, applied by one statement (inserts, deletes) or in one savepoint. */
export interface Chunk {
  readonly op: WriteOp["op"];
  readonly ops: readonly WriteOp[];
}

const OPS_PER_CHUNK = 500;
/** Bound parameters per statement: PostgreSQL takes at most 65,535. */
const PARAMS_PER_CHUNK = 30_000;

/** A failure of one record's write (a row the statement did not produce), not of the system. */
export class RowRefused extends Error {
  override readonly name = "RowRefused";
}

/**
 * Splits ops, in order, into chunks of one kind: bounded in size and bound parameters, and with
 * each key at most once per delete chunk (a second delete of a key must answer notFound).
 */
export function chunksOf(ops: readonly WriteOp[]): Chunk[] {
  const chunks: { op: WriteOp["op"]; ops: WriteOp[] }[] = [];
  let params = 0;
  let keys = new Set<string>();
  for (const op of ops) {
    const cost = op.op === "delete" ? 1 : Object.keys(op.row).length + 1;
    const last = chunks.at(-1);
    const repeated = op.op === "delete" && keys.has(op.key);
    if (last?.op === op.op && last.ops.length < OPS_PER_CHUNK && params + cost <= PARAMS_PER_CHUNK && !repeated) {
      last.ops.push(op);
    } else {
      chunks.push({ op: op.op, ops: [op] });
      params = 0;
      keys = new Set();
    }
    params += cost;
    if (op.op === "delete") keys.add(op.key);
  }
  return chunks;
}

/** Applies a chunk; throws when any of its ops fails (the caller then retries them one by one). */
export function applyChunk(db: Db, info: TableInfo, chunk: Chunk): Promise<WriteResult[]> {
  switch (chunk.op) {
    case "insert":
      return insertRows(
        db,
        info,
        chunk.ops.filter((o): o is Insert => o.op === "insert"),
      );
    case "update":
      return updateRows(
        db,
        info,
        chunk.ops.filter((o): o is Update => o.op === "update"),
      );
    case "delete":
      return deleteRows(
        db,
        info,
        chunk.ops.filter((o): o is Delete => o.op === "delete"),
      );
  }
}

/** The columns rows set: undefined means "not given", so an insert takes the column's default. */
function given(row: NativeRow): string[] {
  return Object.keys(row).filter((c) => row[c] !== undefined);
}

/**
 * One multi-row INSERT ... RETURNING (PostgreSQL returns the rows of a VALUES list in its order),
 * then the created-markers of the new keys in one statement, in the same transaction.
 */
async function insertRows(db: Db, info: TableInfo, ops: readonly Insert[]): Promise<WriteResult[]> {
  const columns = [...new Set(ops.flatMap((op) => given(op.row)))];
  const values: unknown[] = [];
  const kind = (c: string) => info.kinds.get(c) ?? "other";
  const tuples = ops.map(
    (op) =>
      `(${columns.map((c) => (op.row[c] === undefined ? "DEFAULT" : `$${values.push(toPgValue(kind(c), op.row[c]))}`)).join(", ")})`,
  );
  const keys: (string | null)[] = [];
  if (columns.length === 0) {
    for (const _ of ops) {
      const { rows } = await db.query<[string | null]>({
        text: `INSERT INTO ${info.table} DEFAULT VALUES RETURNING ${info.keyText}`,
        rowMode: "array",
      });
      keys.push(rows[0]?.[0] ?? null);
    }
  } else {
    const { rows } = await db.query<[string | null]>({
      text: `INSERT INTO ${info.table} (${columns.map(quoteIdent).join(", ")}) VALUES ${tuples.join(", ")} RETURNING ${info.keyText}`,
      values,
      rowMode: "array",
    });
    keys.push(...rows.map((r) => r[0]));
  }
  if (keys.length !== ops.length) throw new RowRefused("a trigger of the table skipped the inserted row");
  const created = keys.map((key) => {
    if (key === null) throw new RowRefused(`the inserted row has no key ${info.spec.key}`);
    return key;
  });
  await db.query(
    `INSERT INTO ${qualified(info.schema, CREATED)} (ref, tbl, key)
     SELECT ref, $2, key FROM unnest($1::text[], $3::text[]) AS m (ref, key)
     ON CONFLICT (ref) DO UPDATE SET tbl = excluded.tbl, key = excluded.key, at = now()`,
    [ops.map((op) => op.ref), info.spec.name, created],
  );
  return created.map((key) => ({ ok: true, key }));
}

/**
 * Updates that set the same columns go as one UPDATE ... FROM (VALUES ...) per group: one round
 * trip instead of one per row. A key updated twice in the chunk, or an update that sets nothing,
 * goes alone, in order, as does every op when the caller retries a failed chunk one by one.
 */
async function updateRows(db: Db, info: TableInfo, ops: readonly Update[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  const groups = new Map<string, { columns: string[]; items: { op: Update; i: number }[] }>();
  const alone: number[] = [];
  const keys = new Set<string>();
  ops.forEach((op, i) => {
    const columns = given(op.row);
    const repeated = keys.has(op.key);
    keys.add(op.key);
    if (columns.length === 0 || repeated) return void alone.push(i);
    const signature = JSON.stringify(columns);
    const group = groups.get(signature) ?? { columns, items: [] };
    group.items.push({ op, i });
    groups.set(signature, group);
  });
  for (const { columns, items } of groups.values()) {
    if (items.length === 1) alone.push(...items.map((item) => item.i));
    else for (const [n, result] of await updateGroup(db, info, columns, items)) results[n] = result;
  }
  for (const i of alone.sort((a, b) => a - b)) {
    const op = ops[i];
    if (op !== undefined) results[i] = await updateOne(db, info, op);
  }
  return results;
}

/**
 * One UPDATE of rows that set the same columns (each key once); answers by op index. When it
 * misses a row (not found, skipped by a trigger, two spellings of one key), it throws, so that
 * the caller retries the chunk op by op and each op answers exactly as it would alone.
 */
async function updateGroup(
  db: Db,
  info: TableInfo,
  columns: readonly string[],
  items: readonly { op: Update; i: number }[],
): Promise<Map<number, WriteResult>> {
  const values: unknown[] = [];
  const bind = (value: unknown, type: string) => `$${values.push(value)}::${type}`;
  // Each value is cast to its column's type (without modifier, see castTypes): a VALUES list
  // would otherwise make every bound value text. The key goes as text, like every key.
  const tuples = items.map(({ op }) => {
    const cells = columns.map((c) => bind(toPgValue(info.kinds.get(c) ?? "other", op.row[c]), castTypeOf(info, c)));
    return `(${[bind(op.key, "text"), ...cells].join(", ")})`;
  });
  const aliases = columns.map((_, n) => `c${n}`);
  const { rows } = await db.query<[string, string]>({
    text: `UPDATE ${info.table} AS t SET ${columns.map((c, n) => `${quoteIdent(c)} = v.${aliases[n]}`).join(", ")}
             FROM (VALUES ${tuples.join(", ")}) AS v (k, ${aliases.join(", ")})
            WHERE t.${info.key} = v.k::${info.keyType} RETURNING v.k, t.${info.keyText}`,
    values,
    rowMode: "array",
  });
  const updated = new Map(rows.map((r) => [r[0], r[1]]));
  if (updated.size !== items.length) throw new RowRefused("an update of the batch matched no row");
  return new Map(items.map(({ op, i }) => [i, { ok: true, key: updated.get(op.key) ?? op.key }]));
}

function castTypeOf(info: TableInfo, column: string): string {
  const type = info.castTypes.get(column);
  // A column the table does not have fails the statement, as it would alone.
  if (type === undefined) throw new RowRefused(`${info.spec.name} has no column ${column}`);
  return type;
}

/** One UPDATE ... RETURNING (or a SELECT when it sets nothing); no row means notFound. */
async function updateOne(db: Db, info: TableInfo, op: Update): Promise<WriteResult> {
  const columns = given(op.row);
  const values = columns.map((c) => toPgValue(info.kinds.get(c) ?? "other", op.row[c]));
  const where = `${info.key} = $${columns.length + 1}::${info.keyType}`;
  const text =
    columns.length === 0
      ? `SELECT ${info.keyText} FROM ${info.table} WHERE ${where}`
      : `UPDATE ${info.table} SET ${columns.map((c, i) => `${quoteIdent(c)} = $${i + 1}`).join(", ")} WHERE ${where} RETURNING ${info.keyText}`;
  const { rows } = await db.query<[string]>({ text, values: [...values, op.key], rowMode: "array" });
  const key = rows[0]?.[0];
  return key === undefined ? notFound(info, op.key) : { ok: true, key };
}

/** One DELETE of every key, answering the keys as given (a key may be written "007" for 7). */
async function deleteRows(db: Db, info: TableInfo, ops: readonly Delete[]): Promise<WriteResult[]> {
  const { rows } = await db.query<[string]>({
    text: `DELETE FROM ${info.table} AS t USING unnest($1::text[]) AS g (key)
            WHERE t.${info.key} = g.key::${info.keyType} RETURNING g.key`,
    values: [ops.map((op) => op.key)],
    rowMode: "array",
  });
  const deleted = new Set(rows.map((r) => r[0]));
  return ops.map((op) => (deleted.has(op.key) ? { ok: true, key: op.key } : notFound(info, op.key)));
}

function notFound(info: TableInfo, key: string): WriteResult {
  return {
    ok: false,
    error: `no row with ${info.spec.key} = ${key} in ${info.spec.name}`,
    retryable: false,
    notFound: true,
  };
}

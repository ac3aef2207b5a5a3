import { messageOf } from "../../core/errors.js";
import type { RecordWriter, WriteOp, WriteResult } from "../connector.js";
import {
  CREATED,
  createdDdl,
  echoMessage,
  MESSAGE_PREFIX,
  ORIGIN_SETTING,
  originOf,
  qualified,
} from "./postgres-capture-schema.js";
import { type Db, isSystemFailure, type PostgresSession } from "./postgres-session.js";
import type { PostgresTables, TableInfo } from "./postgres-tables.js";
import { hasTable, lockSchema } from "./postgres-teardown.js";
import { applyChunk, type Chunk, chunksOf, RowRefused } from "./postgres-write-ops.js";

/** How long a created-marker is kept: far longer than any acknowledgement can be lost. */
const MARKER_TTL = "7 days";
const PRUNE_EVERY_MS = 3600_000;

/**
 * Marks a write transaction as Concord's own, so that capture leaves out its changes of the
 * written table (and only of that table: what the write cascades to others is still captured).
 */
export interface EchoMarker {
  /** An SQL expression taking the marker as $1. */
  readonly expression: string;
  readonly marker: (info: TableInfo) => string;
}

/** Trigger capture: a transaction-local setting that the capture functions check. */
export const triggerEcho: EchoMarker = {
  expression: `set_config('${ORIGIN_SETTING}', $1, true)`,
  marker: (info) => originOf(info.schema, info.spec.name),
};

/** Logical capture: a transactional message in the WAL that the decoder sees in the transaction. */
export function logicalEcho(system: string): EchoMarker {
  return {
    expression: `pg_logical_emit_message(true, '${MESSAGE_PREFIX}', $1)::text`,
    marker: (info) => echoMessage(system, originOf(info.schema, info.spec.name)),
  };
}

/** Whether an error fails the whole batch (the server, the connection) rather than one op. */
function failsBatch(err: unknown): boolean {
  return !(err instanceof RowRefused) && isSystemFailure(err);
}

/**
 * Writes a batch in one transaction: multi-row statements per chunk of ops of one kind, each chunk
 * in a savepoint; when a chunk fails, its ops are retried one by one, each in its own savepoint,
 * so that one failing op fails alone.
 */
export class PostgresWriter implements RecordWriter {
  readonly #session: PostgresSession;
  readonly #tables: PostgresTables;
  readonly #echo: EchoMarker;
  #prunedAt = 0;

  constructor(session: PostgresSession, tables: PostgresTables, echo: EchoMarker) {
    this.#session = session;
    this.#tables = tables;
    this.#echo = echo;
  }

  async write(resource: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    const info = await this.#tables.get(resource);
    if (ops.length === 0) return [];
    return this.#session.transaction(`writing to ${resource}`, async (db) => {
      await this.#prepare(db, info);
      const results: WriteResult[] = [];
      for (const chunk of chunksOf(ops)) results.push(...(await this.#applyChunk(db, info, chunk)));
      return results;
    });
  }

  async findCreated(resource: string, refs: readonly string[]): Promise<Map<string, string>> {
    const info = await this.#tables.get(resource);
    return this.#session.withClient(`looking up records created in ${resource}`, async (db) => {
      const found = new Map<string, string>();
      if (refs.length === 0 || !(await hasTable(db, info.schema, CREATED))) return found;
      // Only records that still exist: a marker outlives a record deleted since, and that
      // record's golden record may rightly be created again.
      const { rows } = await db.query<{ ref: string; key: string }>(
        `SELECT m.ref, m.key FROM ${qualified(info.schema, CREATED)} m
          WHERE m.tbl = $1 AND m.ref = ANY($2::text[])
            AND EXISTS (SELECT 1 FROM ${info.table} t WHERE t.${info.key} = m.key::${info.keyType})`,
        [info.spec.name, [...refs]],
      );
      for (const row of rows) found.set(row.ref, row.key);
      return found;
    });
  }

  /** Marks the transaction as an echo, and makes sure the created-markers table exists. */
  async #prepare(db: Db, info: TableInfo): Promise<void> {
    const { rows } = await db.query<{ ready: boolean }>(
      `SELECT ${this.#echo.expression} IS NOT NULL AS echo, to_regclass($2) IS NOT NULL AS ready`,
      [this.#echo.marker(info), qualified(info.schema, CREATED)],
    );
    if (rows[0]?.ready !== true) {
      await lockSchema(db, info.schema);
      await db.query(createdDdl(info.schema));
    }
    if (Date.now() - this.#prunedAt > PRUNE_EVERY_MS) {
      this.#prunedAt = Date.now();
      await db.query(`DELETE FROM ${qualified(info.schema, CREATED)} WHERE at < now() - $1::interval`, [MARKER_TTL]);
    }
  }

  async #applyChunk(db: Db, info: TableInfo, chunk: Chunk): Promise<WriteResult[]> {
    try {
      return await savepoint(db, () => applyChunk(db, info, chunk));
    } catch (err) {
      if (failsBatch(err)) throw err;
      if (chunk.ops.length === 1) return [failure(err)];
    }
    const results: WriteResult[] = [];
    for (const op of chunk.ops) {
      try {
        results.push(...(await savepoint(db, () => applyChunk(db, info, { op: op.op, ops: [op] }))));
      } catch (err) {
        if (failsBatch(err)) throw err;
        results.push(failure(err));
      }
    }
    return results;
  }
}

/** Runs `fn` in a savepoint, rolled back (and only that) when `fn` throws. */
async function savepoint<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  await db.query("SAVEPOINT concord_op");
  try {
    const result = await fn();
    await db.query("RELEASE SAVEPOINT concord_op");
    return result;
  } catch (err) {
    if (!failsBatch(err)) await db.query("ROLLBACK TO SAVEPOINT concord_op; RELEASE SAVEPOINT concord_op");
    throw err;
  }
}

/** One op's failure: the server's message only, since its detail may quote (sensitive) values. */
function failure(err: unknown): WriteResult {
  return { ok: false, error: messageOf(err), retryable: false };
}

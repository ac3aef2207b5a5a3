import { messageOf } from "../../core/errors.js";
import type { NativeRow } from "../../core/types.js";
import type { RecordWriter, WriteOp, WriteResult } from "../connector.js";
import { CREATED, CREATED_DDL, ECHO_GUARD, ECHO_GUARD_DDL } from "./sqlite-capture-schema.js";
import { type Db, isSystemFailure, prepareCached, quoteIdent, type SqliteSession, settle } from "./sqlite-database.js";
import type { SqliteTables, TableInfo } from "./sqlite-tables.js";

/** How long a created-marker is kept: far longer than any acknowledgement can be lost. */
const MARKER_TTL_MS = 7 * 24 * 3600 * 1000;
const REFS_PER_QUERY = 500;

/** A value as SQLite can store it: booleans as 1/0, dates as ISO text, objects and arrays as JSON. */
function toSqlValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

/** The columns a row sets: undefined means "not given", so an insert takes the default. */
function assignments(row: NativeRow): { columns: string[]; values: unknown[] } {
  const entries = Object.entries(row).filter(([, v]) => v !== undefined);
  return { columns: entries.map(([c]) => quoteIdent(c)), values: entries.map(([, v]) => toSqlValue(v)) };
}

/**
 * Writes a batch in one `BEGIN IMMEDIATE` transaction, each op in its own savepoint so that a
 * failing op is undone alone. While it runs, a row in `_concord_echo_guard` tells the capture
 * triggers of the written table to stay silent: SQLite has a single writer and the row is never
 * committed, so only Concord's own writes are skipped.
 */
export class SqliteWriter implements RecordWriter {
  readonly #session: SqliteSession;
  readonly #tables: SqliteTables;

  constructor(session: SqliteSession, tables: SqliteTables) {
    this.#session = session;
    this.#tables = tables;
  }

  write(resource: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    return settle(() =>
      this.#session.run(`writing to ${resource}`, (db) => {
        const info = this.#tables.get(resource);
        if (ops.length === 0) return [];
        const applyOne = db.transaction((op: WriteOp) => apply(db, info, op));
        // A missing row is a result, not an exception, so it never undoes the others.
        const applyAll = db.transaction((all: readonly WriteOp[]) => all.map((op) => apply(db, info, op)));
        const batch = db.transaction(() => {
          db.exec(ECHO_GUARD_DDL);
          db.exec(CREATED_DDL);
          db.prepare(`INSERT OR IGNORE INTO ${quoteIdent(ECHO_GUARD)} (tbl) VALUES (?)`).run(info.spec.name);
          const expired = new Date(Date.now() - MARKER_TTL_MS).toISOString();
          db.prepare(`DELETE FROM ${quoteIdent(CREATED)} WHERE at < ?`).run(expired);
          // Optimistic: the whole batch in one savepoint. Only if an op fails is the batch
          // redone with a savepoint per op, so that the failing op is undone alone.
          let results: WriteResult[];
          try {
            results = applyAll(ops);
          } catch (err) {
            if (isSystemFailure(err)) throw err;
            results = ops.map((op): WriteResult => {
              try {
                return applyOne(op);
              } catch (opErr) {
                if (isSystemFailure(opErr)) throw opErr;
                return { ok: false, error: messageOf(opErr), retryable: false };
              }
            });
          }
          db.prepare(`DELETE FROM ${quoteIdent(ECHO_GUARD)}`).run();
          return results;
        });
        return batch.immediate();
      }),
    );
  }

  findCreated(resource: string, refs: readonly string[]): Promise<Map<string, string>> {
    return settle(() =>
      this.#session.run(`looking up records created in ${resource}`, (db) => {
        const found = new Map<string, string>();
        const info = this.#tables.get(resource);
        const table = info.spec.name;
        if (!this.#session.hasTable(CREATED)) return found;
        for (let start = 0; start < refs.length; start += REFS_PER_QUERY) {
          const chunk = refs.slice(start, start + REFS_PER_QUERY);
          // Only records that still exist: a marker outlives a record deleted since, and that
          // record's golden record may rightly be created again.
          const sql =
            `SELECT m.ref AS ref, m.key AS key FROM ${quoteIdent(CREATED)} m ` +
            `WHERE m.tbl = ? AND m.ref IN (${chunk.map(() => "?").join(", ")}) ` +
            `AND EXISTS (SELECT 1 FROM ${info.table} WHERE ${info.keyMatch} = m.key)`;
          for (const row of db.prepare<string[], { ref: string; key: string }>(sql).all(table, ...chunk)) {
            found.set(row.ref, row.key);
          }
        }
        return found;
      }),
    );
  }
}

/** Applies one op; throws on a failure, which the caller turns into a result. */
function apply(db: Db, info: TableInfo, op: WriteOp): WriteResult {
  switch (op.op) {
    case "insert": {
      const { columns, values } = assignments(op.row);
      const sql =
        columns.length === 0
          ? `INSERT INTO ${info.table} DEFAULT VALUES RETURNING ${info.keyText}`
          : `INSERT INTO ${info.table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) RETURNING ${info.keyText}`;
      const key = prepareCached<unknown[], string | null>(db, sql)
        .pluck()
        .get(...values);
      if (key === undefined || key === null) throw new Error(`the inserted row has no key ${info.spec.key}`);
      prepareCached(
        db,
        `INSERT INTO ${quoteIdent(CREATED)} (ref, tbl, key, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (ref) DO UPDATE SET tbl = excluded.tbl, key = excluded.key, at = excluded.at`,
      ).run(op.ref, info.spec.name, key, new Date().toISOString());
      return { ok: true, key };
    }
    case "update": {
      const { columns, values } = assignments(op.row);
      const sql =
        columns.length === 0
          ? `SELECT ${info.keyText} FROM ${info.table} WHERE ${info.keyMatch} = ?`
          : `UPDATE ${info.table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE ${info.keyMatch} = ? RETURNING ${info.keyText}`;
      const key = prepareCached<unknown[], string>(db, sql)
        .pluck()
        .get(...values, op.key);
      return key === undefined ? notFound(info, op.key) : { ok: true, key };
    }
    case "delete": {
      const sql = `DELETE FROM ${info.table} WHERE ${info.keyMatch} = ?`;
      const { changes } = prepareCached<[string]>(db, sql).run(op.key);
      return changes === 0 ? notFound(info, op.key) : { ok: true, key: op.key };
    }
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

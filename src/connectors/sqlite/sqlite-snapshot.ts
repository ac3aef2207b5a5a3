import { DEFAULT_SNAPSHOT_BATCH, isBatchSize, keysetPages } from "../keyset-pages.js";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { NativeRow } from "../../core/types.js";
import type { SnapshotReader } from "../connector.js";
import type { SqliteSession } from "./sqlite-database.js";
import { rowFrom } from "./sqlite-rows.js";
import type { SqliteTables } from "./sqlite-tables.js";

/**
 * Reads a resource in key order, one batch per query (keyset pagination on the rowid, or on the
 * key for tables without one), so that memory stays bounded and no statement stays open between
 * batches. Rows with a NULL key are left out: no change can ever name them.
 */
export class SqliteSnapshotReader implements SnapshotReader {
  readonly #session: SqliteSession;
  readonly #tables: SqliteTables;

  constructor(session: SqliteSession, tables: SqliteTables) {
    this.#session = session;
    this.#tables = tables;
  }

  async *snapshot(resource: string, options: { batchSize?: number } = {}): AsyncIterable<NativeRow[]> {
    const batchSize = options.batchSize ?? DEFAULT_SNAPSHOT_BATCH;
    if (!isBatchSize(batchSize)) throw this.#session.error(`invalid batch size ${batchSize}`);
    const what = `reading a snapshot of ${resource}`;
    const info = this.#session.run(what, () => this.#tables.get(resource));
    const pageOn = info.hasRowid ? "rowid" : info.key;
    const select = `SELECT ${pageOn}, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} IS NOT NULL`;
    const first = `${select} ORDER BY ${pageOn} LIMIT ?`;
    const next = `${select} AND ${pageOn} > ? ORDER BY ${pageOn} LIMIT ?`;
    const fetchPage = async (after: unknown, limit: number) => {
      // better-sqlite3 blocks while it reads: let timers and I/O run between batches.
      await nextTurn();
      return this.#session.run(what, (db) =>
        after === undefined
          ? db.prepare<[number], unknown[]>(first).raw(true).all(limit)
          : db.prepare<[unknown, number], unknown[]>(next).raw(true).all(after, limit),
      );
    };
    yield* keysetPages(batchSize, fetchPage, (values) => rowFrom(info, values, 1));
  }
}

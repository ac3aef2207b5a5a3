import { setImmediate as nextTurn } from "node:timers/promises";
import type { NativeRow } from "../../core/types.js";
import type { SnapshotReader } from "../connector.js";
import type { SqliteSession } from "./sqlite-database.js";
import { rowFrom } from "./sqlite-rows.js";
import type { SqliteTables } from "./sqlite-tables.js";

const DEFAULT_BATCH_SIZE = 1000;

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
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw this.#session.error(`invalid batch size ${batchSize}`);
    }
    const what = `reading a snapshot of ${resource}`;
    const info = this.#session.run(what, () => this.#tables.get(resource));
    const pageOn = info.hasRowid ? "rowid" : info.key;
    const select = `SELECT ${pageOn}, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} IS NOT NULL`;
    const first = `${select} ORDER BY ${pageOn} LIMIT ?`;
    const next = `${select} AND ${pageOn} > ? ORDER BY ${pageOn} LIMIT ?`;
    let last: unknown;
    for (;;) {
      // better-sqlite3 blocks while it reads: let timers and I/O run between batches.
      await nextTurn();
      const after = last;
      const page = this.#session.run(what, (db) =>
        after === undefined
          ? db.prepare<[number], unknown[]>(first).raw(true).all(batchSize)
          : db.prepare<[unknown, number], unknown[]>(next).raw(true).all(after, batchSize),
      );
      const lastValues = page.at(-1);
      if (!lastValues) return;
      last = lastValues[0];
      yield page.map((values) => rowFrom(info, values, 1));
      if (page.length < batchSize) return;
    }
  }
}

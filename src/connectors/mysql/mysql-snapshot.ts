import { DEFAULT_SNAPSHOT_BATCH, isBatchSize, keysetPages } from "../keyset-pages.js";
import type { NativeRow } from "../../core/types.js";
import type { SnapshotReader } from "../connector.js";
import type { MysqlSession } from "./mysql-database.js";
import { rowFrom } from "./mysql-rows.js";
import type { MysqlTables } from "./mysql-tables.js";

/**
 * Reads a resource in key order, one batch per query (keyset pagination on the key), so that
 * memory stays bounded and no statement or transaction stays open between batches. Rows with a
 * NULL key are left out: no change can ever name them.
 */
export class MysqlSnapshotReader implements SnapshotReader {
  readonly #session: MysqlSession;
  readonly #tables: MysqlTables;

  constructor(session: MysqlSession, tables: MysqlTables) {
    this.#session = session;
    this.#tables = tables;
  }

  async *snapshot(resource: string, options: { batchSize?: number } = {}): AsyncIterable<NativeRow[]> {
    const batchSize = options.batchSize ?? DEFAULT_SNAPSHOT_BATCH;
    if (!isBatchSize(batchSize)) throw this.#session.error(`invalid batch size ${batchSize}`);
    const info = await this.#tables.get(resource);
    const select = `SELECT ${info.key}, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} IS NOT NULL`;
    const first = `${select} ORDER BY ${info.key} LIMIT ?`;
    const next = `${select} AND ${info.key} > ? ORDER BY ${info.key} LIMIT ?`;
    const fetchPage = (after: unknown, limit: number) =>
      this.#session.run(`reading a snapshot of ${resource}`, (sql) =>
        after === undefined ? sql.arrays(first, [limit]) : sql.arrays(next, [after, limit]),
      );
    yield* keysetPages(batchSize, fetchPage, (values) => rowFrom(info, values, 1));
  }
}

import type { NativeRow } from "../../core/types.js";
import type { SnapshotReader } from "../connector.js";
import type { MysqlSession } from "./mysql-database.js";
import { rowFrom } from "./mysql-rows.js";
import type { MysqlTables } from "./mysql-tables.js";

const DEFAULT_BATCH_SIZE = 1000;

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
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw this.#session.error(`invalid batch size ${batchSize}`);
    }
    const info = await this.#tables.get(resource);
    const select = `SELECT ${info.key}, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} IS NOT NULL`;
    const first = `${select} ORDER BY ${info.key} LIMIT ?`;
    const next = `${select} AND ${info.key} > ? ORDER BY ${info.key} LIMIT ?`;
    const what = `reading a snapshot of ${resource}`;
    let last: unknown;
    for (;;) {
      const after = last;
      const page = await this.#session.run(what, (sql) =>
        after === undefined ? sql.arrays(first, [batchSize]) : sql.arrays(next, [after, batchSize]),
      );
      const lastValues = page.at(-1);
      if (!lastValues) return;
      last = lastValues[0];
      yield page.map((values) => rowFrom(info, values, 1));
      if (page.length < batchSize) return;
    }
  }
}

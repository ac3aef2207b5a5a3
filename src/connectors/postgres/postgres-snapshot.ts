import { DEFAULT_SNAPSHOT_BATCH, isBatchSize, keysetPages } from "../keyset-pages.js";
import type { NativeRow } from "../../core/types.js";
import type { SnapshotReader } from "../connector.js";
import { rowFrom } from "./postgres-rows.js";
import type { PostgresSession } from "./postgres-session.js";
import type { PostgresTables } from "./postgres-tables.js";

/**
 * Reads a resource in key order, one batch per query (keyset pagination on the key, which its
 * index serves), so that memory stays bounded and no transaction stays open between batches: a
 * long snapshot would otherwise hold back the server's vacuum. A row whose key does not change is
 * read exactly once, which the delete detection of full syncs relies on. Rows with a NULL key are
 * left out: no change can ever name them.
 */
export class PostgresSnapshotReader implements SnapshotReader {
  readonly #session: PostgresSession;
  readonly #tables: PostgresTables;

  constructor(session: PostgresSession, tables: PostgresTables) {
    this.#session = session;
    this.#tables = tables;
  }

  async *snapshot(resource: string, options: { batchSize?: number } = {}): AsyncIterable<NativeRow[]> {
    const batchSize = options.batchSize ?? DEFAULT_SNAPSHOT_BATCH;
    if (!isBatchSize(batchSize)) throw this.#session.error(`invalid batch size ${batchSize}`);
    const info = await this.#tables.get(resource);
    // The key's text gets a name of its own: a second "id" in the list would make ORDER BY ambiguous.
    const select = `SELECT ${info.keyText} AS concord_key_text, ${info.columns.join(", ")} FROM ${info.table} WHERE ${info.key} IS NOT NULL`;
    const first = `${select} ORDER BY ${info.key} LIMIT $1`;
    const next = `${select} AND ${info.key} > $2::${info.keyType} ORDER BY ${info.key} LIMIT $1`;
    const fetchPage = (after: unknown, limit: number) =>
      this.#session.withClient(`reading a snapshot of ${resource}`, async (db) => {
        const { rows } = await db.query<unknown[]>({
          text: after === undefined ? first : next,
          values: after === undefined ? [limit] : [limit, after],
          rowMode: "array",
        });
        return rows;
      });
    yield* keysetPages(batchSize, fetchPage, (values) => rowFrom(info, values, 1));
  }
}

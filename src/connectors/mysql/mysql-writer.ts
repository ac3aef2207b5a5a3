import type { RecordWriter, WriteOp, WriteResult } from "../connector.js";
import { CREATED, CREATED_DDL } from "./mysql-capture-schema.js";
import { type MysqlSession, placeholders, quoteIdent } from "./mysql-database.js";
import type { EchoMarker } from "./mysql-echo.js";
import { currentRows } from "./mysql-rows.js";
import type { MysqlTables } from "./mysql-tables.js";
import { applyOps } from "./mysql-write-ops.js";

/** How long a created-marker is kept: far longer than any acknowledgement can be lost. */
const MARKER_TTL_DAYS = 7;
const REFS_PER_QUERY = 500;

/**
 * Writes a batch in one transaction on one connection, marked as Concord's for change capture
 * (see mysql-echo.ts), with the created-markers of its inserts in the same transaction.
 */
export class MysqlWriter implements RecordWriter {
  readonly #session: MysqlSession;
  readonly #tables: MysqlTables;
  readonly #marker: EchoMarker;

  constructor(session: MysqlSession, tables: MysqlTables, marker: EchoMarker) {
    this.#session = session;
    this.#tables = tables;
    this.#marker = marker;
  }

  async write(resource: string, ops: readonly WriteOp[]): Promise<WriteResult[]> {
    const info = await this.#tables.get(resource);
    if (ops.length === 0) return [];
    await this.#ensureTables();
    const server = this.#session.server;
    return this.#session.transaction(`writing to ${resource}`, async (sql) => {
      const unmark = await this.#marker.mark(sql, info.spec.name);
      await sql.run(
        `DELETE FROM ${quoteIdent(CREATED)} WHERE at < UTC_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY at LIMIT 1000`,
        [MARKER_TTL_DAYS],
      );
      const results = await applyOps({ sql, info, server }, ops);
      await unmark();
      return results;
    });
  }

  async findCreated(resource: string, refs: readonly string[]): Promise<Map<string, string>> {
    const info = await this.#tables.get(resource);
    const found = new Map<string, string>();
    if (refs.length === 0 || !(await this.#session.hasTable(CREATED))) return found;
    return this.#session.run(`looking up records created in ${resource}`, async (sql) => {
      for (let start = 0; start < refs.length; start += REFS_PER_QUERY) {
        const chunk = refs.slice(start, start + REFS_PER_QUERY);
        const markers = await sql.arrays(
          `SELECT ref, record_key FROM ${quoteIdent(CREATED)} WHERE tbl = ? AND ref IN (${placeholders(chunk.length)})`,
          [info.spec.name, ...chunk],
        );
        // Only records that still exist: a marker outlives a record deleted since, and that
        // record's golden record may rightly be created again.
        const existing = await currentRows(
          sql,
          info,
          markers.map((m) => String(m[1])),
        );
        for (const [ref, key] of markers) if (existing.has(String(key))) found.set(String(ref), String(key));
      }
      return found;
    });
  }

  /**
   * Creates Concord's tables when missing. Checked rather than `CREATE TABLE IF NOT EXISTS` every
   * time: that statement commits implicitly and is written to the binary log even when it does nothing.
   */
  async #ensureTables(): Promise<void> {
    for (const { table, sql } of [{ table: CREATED, sql: CREATED_DDL }, ...this.#marker.ddl]) {
      if (await this.#session.hasTable(table)) continue;
      await this.#session.run(`creating ${table}`, (s) => s.run(sql));
    }
  }
}

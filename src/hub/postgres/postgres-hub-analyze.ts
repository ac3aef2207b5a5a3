import type pg from "pg";
import type { HubBatch } from "../hub-store.js";
import { quoteIdent } from "./postgres-hub-connection.js";

/** Links a store writes between two looks at whether the table has statistics yet. */
const linksBetweenChecks = 1000;

/**
 * Makes sure the `links` table has planner statistics once it holds data.
 *
 * Why: without statistics PostgreSQL guesses, and for `links` it guesses wrong: it joins a
 * batch through the (entity, system, key) index on entity and system alone instead of the
 * primary key, so each commit reads every link of the system once per record (measured: a
 * 200k-record load stalled at 60k). Any statistics fix the choice for good, because they show
 * uid to be nearly unique; autovacuum collects them only a minute or more after a bulk load
 * begins, never when it is off, and pg_upgrade drops them. So before its first commit of links
 * a store looks, and looks again every `linksBetweenChecks` links until the table has
 * statistics, analyzing it when it has none.
 */
export class PostgresHubAnalyzer {
  readonly #schema: string;
  #settled = false;
  #checked = false;
  #written = 0;

  /** For the hub in `schema`. */
  constructor(schema: string) {
    this.#schema = schema;
  }

  /** Before a commit: true when the statistics are to be looked at first. */
  due(batch: HubBatch): boolean {
    if (this.#settled || (batch.links?.length ?? 0) === 0) return false;
    return !this.#checked || this.#written >= linksBetweenChecks;
  }

  /** After a commit: counts the links it wrote. */
  wrote(batch: HubBatch): void {
    if (!this.#settled) this.#written += batch.links?.length ?? 0;
  }

  /** Analyzes `links` if it has no statistics. ANALYZE only warns when this user does not own it. */
  async ensureStatistics(client: pg.ClientBase): Promise<void> {
    this.#checked = true;
    this.#written = 0;
    if (await this.#hasStatistics(client)) {
      this.#settled = true;
      return;
    }
    await client.query(`ANALYZE ${quoteIdent(this.#schema)}."links"`);
    // An empty table gets no statistics: look again after more links.
    this.#settled = await this.#hasStatistics(client);
  }

  async #hasStatistics(client: pg.ClientBase): Promise<boolean> {
    const found = await client.query(
      `SELECT 1 FROM pg_stats WHERE "schemaname" = $1 AND "tablename" = 'links' LIMIT 1`,
      [this.#schema],
    );
    return (found.rowCount ?? 0) > 0;
  }
}

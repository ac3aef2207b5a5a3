import type { ChangeBatch, ChangeCapture } from "../connector.js";
import { CHANGELOG, CHANGELOG_DDL, createTriggerSql, type TriggerDef, triggersFor } from "./mysql-capture-schema.js";
import {
  advanceCursor,
  type ChangelogCursor,
  formatChangelogCursor,
  type GapClock,
  parseChangelogCursor,
  settledBelow,
  unreadCondition,
} from "./mysql-changelog-cursor.js";
import { type MysqlSession, quoteIdent, type Sql } from "./mysql-database.js";
import { changesFrom, type LoggedChange } from "./mysql-rows.js";
import type { MysqlTables } from "./mysql-tables.js";
import { type StoredTrigger, storedTriggers, teardownCapture } from "./mysql-teardown.js";

const DEFAULT_LIMIT = 1000;
/** How long a gap in the changelog may take to fill (see mysql-changelog-cursor.ts). */
export const GAP_TIMEOUT_MS = 60_000;
const PRUNE_CHUNK = 10_000;
const ISO = "'%Y-%m-%dT%H:%i:%s.%fZ'";
const LOG = quoteIdent(CHANGELOG);

/** One changelog row. */
interface LogRow {
  readonly seq: number;
  readonly tbl: string;
  readonly op: string;
  readonly pk: string;
  readonly at: string;
}

/** The server's clock and the changelog's end, read before the changelog itself. */
interface FeedState extends GapClock {
  readonly end: number;
}

/**
 * Change capture by triggers: every resource's inserts, updates and deletes are logged by key in
 * `_concord_changelog`, except those made by Concord's writer on that table (it sets
 * `@concord_origin` on its own connection, which no other session sees). A cursor is the highest
 * seq read plus the gaps below it that may still fill (see mysql-changelog-cursor.ts).
 */
export class MysqlChangeCapture implements ChangeCapture {
  readonly #session: MysqlSession;
  readonly #tables: MysqlTables;

  constructor(session: MysqlSession, tables: MysqlTables) {
    this.#session = session;
    this.#tables = tables;
  }

  async install(): Promise<void> {
    const specs = this.#tables.specs;
    for (const spec of specs) await this.#tables.get(spec.name); // fails clearly on a missing table or column
    const replace = this.#session.server.replaceTrigger;
    await this.#session.run("installing change capture", async (sql) => {
      await sql.run(CHANGELOG_DDL);
      const stored = await storedTriggers(sql);
      for (const trigger of specs.flatMap(triggersFor)) {
        // Replaced rather than kept when it differs, e.g. after the binding's key changed.
        if (matches(stored.get(trigger.name), trigger)) continue;
        if (!replace) await sql.run(`DROP TRIGGER IF EXISTS ${quoteIdent(trigger.name)}`);
        await sql.run(createTriggerSql(trigger, replace));
      }
    });
  }

  async isInstalled(): Promise<boolean> {
    if (!(await this.#session.hasTable(CHANGELOG))) return false;
    const stored = await this.#session.run("checking change capture", storedTriggers);
    return this.#tables.specs.flatMap(triggersFor).every((t) => matches(stored.get(t.name), t));
  }

  /**
   * The changelog's end: its highest seq, with the seqs missing among the last minute's entries as
   * gaps, since their transactions may still commit after a snapshot taken now.
   */
  currentCursor(): Promise<string> {
    return this.#session.run("reading the change feed's end", async (sql) => {
      const state = await this.#state(sql);
      // Entries older than the gap timeout count as settled: gaps among them would be dead already.
      const [settled] = await sql.arrays(
        `SELECT COALESCE(MAX(seq), 0) FROM ${LOG} WHERE at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND`,
        [GAP_TIMEOUT_MS / 1000],
      );
      const base = Number(settled?.[0] ?? 0);
      const rows = await sql.arrays(`SELECT seq, DATE_FORMAT(at, ${ISO}) FROM ${LOG} WHERE seq > ? ORDER BY seq`, [
        base,
      ]);
      const entries = rows.map((r) => ({ seq: Number(r[0]), atMs: Date.parse(String(r[1])) }));
      return formatChangelogCursor(advanceCursor({ hw: base, gaps: [] }, entries, state));
    });
  }

  /**
   * Reads the changelog after `cursor` (and the gaps it keeps), folds several entries of one
   * record into the latest and reads the current rows of upserted records. Reading discards
   * nothing: only `acknowledge` prunes.
   */
  async changes(cursor: string | null, options: { limit?: number } = {}): Promise<ChangeBatch> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw this.#session.error(`invalid limit ${limit}`);
    const from = this.#parse(cursor);
    return this.#session.run("reading changes", async (sql) => {
      // The open transactions are looked at before the changelog: one that commits in between is then seen in it.
      const state = await this.#state(sql);
      this.#checkNotAhead(cursor, from, state);
      const unread = unreadCondition(from);
      const rows = await sql.objects<LogRow>(
        `SELECT seq, tbl, op, pk, DATE_FORMAT(at, ${ISO}) AS at FROM ${LOG} WHERE ${unread.sql} ORDER BY seq LIMIT ?`,
        [...unread.values, limit + 1],
      );
      const more = rows.length > limit;
      const page = (more ? rows.slice(0, limit) : rows).map((r) => ({ ...r, seq: Number(r.seq) }));
      const next = advanceCursor(
        from,
        page.map((r) => ({ seq: r.seq, atMs: Date.parse(r.at) })),
        state,
      );
      const changes = await changesFrom(sql, this.#tables, page.map(toLogged));
      return { changes, cursor: formatChangelogCursor(next), more };
    });
  }

  /**
   * Deletes the changelog below `cursor`, which the hub has committed, so that it stays as short as
   * the engine's lag. Keeps the entry at the cursor (it tells how far the feed went, see
   * `#state`) and everything from the cursor's first gap on.
   */
  async acknowledge(cursor: string): Promise<void> {
    const at = this.#parse(cursor);
    await this.#session.run("pruning the changelog", async (sql) => {
      this.#checkNotAhead(cursor, at, await this.#state(sql));
      const below = Math.min(at.hw, settledBelow(at));
      while ((await sql.run(`DELETE FROM ${LOG} WHERE seq < ? LIMIT ?`, [below, PRUNE_CHUNK])).affectedRows > 0);
    });
  }

  teardown(): Promise<string[]> {
    return teardownCapture(this.#session);
  }

  async #state(sql: Sql): Promise<FeedState> {
    if (!(await this.#session.hasTable(CHANGELOG))) {
      throw this.#session.error("change capture is not installed (no changelog table); install it first");
    }
    let oldestOpenMs: number | null = null;
    let knowsOpen = true;
    try {
      const [row] = await sql.arrays("SELECT UNIX_TIMESTAMP(MIN(trx_started)) FROM information_schema.INNODB_TRX");
      oldestOpenMs = row?.[0] === null || row?.[0] === undefined ? null : Number(row[0]) * 1000;
    } catch {
      knowsOpen = false; // no PROCESS privilege: gaps then die by the timeout alone
    }
    const [row] = await sql.arrays(
      `SELECT DATE_FORMAT(UTC_TIMESTAMP(6), ${ISO}), @@auto_increment_increment, (SELECT MAX(seq) FROM ${LOG})`,
    );
    return {
      nowMs: Date.parse(String(row?.[0])),
      step: Number(row?.[1] ?? 1),
      end: Number(row?.[2] ?? 0),
      oldestOpenMs,
      knowsOpen,
      timeoutMs: GAP_TIMEOUT_MS,
    };
  }

  /** A cursor past the feed's end would silently skip every change until the feed caught up. */
  #checkNotAhead(cursor: string | null, at: ChangelogCursor, state: FeedState): void {
    if (at.hw <= state.end) return;
    throw this.#session.error(
      `cursor "${cursor}" is ahead of the change feed (which ends at ${state.end}): capture was reinstalled ` +
        "or the database replaced since; a full sync is needed",
    );
  }

  #parse(cursor: string | null): ChangelogCursor {
    if (cursor === null) return { hw: 0, gaps: [] };
    const parsed = parseChangelogCursor(cursor);
    if (!parsed) throw this.#session.error(`invalid cursor "${cursor}": expected a changelog position`);
    return parsed;
  }
}

function toLogged(row: LogRow): LoggedChange {
  return {
    tbl: row.tbl,
    op: row.op === "delete" ? "delete" : "upsert",
    pk: row.pk,
    at: new Date(row.at).toISOString(),
  };
}

/** Whether a stored trigger is exactly the one Concord would create. */
function matches(stored: StoredTrigger | undefined, def: TriggerDef): boolean {
  return (
    stored !== undefined &&
    stored.table === def.table &&
    stored.event === def.event &&
    stored.timing === "AFTER" &&
    stored.body === def.body
  );
}

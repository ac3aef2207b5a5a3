import type { ChangeBatch, ChangeCapture } from "../connector.js";
import {
  CHANGELOG,
  captureFunction,
  changelogDdl,
  createdDdl,
  qualified,
  TRIGGER,
  TRIGGER_TYPE,
  triggerDdl,
} from "./postgres-capture-schema.js";
import { resolveEntries } from "./postgres-feed.js";
import { listen } from "./postgres-listen.js";
import { type Db, type PostgresSession, quoteIdent } from "./postgres-session.js";
import type { PostgresTables } from "./postgres-tables.js";
import { type CaptureNames, dropLogicalCapture, hasTable, lockSchema, teardownAll } from "./postgres-teardown.js";

const DEFAULT_LIMIT = 1000;
const MAX_BIGINT = 2n ** 63n - 1n;

/** A position in the changelog: every entry up to (txid, seq), in that order, has been read. */
interface Position {
  readonly txid: bigint;
  readonly seq: bigint;
}

/** One changelog row. */
interface LogRow {
  readonly txid: string;
  readonly seq: string;
  readonly tbl: string;
  readonly op: "upsert" | "delete";
  readonly pk: string;
  readonly at: Date;
}

/**
 * The horizon: the smallest transaction id that may still add changelog rows. Sequence values are
 * taken before commit, so a later seq can commit before an earlier one; a reader that went by seq
 * alone would step past the earlier one for good. So the feed is ordered by (txid, seq) and read
 * only below the horizon, where every transaction has ended and nothing can be added any more.
 * The horizon is the oldest transaction of the statement's snapshot that is still running, except
 * those of other databases, which cannot write this changelog (or the snapshot's xmax when there
 * is none). A transaction that stays open in this database holds the feed back until it ends;
 * the rows above the horizon then come with a later read (the commit that lifts it notifies).
 */
const HORIZON = `snap AS (SELECT txid_current_snapshot() AS s),
  elsewhere AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
     WHERE backend_xid IS NOT NULL AND datid IS NOT NULL
       AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database())),
  horizon AS (
    SELECT coalesce(
      (SELECT min(x) FROM txid_snapshot_xip(s) AS x WHERE x % 4294967296 NOT IN (SELECT xid FROM elsewhere)),
      txid_snapshot_xmax(s)) AS h, txid_snapshot_xmax(s) AS xmax
      FROM snap)`;

/**
 * Change capture by triggers: every resource's inserts, updates and deletes are logged by key in
 * `_concord_changelog`, except Concord's own writes to that table (the writer sets
 * `concord.origin`, see postgres-writer.ts). A cursor is `txid:seq`, the last entry read.
 */
export class PostgresTriggerCapture implements ChangeCapture {
  readonly #session: PostgresSession;
  readonly #tables: PostgresTables;
  readonly #names: CaptureNames;

  constructor(session: PostgresSession, tables: PostgresTables, names: CaptureNames) {
    this.#session = session;
    this.#tables = tables;
    this.#names = names;
  }

  /** Creates the changelog and each table's function and trigger; replaces those that differ. */
  async install(): Promise<void> {
    const { schema, channel } = this.#names;
    const infos = await Promise.all(this.#tables.specs.map((spec) => this.#tables.get(spec.name)));
    await this.#session.transaction("installing change capture", async (db) => {
      await lockSchema(db, schema);
      await db.query(changelogDdl(schema));
      await db.query(createdDdl(schema));
      for (const info of infos) {
        const fn = captureFunction(schema, info.spec, channel);
        if ((await storedBody(db, schema, fn.name)) !== fn.body) await db.query(fn.ddl);
        if (await triggerInPlace(db, schema, info.oid, fn.name)) continue;
        await db.query(`DROP TRIGGER IF EXISTS ${quoteIdent(TRIGGER)} ON ${info.table}`);
        await db.query(triggerDdl(schema, info.spec.name, fn.name));
      }
    });
    // A slot left from logical capture would keep the server's WAL for ever.
    await this.#session.withClient("removing logical capture", (db) => dropLogicalCapture(db, this.#names));
  }

  isInstalled(): Promise<boolean> {
    const { schema, channel } = this.#names;
    const specs = this.#tables.specs;
    const fns = specs.map((spec) => captureFunction(schema, spec, channel));
    return this.#session.withClient("checking change capture", async (db) => {
      if (specs.length === 0) return hasTable(db, schema, CHANGELOG);
      // One round trip for every table (what storedBody and triggerInPlace ask, per table): the
      // engine asks before each run, and the daemon runs often.
      const { rows } = await db.query<{ log: boolean; body: string | null; trigger: boolean }>(
        `SELECT to_regclass($1) IS NOT NULL AS log,
                (SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE n.nspname = $2 AND p.proname = s.fn AND p.pronargs = 0) AS body,
                EXISTS (SELECT 1 FROM pg_trigger t
                          JOIN pg_proc p ON p.oid = t.tgfoid
                          JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE t.tgrelid = to_regclass(s.tbl) AND t.tgname = $3 AND n.nspname = $2
                           AND p.proname = s.fn AND t.tgtype = $4 AND t.tgenabled = 'O' AND t.tgqual IS NULL) AS trigger
           FROM unnest($5::text[], $6::text[]) WITH ORDINALITY AS s (tbl, fn, i)
          ORDER BY s.i`,
        [
          qualified(schema, CHANGELOG),
          schema,
          TRIGGER,
          TRIGGER_TYPE,
          specs.map((spec) => qualified(schema, spec.name)),
          fns.map((fn) => fn.name),
        ],
      );
      return rows.length === fns.length && rows.every((r, i) => r.log && r.trigger && r.body === fns[i]?.body);
    });
  }

  /** Just below the horizon: a snapshot taken later sees every transaction before it. */
  currentCursor(): Promise<string> {
    return this.#session.withClient("reading the change feed's end", async (db) => {
      const { horizon, end } = await this.#feedState(db);
      return format({ txid: horizon - 1n, seq: end });
    });
  }

  /**
   * Reads the changelog after `cursor` up to the horizon, folds several entries of one record into
   * the latest and reports each record as it is now. Reading discards nothing: only `acknowledge`
   * prunes.
   */
  async changes(cursor: string | null, options: { limit?: number } = {}): Promise<ChangeBatch> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    const after = this.#parse(cursor);
    if (!Number.isSafeInteger(limit) || limit < 1) throw this.#session.error(`invalid limit ${limit}`);
    return this.#session.withClient("reading changes", async (db) => {
      await this.#checkNotAhead(db, cursor, after);
      const { rows } = await db.query<LogRow>(
        `WITH ${HORIZON}
         SELECT l.txid::text AS txid, l.seq::text AS seq, l.tbl, l.op, l.pk, l.at
           FROM ${qualified(this.#names.schema, CHANGELOG)} l, horizon
          WHERE (l.txid, l.seq) > ($1::bigint, $2::bigint) AND l.txid < horizon.h
          ORDER BY l.txid, l.seq
          LIMIT $3`,
        [after.txid.toString(), after.seq.toString(), limit + 1],
      );
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const entries = page.map((r) => ({ tbl: r.tbl, op: r.op, pk: r.pk, at: r.at.toISOString() }));
      const changes = await resolveEntries(db, this.#tables, entries);
      const last = page.at(-1);
      const next = last ? { txid: BigInt(last.txid), seq: BigInt(last.seq) } : after;
      return { changes, cursor: format(next), more };
    });
  }

  /** Deletes the changelog up to `cursor`, which the hub has committed. */
  async acknowledge(cursor: string): Promise<void> {
    const upTo = this.#parse(cursor);
    await this.#session.withClient("pruning the changelog", async (db) => {
      await this.#checkNotAhead(db, cursor, upTo);
      // The prune need not wait for its WAL flush (set_config is local to this statement's
      // transaction): one lost in a crash only leaves rows at or before the cursor, which no
      // read returns and the next acknowledgement deletes. The daemon prunes after every batch.
      await db.query(
        `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
         DELETE FROM ${qualified(this.#names.schema, CHANGELOG)} USING relaxed WHERE (txid, seq) <= ($1::bigint, $2::bigint)`,
        [upTo.txid.toString(), upTo.seq.toString()],
      );
    });
  }

  teardown(): Promise<string[]> {
    return this.#session.withClient("removing change capture", (db) => teardownAll(db, this.#names));
  }

  /** LISTENs on the system's channel: the capture triggers notify it when their transaction commits. */
  subscribe(wake: () => void): Promise<() => Promise<void>> {
    return listen(this.#session, this.#names.channel, wake);
  }

  /** A cursor past the feed's end would silently skip every change until the feed caught up. */
  async #checkNotAhead(db: Db, cursor: string | null, at: Position): Promise<void> {
    const { end, xmax } = await this.#feedState(db);
    if (at.seq <= end && at.txid < xmax) return;
    throw this.#session.error(
      `cursor "${cursor}" is ahead of the change feed (which ends at ${end}): capture was reinstalled ` +
        "or the database replaced since; a full sync is needed",
    );
  }

  async #feedState(db: Db): Promise<{ horizon: bigint; xmax: bigint; end: bigint }> {
    const log = qualified(this.#names.schema, CHANGELOG);
    // Whether the changelog exists is asked in the same round trip; CASE reads its sequence only then.
    const { rows } = await db.query<{ ready: boolean; h: string; xmax: string; end: string | null }>(
      `WITH ${HORIZON}
       SELECT to_regclass($1) IS NOT NULL AS ready, h::text AS h, xmax::text AS xmax,
              CASE WHEN to_regclass($1) IS NOT NULL THEN
                coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'seq')::regclass), 0)::text END AS end
         FROM horizon`,
      [log],
    );
    const row = rows[0];
    if (row?.ready === false || row?.end === null) {
      throw this.#session.error("change capture is not installed (no changelog table); install it first");
    }
    if (!row) throw this.#session.error("the change feed's state could not be read");
    return { horizon: BigInt(row.h), xmax: BigInt(row.xmax), end: BigInt(row.end) };
  }

  #parse(cursor: string | null): Position {
    if (cursor === null) return { txid: 0n, seq: 0n };
    const m = /^(\d{1,19}):(\d{1,19})$/.exec(cursor);
    const position = m ? { txid: BigInt(m[1] ?? ""), seq: BigInt(m[2] ?? "") } : undefined;
    if (!position || position.txid > MAX_BIGINT || position.seq > MAX_BIGINT) {
      throw this.#session.error(`invalid cursor "${cursor}": expected txid:seq of the changelog`);
    }
    return position;
  }
}

function format(position: Position): string {
  return `${position.txid}:${position.seq}`;
}

/** The body of a capture function as PostgreSQL keeps it, if it exists. */
async function storedBody(db: Db, schema: string, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ prosrc: string }>(
    `SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND p.proname = $2 AND p.pronargs = 0`,
    [schema, name],
  );
  return rows[0]?.prosrc;
}

/** Whether the table has Concord's trigger, enabled, calling `fn` after every row change. */
async function triggerInPlace(db: Db, schema: string, table: number, fn: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_trigger t
       JOIN pg_proc p ON p.oid = t.tgfoid
       JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE t.tgrelid = $1 AND t.tgname = $2 AND n.nspname = $3 AND p.proname = $4
        AND t.tgtype = $5 AND t.tgenabled = 'O' AND t.tgqual IS NULL`,
    [table, TRIGGER, schema, fn, TRIGGER_TYPE],
  );
  return rows.length > 0;
}

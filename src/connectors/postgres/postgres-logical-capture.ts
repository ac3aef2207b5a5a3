import type { ChangeBatch, ChangeCapture } from "../connector.js";
import { createdDdl, MESSAGE_PREFIX } from "./postgres-capture-schema.js";
import { type FeedEntry, resolveEntries } from "./postgres-feed.js";
import { formatLsn, parseLsn } from "./postgres-pgoutput.js";
import { type Db, type PostgresSession, quoteIdent } from "./postgres-session.js";
import { ensurePublication, publicationInPlace, replicaIdentityProblem, slotState } from "./postgres-slot.js";
import type { PostgresTables } from "./postgres-tables.js";
import { type CaptureNames, dropTriggerCapture, lockSchema, teardownAll } from "./postgres-teardown.js";
import { WalFeedDecoder, type WalTransaction } from "./postgres-wal-feed.js";

const DEFAULT_LIMIT = 1000;
/** Peeks start at (at least) this many pgoutput messages and grow fourfold until a page is full. */
const FIRST_PEEK = 256;
const MAX_PEEK = 1 << 22;

/**
 * A position in the decoded stream: every transaction whose commit ends at or before `end` has
 * been read, and, when `taken` is given, the first `taken` changes of the one ending at `end`.
 */
interface Position {
  readonly end: bigint;
  readonly taken?: number;
}

/**
 * Change capture by logical decoding: pgoutput through a durable replication slot, so that the
 * server keeps every change while Concord is down. Each read peeks at the slot in SQL
 * (`pg_logical_slot_peek_binary_changes`), which consumes nothing, and `acknowledge` advances the
 * slot (`pg_replication_slot_advance`): this maps exactly onto changes()/acknowledge(). Streaming
 * replication is not used, so there is no `subscribe`: the daemon polls (`pollEvery`).
 *
 * Concord's own writes are recognized by a transactional logical message its writer emits in the
 * write transaction (see postgres-writer.ts); PostgreSQL 15 has no origin filter in pgoutput.
 * A cursor is an LSN (`16/B374D848`), or `LSN:n` inside a transaction larger than a page. A
 * transaction is decoded whole, so one larger than memory allows is a limit of this design.
 */
export class PostgresLogicalCapture implements ChangeCapture {
  readonly #session: PostgresSession;
  readonly #tables: PostgresTables;
  readonly #names: CaptureNames;
  /** A slot serves one backend at a time: this connector's own uses of it wait for each other. */
  #slotQueue: Promise<unknown> = Promise.resolve();

  constructor(session: PostgresSession, tables: PostgresTables, names: CaptureNames) {
    this.#session = session;
    this.#tables = tables;
    this.#names = names;
  }

  /** Creates the publication of the bound tables, then the slot (decoding needs the publication). */
  async install(): Promise<void> {
    const { schema, publication, slot } = this.#names;
    const infos = await Promise.all(this.#tables.specs.map((spec) => this.#tables.get(spec.name)));
    const created = await this.#session.transaction("installing change capture", async (db) => {
      await this.#checkWalLevel(db);
      for (const info of infos) {
        const problem = await replicaIdentityProblem(db, info);
        if (problem) throw this.#session.error(problem);
      }
      await lockSchema(db, schema);
      await db.query(createdDdl(schema));
      // Triggers left from trigger capture would slow the application's writes for nothing.
      await dropTriggerCapture(db, schema, this.#tables.specs);
      return ensurePublication(db, publication, infos);
    });
    await this.#exclusive("creating the replication slot", async (db) => {
      const state = await slotState(db, slot);
      if (state && !state.here) {
        throw this.#session.error(
          `replication slot "${slot}" exists for database ${state.database ?? "(none)"} with plugin ` +
            `${state.plugin ?? "(none)"}; set the system's slot option to another name`,
        );
      }
      // A slot older than its publication cannot decode what lies between: start it anew.
      if (state && created) await db.query("SELECT pg_drop_replication_slot($1)", [slot]);
      if (!state || created) await db.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
    });
  }

  isInstalled(): Promise<boolean> {
    return this.#session.withClient("checking change capture", async (db) => {
      const state = await slotState(db, this.#names.slot);
      if (!state?.here) return false;
      const infos = [];
      for (const spec of this.#tables.specs) {
        try {
          infos.push(await this.#tables.get(spec.name));
        } catch {
          return false; // a table that is gone
        }
      }
      return publicationInPlace(db, this.#names.publication, infos);
    });
  }

  /**
   * The LSN of a message written in a transaction of its own. Being a WAL record, no commit record
   * straddles it; and since that transaction's commit flushes the WAL, every transaction committed
   * before it is visible to a snapshot taken afterwards.
   */
  currentCursor(): Promise<string> {
    return this.#session.transaction("reading the change feed's end", async (db) => {
      await db.query("SET LOCAL synchronous_commit = on");
      const { rows } = await db.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, $1, $2)::text AS lsn", [
        MESSAGE_PREFIX,
        `mark\n${this.#session.system}`,
      ]);
      const lsn = rows[0]?.lsn;
      if (lsn === undefined) throw this.#session.error("the WAL position could not be read");
      return lsn;
    });
  }

  async changes(cursor: string | null, options: { limit?: number } = {}): Promise<ChangeBatch> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    const after = cursor === null ? undefined : this.#parse(cursor);
    if (!Number.isSafeInteger(limit) || limit < 1) throw this.#session.error(`invalid limit ${limit}`);
    return this.#exclusive("reading changes", async (db) => {
      const confirmed = await this.#checkFeed(db, cursor, after);
      // A change takes one message, a transaction two more (begin, commit), a table one per peek.
      for (let peek = Math.max(FIRST_PEEK, limit * 3); ; peek *= 4) {
        const messages = await this.#peek(db, peek);
        const exhausted = messages.length < peek;
        // Every peek is a decoding session of its own, which describes its relations anew.
        const decoder = new WalFeedDecoder(this.#session.system, this.#names.schema, this.#tables.specs);
        const page = take(decoder.decode(messages), after, limit);
        if (page.full || exhausted || page.entries.length === limit || peek >= MAX_PEEK) {
          const changes = await resolveEntries(db, this.#tables, page.entries);
          const position = page.position ?? after ?? { end: confirmed };
          return { changes, cursor: format(position), more: page.full || !exhausted };
        }
      }
    });
  }

  /** Confirms the slot up to `cursor`, so that the server may recycle the WAL before it. */
  async acknowledge(cursor: string): Promise<void> {
    const upTo = this.#parse(cursor);
    await this.#exclusive("confirming the replication slot", async (db) => {
      await this.#checkFeed(db, cursor, upTo);
      // Inside a transaction nothing can be confirmed yet: its commit lies ahead.
      if (upTo.taken !== undefined) return;
      await db.query(
        `SELECT pg_replication_slot_advance(slot_name, $2::pg_lsn) FROM pg_replication_slots
          WHERE slot_name = $1 AND database = current_database() AND confirmed_flush_lsn < $2::pg_lsn`,
        [this.#names.slot, formatLsn(upTo.end)],
      );
    });
  }

  teardown(): Promise<string[]> {
    return this.#exclusive("removing change capture", (db) => teardownAll(db, this.#names));
  }

  async #peek(db: Db, upTo: number): Promise<Buffer[]> {
    const { rows } = await db.query<{ data: Buffer }>(
      `SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2,
         'proto_version', '1', 'publication_names', $3, 'messages', 'true')`,
      [this.#names.slot, upTo, quoteIdent(this.#names.publication)],
    );
    return rows.map((r) => r.data);
  }

  /** Fails when capture is not installed or the cursor lies ahead of the WAL; answers the slot's confirmed LSN. */
  async #checkFeed(db: Db, cursor: string | null, at: Position | undefined): Promise<bigint> {
    const state = await slotState(db, this.#names.slot);
    const confirmed = state?.here ? parseLsn(state.confirmed ?? "") : undefined;
    if (confirmed === undefined) {
      throw this.#session.error(
        `change capture is not installed (no replication slot "${this.#names.slot}" here); install it first`,
      );
    }
    if (at === undefined) return confirmed;
    const { rows } = await db.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
    const end = parseLsn(rows[0]?.lsn ?? "") ?? 0n;
    if (at.end <= end) return confirmed;
    throw this.#session.error(
      `cursor "${cursor}" is ahead of the change feed (which ends at ${formatLsn(end)}): the database was ` +
        "replaced since; a full sync is needed",
    );
  }

  async #checkWalLevel(db: Db): Promise<void> {
    const { rows } = await db.query<{ wal_level: string }>("SHOW wal_level");
    const level = rows[0]?.wal_level;
    if (level === "logical") return;
    throw this.#session.error(
      `capture: logical needs wal_level=logical (the server has "${level}"); set it and restart the server, ` +
        "or use capture: trigger",
    );
  }

  /** Runs `fn` on a connection once this connector's earlier uses of the slot are done. */
  #exclusive<T>(what: string, fn: (db: Db) => Promise<T>): Promise<T> {
    const run = this.#slotQueue.then(() => this.#session.withClient(what, fn));
    this.#slotQueue = run.catch(() => undefined);
    return run;
  }

  #parse(cursor: string): Position {
    const [lsn = "", taken, ...rest] = cursor.split(":");
    const end = parseLsn(lsn);
    const n = taken === undefined ? undefined : /^\d{1,9}$/.test(taken) ? Number(taken) : Number.NaN;
    if (end === undefined || Number.isNaN(n) || rest.length > 0) {
      throw this.#session.error(`invalid cursor "${cursor}": expected an LSN like 16/B374D848`);
    }
    return n === undefined ? { end } : { end, taken: n };
  }
}

function format(position: Position): string {
  const lsn = formatLsn(position.end);
  return position.taken === undefined ? lsn : `${lsn}:${position.taken}`;
}

/**
 * The entries after `after`, at most `limit` of them (Concord's own skipped but passed over), the
 * position after the last one passed, and whether another entry waits beyond the page.
 */
function take(
  transactions: readonly WalTransaction[],
  after: Position | undefined,
  limit: number,
): { entries: FeedEntry[]; position: Position | undefined; full: boolean } {
  const entries: FeedEntry[] = [];
  let position: Position | undefined;
  for (const txn of transactions) {
    if (after !== undefined && txn.endLsn < after.end) continue;
    let start = 0;
    if (after !== undefined && txn.endLsn === after.end) {
      if (after.taken === undefined) continue;
      start = after.taken;
    }
    for (let i = start; i < txn.entries.length; i++) {
      const entry = txn.entries[i];
      if (entry === undefined) continue;
      if (!entry.skip) {
        if (entries.length === limit) return { entries, position, full: true };
        entries.push(entry);
      }
      position = { end: txn.endLsn, taken: i + 1 };
    }
    position = { end: txn.endLsn };
  }
  return { entries, position, full: false };
}

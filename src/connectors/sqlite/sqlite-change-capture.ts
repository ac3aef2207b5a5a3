import type { SourceChange } from "../../core/types.js";
import type { ChangeBatch, ChangeCapture } from "../connector.js";
import {
  CHANGELOG,
  CHANGELOG_DDL,
  CREATED,
  ECHO_GUARD,
  ECHO_GUARD_DDL,
  PREFIX,
  triggersFor,
} from "./sqlite-capture-schema.js";
import { type Db, quoteIdent, type SqliteSession, settle } from "./sqlite-database.js";
import { currentRows } from "./sqlite-rows.js";
import type { SqliteTables } from "./sqlite-tables.js";

const DEFAULT_LIMIT = 1000;

/** One changelog row. */
interface LogEntry {
  readonly seq: number;
  readonly tbl: string;
  readonly op: string;
  readonly pk: string;
  readonly at: string;
}

/**
 * Change capture by triggers: every resource's inserts, updates and deletes are logged by key in
 * `_concord_changelog`, except those made inside Concord's own write transactions (see the echo
 * guard in sqlite-writer.ts). A cursor is the last changelog `seq` read, as a decimal string.
 */
export class SqliteChangeCapture implements ChangeCapture {
  readonly #session: SqliteSession;
  readonly #tables: SqliteTables;

  constructor(session: SqliteSession, tables: SqliteTables) {
    this.#session = session;
    this.#tables = tables;
  }

  install(): Promise<void> {
    return settle(() =>
      this.#session.run("installing change capture", (db) =>
        db
          .transaction(() => {
            db.exec(CHANGELOG_DDL);
            db.exec(ECHO_GUARD_DDL);
            for (const spec of this.#tables.specs) {
              this.#tables.get(spec.name); // fails clearly on a missing table or key column
              for (const trigger of triggersFor(spec)) {
                // Replaced rather than kept when it differs, e.g. after the binding's key changed.
                if (storedTriggerSql(db, trigger.name) === trigger.sql) continue;
                db.exec(`DROP TRIGGER IF EXISTS ${quoteIdent(trigger.name)}`);
                db.exec(trigger.sql);
              }
            }
          })
          .immediate(),
      ),
    );
  }

  isInstalled(): Promise<boolean> {
    return settle(() =>
      this.#session.run("checking change capture", (db) => {
        if (!this.#session.hasTable(CHANGELOG) || !this.#session.hasTable(ECHO_GUARD)) return false;
        return [...this.#tables.specs].every((spec) =>
          triggersFor(spec).every((t) => storedTriggerSql(db, t.name) === t.sql),
        );
      }),
    );
  }

  currentCursor(): Promise<string> {
    return settle(() => String(this.#session.run("reading the change feed's end", (db) => this.#feedEnd(db))));
  }

  /**
   * Reads the changelog after `cursor`, folds several entries of one record into the latest and
   * reads the current rows of upserted records (a record that is gone by then is reported deleted).
   * Reading discards nothing: only `acknowledge` prunes.
   */
  changes(cursor: string | null, options: { limit?: number } = {}): Promise<ChangeBatch> {
    return settle(() => this.#changes(cursor, options.limit ?? DEFAULT_LIMIT));
  }

  #changes(cursor: string | null, limit: number): ChangeBatch {
    const after = this.#parseCursor(cursor);
    if (!Number.isSafeInteger(limit) || limit < 1) throw this.#session.error(`invalid limit ${limit}`);
    return this.#session.run("reading changes", (db) => {
      this.#checkNotAhead(db, cursor, after);
      // One read transaction, so that the rows fetched are at least as new as the log read.
      return db.transaction(() => this.#read(db, after, limit)).deferred();
    });
  }

  /**
   * Deletes the changelog up to `cursor`, which the hub has committed, so that the changelog stays
   * as short as the engine's lag. Takes the write lock only when there is something to delete.
   */
  acknowledge(cursor: string): Promise<void> {
    return settle(() => {
      const upTo = this.#parseCursor(cursor);
      this.#session.run("pruning the changelog", (db) => {
        this.#checkNotAhead(db, cursor, upTo);
        const log = quoteIdent(CHANGELOG);
        if (db.prepare(`SELECT 1 FROM ${log} WHERE seq <= ? LIMIT 1`).get(upTo)) {
          db.prepare(`DELETE FROM ${log} WHERE seq <= ?`).run(upTo);
        }
      });
    });
  }

  teardown(): Promise<string[]> {
    return settle(() =>
      this.#session.run("removing change capture", (db) =>
        db
          .transaction(() => {
            const done: string[] = [];
            const triggers = db
              .prepare<[{ prefix: string }], { name: string }>(
                "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, length(@prefix)) = @prefix ORDER BY name",
              )
              .all({ prefix: PREFIX });
            for (const { name } of triggers) {
              db.exec(`DROP TRIGGER ${quoteIdent(name)}`);
              done.push(`trigger ${name}`);
            }
            for (const table of [CHANGELOG, ECHO_GUARD, CREATED]) {
              if (!this.#session.hasTable(table)) continue;
              db.exec(`DROP TABLE ${quoteIdent(table)}`);
              done.push(`table ${table}`);
            }
            return done;
          })
          .immediate(),
      ),
    );
  }

  #read(db: Db, after: number, limit: number): ChangeBatch {
    const entries = db
      .prepare<[number, number], LogEntry>(
        `SELECT seq, tbl, op, pk, at FROM ${quoteIdent(CHANGELOG)} WHERE seq > ? ORDER BY seq LIMIT ?`,
      )
      .all(after, limit + 1);
    const more = entries.length > limit;
    const page = more ? entries.slice(0, limit) : entries;
    // Deleting before setting moves a record to the position of its latest entry.
    const latest = new Map<string, LogEntry>();
    // A key deleted and then used again (SQLite hands out the highest rowid anew) is another
    // record: its delete must come through, not fold into an edit of the deleted one.
    const deletedFirst = new Map<string, LogEntry>();
    const lastDelete = new Map<string, LogEntry>();
    for (const entry of page) {
      if (!this.#tables.has(entry.tbl)) continue; // a table no longer bound
      const id = `${entry.tbl}\u0000${entry.pk}`;
      if (entry.op === "delete") lastDelete.set(id, entry);
      else if (lastDelete.has(id)) deletedFirst.set(id, lastDelete.get(id) as LogEntry);
      latest.delete(id);
      latest.set(id, entry);
    }
    const upserted = new Map<string, string[]>();
    for (const e of latest.values()) {
      if (e.op === "upsert") upserted.set(e.tbl, [...(upserted.get(e.tbl) ?? []), e.pk]);
    }
    const rows = new Map(
      [...upserted].map(([tbl, keys]) => [tbl, currentRows(db, this.#tables.get(tbl), keys)] as const),
    );
    const changes = [...latest.entries()].flatMap(([id, e]): SourceChange[] => {
      const row = e.op === "upsert" ? rows.get(e.tbl)?.get(e.pk) : undefined;
      const base = { resource: e.tbl, key: e.pk, sourceTime: e.at };
      if (!row) return [{ ...base, op: "delete" }];
      const gone = e.op === "upsert" ? deletedFirst.get(id) : undefined;
      const upsert: SourceChange = { ...base, op: "upsert", row };
      return gone === undefined ? [upsert] : [{ ...base, op: "delete", sourceTime: gone.at }, upsert];
    });
    const last = page.at(-1);
    return { changes, cursor: String(last ? last.seq : after), more };
  }

  /** A cursor past the feed's end would silently skip every change until the feed caught up. */
  #checkNotAhead(db: Db, cursor: string | null, seq: number): void {
    const end = this.#feedEnd(db);
    if (seq <= end) return;
    throw this.#session.error(
      `cursor "${cursor}" is ahead of the change feed (which ends at ${end}): capture was reinstalled ` +
        "or the database replaced since; a full sync is needed",
    );
  }

  #feedEnd(db: Db): number {
    if (!this.#session.hasTable(CHANGELOG)) {
      throw this.#session.error("change capture is not installed (no changelog table); install it first");
    }
    // sqlite_sequence keeps the highest seq ever given, also once pruning emptied the changelog.
    const row = db.prepare<[string], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = ?").get(CHANGELOG);
    return row?.seq ?? 0;
  }

  #parseCursor(cursor: string | null): number {
    if (cursor === null) return 0;
    const seq = /^\d{1,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
    if (!Number.isSafeInteger(seq)) {
      throw this.#session.error(`invalid cursor "${cursor}": expected a changelog sequence number`);
    }
    return seq;
  }
}

/** The SQL of a stored trigger, as SQLite keeps it. */
function storedTriggerSql(db: Db, name: string): string | undefined {
  const row = db
    .prepare<[string], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?")
    .get(name);
  return row?.sql;
}

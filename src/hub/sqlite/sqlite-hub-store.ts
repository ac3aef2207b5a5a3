import Database from "better-sqlite3";
import { ConcordError, messageOf } from "../../core/errors.js";
import type {
  Conflict,
  DuplicateCandidate,
  GoldenRecord,
  JournalEntry,
  Link,
  ParkedChange,
  RecordError,
  RunRecord,
  WriteFailure,
} from "../../core/types.js";
import type { HubBatch, HubStore, JournalQuery, LinkStats } from "../hub-store.js";
import { applySqliteHubBatch } from "./sqlite-hub-commit.js";
import {
  assertKnownSqliteHubVersion,
  latestSqliteHubVersion,
  migrateSqliteHub,
  sqliteHubVersion,
} from "./sqlite-hub-migrations.js";
import {
  conflictsQuery,
  duplicatesQuery,
  errorsQuery,
  journalQuery,
  type SqliteQuery,
  writeFailuresQuery,
} from "./sqlite-hub-queries.js";
import {
  type ConflictRow,
  conflictFromRow,
  type DuplicateRow,
  duplicateFromRow,
  goldenFromRow,
  type JournalRow,
  journalFromRow,
  linkFromRow,
  parkedFromRow,
  type RecordErrorRow,
  recordErrorFromRow,
  runFromRow,
  type WriteFailureRow,
  writeFailureFromRow,
} from "../hub-rows.js";
import { prepareSqliteHubStatements, type SqliteHubStatements } from "./sqlite-hub-statements.js";

const retryableCodes = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT"]);

function toHubError(err: unknown): ConcordError {
  if (err instanceof ConcordError) return err;
  const retryable = err instanceof Database.SqliteError && retryableCodes.has(err.code);
  return new ConcordError("hub", `hub (sqlite): ${messageOf(err)}`, { cause: err, retryable });
}

/**
 * The embedded hub: one SQLite file in WAL mode. better-sqlite3 is synchronous, so each method
 * runs to completion before it returns its promise; `commit` is one IMMEDIATE transaction.
 */
export class SqliteHubStore implements HubStore {
  readonly kind = "sqlite";
  readonly #db: Database.Database;
  readonly #dynamic = new Map<string, Database.Statement<unknown[], unknown>>();
  #statements: SqliteHubStatements | undefined;
  readonly #commit: (batch: HubBatch) => void;

  /** Opens (or creates) the hub file at `path`; call `migrate()` before using a new one. */
  constructor(path: string) {
    try {
      this.#db = new Database(path);
      this.#db.pragma("journal_mode = WAL");
      // NORMAL in WAL mode stays consistent on power loss; only the last commits may be lost.
      this.#db.pragma("synchronous = NORMAL");
      this.#db.pragma("busy_timeout = 5000");
      this.#db.pragma("cache_size = -65536");
      this.#db.pragma("temp_store = MEMORY");
    } catch (err) {
      throw toHubError(err);
    }
    const commit = this.#db.transaction((batch: HubBatch) => applySqliteHubBatch(this.#s(), batch));
    this.#commit = (batch) => commit.immediate(batch);
  }

  migrate(): Promise<void> {
    return this.#run(() => {
      migrateSqliteHub(this.#db);
      this.#s();
    });
  }

  close(): Promise<void> {
    return this.#run(() => {
      if (this.#db.open) this.#db.close();
    });
  }

  commit(batch: HubBatch): Promise<void> {
    return this.#run(() => this.#commit(batch));
  }

  getGoldens(entity: string, uids: readonly string[]): Promise<GoldenRecord[]> {
    return this.#run(() =>
      uids.length === 0 ? [] : this.#s().goldensByUids.all(entity, JSON.stringify(uids)).map(goldenFromRow),
    );
  }

  listDirty(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    return this.#run(() =>
      afterUid === null ? this.#s().dirtyFirst.all(entity, limit) : this.#s().dirtyAfter.all(entity, afterUid, limit),
    );
  }

  listUids(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    return this.#run(() =>
      afterUid === null ? this.#s().uidsFirst.all(entity, limit) : this.#s().uidsAfter.all(entity, afterUid, limit),
    );
  }

  countGoldens(entity: string): Promise<{ live: number; deleted: number; dirty: number }> {
    return this.#run(() => this.#s().countGoldens.get(entity) ?? { live: 0, deleted: 0, dirty: 0 });
  }

  getLinksByKeys(entity: string, system: string, keys: readonly string[]): Promise<Link[]> {
    return this.#run(() =>
      keys.length === 0 ? [] : this.#s().linksByKeys.all(entity, system, JSON.stringify(keys)).map(linkFromRow),
    );
  }

  getLinksByUids(entity: string, uids: readonly string[]): Promise<Link[]> {
    return this.#run(() =>
      uids.length === 0 ? [] : this.#s().linksByUids.all(entity, JSON.stringify(uids)).map(linkFromRow),
    );
  }

  listLinkKeys(entity: string, system: string, afterKey: string | null, limit: number): Promise<string[]> {
    return this.#run(() =>
      afterKey === null
        ? this.#s().linkKeysFirst.all(entity, system, limit)
        : this.#s().linkKeysAfter.all(entity, system, afterKey, limit),
    );
  }

  linkStats(): Promise<LinkStats[]> {
    return this.#run(() => this.#s().linkStats.all());
  }

  findByMatchKeys(entity: string, keys: readonly string[]): Promise<{ key: string; uid: string }[]> {
    return this.#run(() => (keys.length === 0 ? [] : this.#s().findByMatchKeys.all(entity, JSON.stringify(keys))));
  }

  getCursor(system: string): Promise<string | null> {
    return this.#run(() => this.#s().getCursor.get(system) ?? null);
  }

  getMeta(key: string): Promise<string | null> {
    return this.#run(() => this.#s().getMeta.get(key) ?? null);
  }

  tryLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#run(() => {
      const now = Date.now();
      return this.#s().tryLease.run(name, owner, now + ttlMs, now).changes === 1;
    });
  }

  leaseHolder(name: string): Promise<string | undefined> {
    return this.#run(() => this.#s().leaseHolder.get(name, Date.now()));
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return this.#run(() => {
      this.#s().releaseLease.run(name, owner);
    });
  }

  startRun(run: RunRecord): Promise<void> {
    return this.#run(() => this.#upsertRun(run));
  }

  finishRun(run: RunRecord): Promise<void> {
    return this.#run(() => this.#upsertRun(run));
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.#run(() => {
      const row = this.#s().getRun.get(id);
      return row === undefined ? undefined : runFromRow(row);
    });
  }

  listRuns(limit: number): Promise<RunRecord[]> {
    return this.#run(() => this.#s().listRuns.all(limit).map(runFromRow));
  }

  queryJournal(query: JournalQuery): Promise<JournalEntry[]> {
    return this.#run(() => this.#query<JournalRow>(journalQuery(query)).map(journalFromRow));
  }

  getConflict(id: string): Promise<Conflict | undefined> {
    return this.#run(() => {
      const row = this.#s().getConflict.get(id);
      return row === undefined ? undefined : conflictFromRow(row);
    });
  }

  listConflicts(filter: { status?: Conflict["status"]; uid?: string; entity?: string }): Promise<Conflict[]> {
    return this.#run(() => this.#query<ConflictRow>(conflictsQuery(filter)).map(conflictFromRow));
  }

  getDuplicate(id: string): Promise<DuplicateCandidate | undefined> {
    return this.#run(() => {
      const row = this.#s().getDuplicate.get(id);
      return row === undefined ? undefined : duplicateFromRow(row);
    });
  }

  listDuplicates(filter: { status?: DuplicateCandidate["status"]; entity?: string }): Promise<DuplicateCandidate[]> {
    return this.#run(() => this.#query<DuplicateRow>(duplicatesQuery(filter)).map(duplicateFromRow));
  }

  listErrors(filter: { runId?: string; system?: string; limit?: number }): Promise<RecordError[]> {
    return this.#run(() => this.#query<RecordErrorRow>(errorsQuery(filter)).map(recordErrorFromRow));
  }

  getWriteFailures(entity: string, system: string, uids: readonly string[]): Promise<WriteFailure[]> {
    return this.#run(() =>
      uids.length === 0
        ? []
        : this.#s().writeFailuresByUids.all(entity, JSON.stringify(uids), system).map(writeFailureFromRow),
    );
  }

  listWriteFailures(filter: { dead?: boolean; system?: string }): Promise<WriteFailure[]> {
    return this.#run(() => this.#query<WriteFailureRow>(writeFailuresQuery(filter)).map(writeFailureFromRow));
  }

  listParked(): Promise<ParkedChange[]> {
    return this.#run(() => this.#s().listParked.all().map(parkedFromRow));
  }

  /** Runs synchronous work as a promise, with every failure as a ConcordError("hub"). */
  #run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(toHubError(err));
    }
  }

  /** The prepared statements, made on first use once the schema is known to be current. */
  #s(): SqliteHubStatements {
    if (this.#statements !== undefined) return this.#statements;
    const version = sqliteHubVersion(this.#db);
    assertKnownSqliteHubVersion(version);
    if (version < latestSqliteHubVersion) {
      throw new ConcordError(
        "hub",
        `hub schema is at version ${version}, this Concord needs ${latestSqliteHubVersion}: migrate it first`,
      );
    }
    this.#statements = prepareSqliteHubStatements(this.#db);
    return this.#statements;
  }

  #query<Row>(query: SqliteQuery): Row[] {
    this.#s();
    let statement = this.#dynamic.get(query.sql);
    if (statement === undefined) {
      statement = this.#db.prepare(query.sql);
      this.#dynamic.set(query.sql, statement);
    }
    return statement.all(...query.params) as Row[];
  }

  #upsertRun(run: RunRecord): void {
    this.#s().upsertRun.run(
      run.id,
      run.command,
      run.startedAt,
      run.finishedAt ?? null,
      run.status,
      run.summary === undefined ? null : JSON.stringify(run.summary),
    );
  }
}

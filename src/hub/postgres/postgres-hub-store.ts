import type pg from "pg";
import { ConcordError } from "../../core/errors.js";
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
import { PostgresHubAnalyzer } from "./postgres-hub-analyze.js";
import { applyPostgresHubBatch } from "./postgres-hub-commit.js";
import {
  createHubPool,
  inTransaction,
  type PostgresHubLocation,
  parsePostgresHubUrl,
  toHubError,
  withClient,
} from "./postgres-hub-connection.js";
import {
  assertKnownPostgresHubVersion,
  latestPostgresHubVersion,
  migratePostgresHub,
  postgresHubVersion,
} from "./postgres-hub-migrations.js";
import {
  conflictsQuery,
  duplicatesQuery,
  errorsQuery,
  journalQuery,
  type PostgresQuery,
  writeFailuresQuery,
} from "./postgres-hub-queries.js";
import {
  type ConflictRow,
  conflictFromRow,
  type DuplicateRow,
  duplicateFromRow,
  type GoldenRow,
  goldenFromRow,
  type JournalRow,
  journalFromRow,
  type LinkRow,
  linkFromRow,
  type ParkedRow,
  parkedFromRow,
  type RecordErrorRow,
  type RunRow,
  recordErrorFromRow,
  runFromRow,
  type WriteFailureRow,
  writeFailureFromRow,
} from "../hub-rows.js";
import {
  type PostgresHubStatement,
  type PostgresHubStatements,
  postgresHubStatements,
} from "./postgres-hub-statements.js";

type Counts = { live: number; deleted: number; dirty: number };

/**
 * The shared hub: tables in one schema (default `concord`) of a PostgreSQL database, reached
 * through a small pool. Several processes may use one hub at once: `commit` is one transaction
 * that locks the records it touches (see postgres-hub-locks.ts).
 */
export class PostgresHubStore implements HubStore {
  readonly kind = "postgres";
  readonly #location: PostgresHubLocation;
  readonly #pool: pg.Pool;
  readonly #s: PostgresHubStatements;
  readonly #analyzer: PostgresHubAnalyzer;
  #ready: Promise<void> | undefined;
  #analyzing: Promise<void> | undefined;
  #closed = false;

  /** Reads the URL (`?schema=` picks the schema); connects on first use. Call `migrate()` before using a new hub. */
  constructor(url: string) {
    this.#location = parsePostgresHubUrl(url);
    this.#pool = createHubPool(this.#location);
    this.#s = postgresHubStatements(this.#location.schema);
    this.#analyzer = new PostgresHubAnalyzer(this.#location.schema);
  }

  async migrate(): Promise<void> {
    try {
      await inTransaction(this.#pool, (client) => migratePostgresHub(client, this.#location.schema));
    } catch (err) {
      throw toHubError(err, this.#location);
    }
    this.#ready = Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async commit(batch: HubBatch): Promise<void> {
    await this.#use(async () => {
      if (this.#analyzer.due(batch)) await this.#analyze();
      await inTransaction(this.#pool, (client) => applyPostgresHubBatch(client, this.#s, this.#location.schema, batch));
    });
    this.#analyzer.wrote(batch);
  }

  async getGoldens(entity: string, uids: readonly string[]): Promise<GoldenRecord[]> {
    if (uids.length === 0) return [];
    return (await this.#rows<GoldenRow>(this.#s.goldensByUids, [entity, uids])).map(goldenFromRow);
  }

  async listDirty(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    const rows =
      afterUid === null
        ? await this.#rows<{ uid: string }>(this.#s.dirtyFirst, [entity, limit])
        : await this.#rows<{ uid: string }>(this.#s.dirtyAfter, [entity, afterUid, limit]);
    return rows.map((r) => r.uid);
  }

  async listUids(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    const rows =
      afterUid === null
        ? await this.#rows<{ uid: string }>(this.#s.uidsFirst, [entity, limit])
        : await this.#rows<{ uid: string }>(this.#s.uidsAfter, [entity, afterUid, limit]);
    return rows.map((r) => r.uid);
  }

  async countGoldens(entity: string): Promise<Counts> {
    const [row] = await this.#rows<Counts>(this.#s.countGoldens, [entity]);
    return row ?? { live: 0, deleted: 0, dirty: 0 };
  }

  async getLinksByKeys(entity: string, system: string, keys: readonly string[]): Promise<Link[]> {
    if (keys.length === 0) return [];
    return (await this.#rows<LinkRow>(this.#s.linksByKeys, [entity, system, keys])).map(linkFromRow);
  }

  async getLinksByUids(entity: string, uids: readonly string[]): Promise<Link[]> {
    if (uids.length === 0) return [];
    return (await this.#rows<LinkRow>(this.#s.linksByUids, [entity, uids])).map(linkFromRow);
  }

  async listLinkKeys(entity: string, system: string, afterKey: string | null, limit: number): Promise<string[]> {
    const rows =
      afterKey === null
        ? await this.#rows<{ key: string }>(this.#s.linkKeysFirst, [entity, system, limit])
        : await this.#rows<{ key: string }>(this.#s.linkKeysAfter, [entity, system, afterKey, limit]);
    return rows.map((r) => r.key);
  }

  linkStats(): Promise<LinkStats[]> {
    return this.#rows<LinkStats>(this.#s.linkStats, []);
  }

  async findByMatchKeys(entity: string, keys: readonly string[]): Promise<{ key: string; uid: string }[]> {
    if (keys.length === 0) return [];
    return this.#rows<{ key: string; uid: string }>(this.#s.findByMatchKeys, [entity, keys]);
  }

  async getCursor(system: string): Promise<string | null> {
    const [row] = await this.#rows<{ cursor: string }>(this.#s.getCursor, [system]);
    return row?.cursor ?? null;
  }

  async getMeta(key: string): Promise<string | null> {
    const [row] = await this.#rows<{ value: string }>(this.#s.getMeta, [key]);
    return row?.value ?? null;
  }

  async tryLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const rows = await this.#rows<object>(this.#s.tryLease, [name, owner, Math.round(ttlMs)]);
    return rows.length === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.#rows(this.#s.releaseLease, [name, owner]);
  }

  async leaseHolder(name: string): Promise<string | undefined> {
    const [row] = await this.#rows<{ owner: string }>(this.#s.leaseHolder, [name]);
    return row?.owner;
  }

  startRun(run: RunRecord): Promise<void> {
    return this.#upsertRun(run);
  }

  finishRun(run: RunRecord): Promise<void> {
    return this.#upsertRun(run);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.#rows<RunRow>(this.#s.getRun, [id]);
    return row === undefined ? undefined : runFromRow(row);
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    return (await this.#rows<RunRow>(this.#s.listRuns, [limit])).map(runFromRow);
  }

  async queryJournal(query: JournalQuery): Promise<JournalEntry[]> {
    return (await this.#query<JournalRow>(journalQuery(this.#location.schema, query))).map(journalFromRow);
  }

  async getConflict(id: string): Promise<Conflict | undefined> {
    const [row] = await this.#rows<ConflictRow>(this.#s.getConflict, [id]);
    return row === undefined ? undefined : conflictFromRow(row);
  }

  async listConflicts(filter: { status?: Conflict["status"]; uid?: string; entity?: string }): Promise<Conflict[]> {
    return (await this.#query<ConflictRow>(conflictsQuery(this.#location.schema, filter))).map(conflictFromRow);
  }

  async getDuplicate(id: string): Promise<DuplicateCandidate | undefined> {
    const [row] = await this.#rows<DuplicateRow>(this.#s.getDuplicate, [id]);
    return row === undefined ? undefined : duplicateFromRow(row);
  }

  async listDuplicates(filter: {
    status?: DuplicateCandidate["status"];
    entity?: string;
  }): Promise<DuplicateCandidate[]> {
    return (await this.#query<DuplicateRow>(duplicatesQuery(this.#location.schema, filter))).map(duplicateFromRow);
  }

  async listErrors(filter: { runId?: string; system?: string; limit?: number }): Promise<RecordError[]> {
    return (await this.#query<RecordErrorRow>(errorsQuery(this.#location.schema, filter))).map(recordErrorFromRow);
  }

  async getWriteFailures(entity: string, system: string, uids: readonly string[]): Promise<WriteFailure[]> {
    if (uids.length === 0) return [];
    const rows = await this.#rows<WriteFailureRow>(this.#s.writeFailuresByUids, [entity, uids, system]);
    return rows.map(writeFailureFromRow);
  }

  async listWriteFailures(filter: { dead?: boolean; system?: string }): Promise<WriteFailure[]> {
    const rows = await this.#query<WriteFailureRow>(writeFailuresQuery(this.#location.schema, filter));
    return rows.map(writeFailureFromRow);
  }

  async listParked(): Promise<ParkedChange[]> {
    return (await this.#rows<ParkedRow>(this.#s.listParked, [])).map(parkedFromRow);
  }

  /** Runs `work` once the schema is known to be current, with every failure as a ConcordError("hub"). */
  async #use<T>(work: () => Promise<T>): Promise<T> {
    try {
      this.#ready ??= this.#checkVersion();
      await this.#ready;
      return await work();
    } catch (err) {
      throw toHubError(err, this.#location);
    }
  }

  async #checkVersion(): Promise<void> {
    try {
      const version = await withClient(this.#pool, (client) => postgresHubVersion(client, this.#location.schema));
      assertKnownPostgresHubVersion(version);
      if (version < latestPostgresHubVersion) {
        throw new ConcordError(
          "hub",
          `hub schema is at version ${version}, this Concord needs ${latestPostgresHubVersion}: migrate it first`,
        );
      }
    } catch (err) {
      // Not remembered: the next call asks again (the server may be back, or someone migrated).
      this.#ready = undefined;
      throw err;
    }
  }

  /** One statistics check at a time. A failed check is no reason to fail the commit: that reports its own problems. */
  #analyze(): Promise<void> {
    this.#analyzing ??= withClient(this.#pool, (client) => this.#analyzer.ensureStatistics(client))
      .catch(() => undefined)
      .finally(() => {
        this.#analyzing = undefined;
      });
    return this.#analyzing;
  }

  #rows<Row extends object>(statement: PostgresHubStatement, values: unknown[]): Promise<Row[]> {
    return this.#use(async () => (await this.#pool.query<Row>({ ...statement, values })).rows);
  }

  #query<Row extends object>(query: PostgresQuery): Promise<Row[]> {
    return this.#use(async () => (await this.#pool.query<Row>(query.text, [...query.values])).rows);
  }

  #upsertRun(run: RunRecord): Promise<void> {
    const summary = run.summary === undefined ? null : JSON.stringify(run.summary);
    const values = [run.id, run.command, run.startedAt, run.finishedAt ?? null, run.status, summary];
    return this.#use(async () => {
      await this.#pool.query({ ...this.#s.upsertRun, values });
    });
  }
}

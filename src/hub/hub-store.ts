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
} from "../core/types.js";

/**
 * Everything the engine changes in the hub for one unit of work, applied in one transaction
 * (together with the cursor that produced it, so a crash never half-applies a batch).
 */
export interface HubBatch {
  /** Golden records to insert or replace whole (by entity + uid). */
  readonly goldens?: readonly GoldenRecord[];
  /** Links to insert or replace (by entity + uid + system; the key may change on re-attach). */
  readonly links?: readonly Link[];
  /** Links to remove (by entity + uid + system). */
  readonly unlinks?: readonly { readonly entity: string; readonly uid: string; readonly system: string }[];
  /** Replace the match keys of these records (normalized `alt#value` strings). */
  readonly matchKeys?: readonly { readonly entity: string; readonly uid: string; readonly keys: readonly string[] }[];
  readonly journal?: readonly JournalEntry[];
  /** Inserted, or replaced by id. */
  readonly conflicts?: readonly Conflict[];
  /** Inserted, or replaced by id. */
  readonly duplicates?: readonly DuplicateCandidate[];
  readonly errors?: readonly RecordError[];
  readonly cursors?: readonly { readonly system: string; readonly cursor: string }[];
  readonly park?: readonly ParkedChange[];
  readonly unpark?: readonly string[];
  /** Inserted, or replaced by (entity, uid, system). */
  readonly writeFailures?: readonly WriteFailure[];
  readonly clearWriteFailures?: readonly { readonly entity: string; readonly uid: string; readonly system: string }[];
  /** Mark these records clean (nothing left to write). */
  readonly clean?: readonly { readonly entity: string; readonly uid: string }[];
  readonly meta?: readonly { readonly key: string; readonly value: string }[];
}

/** Filters for reading the journal. */
export interface JournalQuery {
  readonly uid?: string;
  readonly runId?: string;
  readonly system?: string;
  readonly entity?: string;
  /** ISO-8601; entries at or after it. */
  readonly since?: string;
  /** Entries with seq greater than this (paging). */
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** Per (entity, system): what `concord status` shows. */
export interface LinkStats {
  readonly entity: string;
  readonly system: string;
  readonly active: number;
  readonly detached: number;
}

/**
 * The hub: golden records, links with shadows, journal, cursors, conflicts, duplicates, runs,
 * failures. Implementations (SQLite, PostgreSQL) pass `test/contract/hub-store.case.ts`.
 * Reads are batched (many keys per call); all changes of one unit of work go through `commit`.
 */
export interface HubStore {
  readonly kind: string;
  /** Creates or upgrades the schema (versioned migrations). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Applies the whole batch atomically. */
  commit(batch: HubBatch): Promise<void>;

  getGoldens(entity: string, uids: readonly string[]): Promise<GoldenRecord[]>;
  /** Uids of records with `dirty` set, in uid order after `afterUid`, at most `limit`. */
  listDirty(entity: string, afterUid: string | null, limit: number): Promise<string[]>;
  /** Uids of an entity's records in uid order after `afterUid` (tombstones included). */
  listUids(entity: string, afterUid: string | null, limit: number): Promise<string[]>;
  countGoldens(entity: string): Promise<{ live: number; deleted: number; dirty: number }>;

  getLinksByKeys(entity: string, system: string, keys: readonly string[]): Promise<Link[]>;
  getLinksByUids(entity: string, uids: readonly string[]): Promise<Link[]>;
  /** Keys of a system's active links, in key order after `afterKey` (for snapshot delete detection). */
  listLinkKeys(entity: string, system: string, afterKey: string | null, limit: number): Promise<string[]>;
  linkStats(): Promise<LinkStats[]>;

  /** Records holding any of these match keys. */
  findByMatchKeys(entity: string, keys: readonly string[]): Promise<{ key: string; uid: string }[]>;

  getCursor(system: string): Promise<string | null>;
  getMeta(key: string): Promise<string | null>;

  startRun(run: RunRecord): Promise<void>;
  /** Stores the finished run whole; records it even if it was never started (a quiet daemon pass is not). */
  finishRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunRecord[]>;

  /** Oldest first. */
  queryJournal(query: JournalQuery): Promise<JournalEntry[]>;

  getConflict(id: string): Promise<Conflict | undefined>;
  listConflicts(filter: { status?: Conflict["status"]; uid?: string; entity?: string }): Promise<Conflict[]>;
  getDuplicate(id: string): Promise<DuplicateCandidate | undefined>;
  listDuplicates(filter: { status?: DuplicateCandidate["status"]; entity?: string }): Promise<DuplicateCandidate[]>;

  listErrors(filter: { runId?: string; system?: string; limit?: number }): Promise<RecordError[]>;
  getWriteFailures(entity: string, system: string, uids: readonly string[]): Promise<WriteFailure[]>;
  listWriteFailures(filter: { dead?: boolean; system?: string }): Promise<WriteFailure[]>;

  listParked(): Promise<ParkedChange[]>;

  /**
   * Takes the named lease for `owner` until `ttlMs` from now, if it is free, expired, or held by
   * `owner` already (then it is renewed). Resolves whether `owner` holds it. Runs take the lease
   * "run", so that one run at a time works on a hub, whichever process it is in.
   */
  tryLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
  /** Who holds the lease now (undefined when it is free or expired). */
  leaseHolder(name: string): Promise<string | undefined>;
}

/**
 * Domain types shared by every stage. Plain data only: stages talk through these, so the same
 * core runs in one process or spread over workers.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A field's canonical value, the hub's form of it:
 * string/enum → string; number → number; decimal → normalized decimal string ("12.5");
 * boolean → boolean; date → "YYYY-MM-DD"; datetime → ISO-8601 UTC with milliseconds;
 * json → any JSON; ref → the referenced record's uid. Missing is `null`.
 */
export type Value = Json;

/** Canonical fields of one record, by canonical field name. */
export type Fields = Record<string, Value>;

/** A row as a connector reads or writes it: native column (or path) names, driver values. */
export type NativeRow = Record<string, unknown>;

/** What a connector reports: one record changed in one resource (table) of one system. */
export interface SourceChange {
  readonly resource: string;
  readonly op: "upsert" | "delete";
  /** The record's key, always as a string. */
  readonly key: string;
  /** For upserts: the record's current native row. */
  readonly row?: NativeRow;
  /** ISO-8601 time at which the source made the change, when the source knows it. */
  readonly sourceTime?: string;
}

/** Who set a golden field's value, and when (the source time): drives the `newest` rule. */
export interface FieldMeta {
  readonly system: string;
  readonly at: string;
}

/** The hub's merged record of one real-world thing. */
export interface GoldenRecord {
  readonly entity: string;
  readonly uid: string;
  readonly fields: Fields;
  readonly meta: Readonly<Record<string, FieldMeta>>;
  /** Tombstone: deleted by policy (or merged into another record, see `mergedInto`). */
  readonly deleted: boolean;
  readonly mergedInto?: string;
  /** True while some system may still need a write for this record. */
  readonly dirty: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** (system, entity, external key) ↔ uid, with what that system last held (its shadow). */
export interface Link {
  readonly entity: string;
  readonly uid: string;
  readonly system: string;
  readonly key: string;
  /** Detached links stay so that the record is not created in that system again. */
  readonly state: "active" | "detached";
  /** Per field: the canonical value the system last held, as read or as written by us. */
  readonly shadow: Fields;
}

/** The kind of a journal entry. */
export type JournalKind =
  | "golden" // a golden field changed (before → after); `system` is the source of the change
  | "create" // a golden record was created from `system`
  | "delete" // a golden record was tombstoned because of `system`
  | "restore" // a tombstoned record came back (rollback)
  | "rejected" // `system` changed a field it may not write; the change was refused
  | "write" // a field value was written to `system` (before = its shadow)
  | "created" // a record was created in `system` (key in `key`)
  | "deleted" // a record was deleted in `system`
  | "link" // `system`'s record was linked to the golden record
  | "detach" // `system`'s record was detached
  | "merge"; // the golden record was merged into `after` (a uid)

/** One append-only audit line. Sensitive values appear as `{ "sha256": "…" }` only. */
export interface JournalEntry {
  readonly seq?: number;
  readonly runId: string;
  readonly at: string;
  readonly entity: string;
  readonly uid: string;
  readonly kind: JournalKind;
  readonly system: string;
  readonly key?: string;
  readonly field?: string;
  readonly before?: Value;
  readonly after?: Value;
  /** Why: "change", "conflict:newest", "conflict:priority", "manual", "owner", "rollback:<run>", … */
  readonly cause: string;
}

/** A field changed in a system and elsewhere since that system last synced. */
export interface Conflict {
  readonly id: string;
  readonly runId: string;
  readonly entity: string;
  readonly uid: string;
  readonly field: string;
  /** The system whose change conflicted, and its value. */
  readonly system: string;
  readonly value: Value;
  /** The golden value at the time, and the system that had set it. */
  readonly goldenValue: Value;
  readonly goldenSystem: string;
  readonly rule: "newest" | "priority" | "manual";
  /** The system whose value won; null while a manual conflict is open. */
  readonly winner: string | null;
  readonly status: "open" | "resolved";
  readonly createdAt: string;
  readonly resolvedAt?: string;
}

/** Two golden records that may be the same real-world thing, for a person to review or merge. */
export interface DuplicateCandidate {
  readonly id: string;
  readonly entity: string;
  readonly uid: string;
  readonly otherUid: string;
  readonly reason: string;
  readonly status: "open" | "merged" | "dismissed";
  readonly createdAt: string;
}

/** A record that failed at some stage, stored as data (never only logged). */
export interface RecordError {
  readonly runId: string;
  readonly at: string;
  readonly system: string;
  readonly entity: string;
  readonly key?: string;
  readonly uid?: string;
  readonly stage: "capture" | "map-in" | "validate" | "identify" | "reference" | "filter" | "write" | "map-out";
  readonly message: string;
}

/**
 * A write that failed and is waiting to be tried again (the outbox's failure ledger). While a
 * record has one for a system, it stays dirty; after `maxAttempts` it is dead-lettered.
 */
export interface WriteFailure {
  readonly entity: string;
  readonly uid: string;
  readonly system: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly nextAt: string;
  readonly dead: boolean;
  readonly updatedAt: string;
}

/** A change that waits for a record it references to arrive in the hub. */
export interface ParkedChange {
  readonly id: string;
  readonly system: string;
  readonly entity: string;
  readonly change: SourceChange;
  readonly waitingFor: { readonly entity: string; readonly key: string };
  readonly at: string;
}

/** Counts of writes to one system in one run. */
export interface WriteCounts {
  created: number;
  updated: number;
  deleted: number;
}

/** What a run did, as `concord sync --json` prints it. */
export interface RunSummary {
  runId: string;
  read: number;
  applied: number;
  written: Record<string, WriteCounts>;
  conflicts: number;
  errors: number;
  halted: boolean;
  haltReasons: string[];
  durationMs: number;
}

/** One pass of capture → apply → propagate. */
export interface RunRecord {
  readonly id: string;
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: "running" | "ok" | "partial" | "halted" | "failed";
  readonly summary?: RunSummary;
}

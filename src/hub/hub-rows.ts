import type {
  Conflict,
  DuplicateCandidate,
  FieldMeta,
  Fields,
  GoldenRecord,
  JournalEntry,
  Link,
  ParkedChange,
  RecordError,
  RunRecord,
  RunSummary,
  SourceChange,
  Value,
  WriteFailure,
} from "../core/types.js";

/**
 * Rows as the SQL hub stores return them, and their conversion to domain types. SQLite returns
 * flags as 1/0 and the journal's seq as a number; pg returns booleans and bigint as a string:
 * the row types admit both, the conversions normalize.
 */

/** A `golden` row. */
export interface GoldenRow {
  entity: string;
  uid: string;
  fields: string;
  meta: string;
  deleted: number | boolean;
  merged_into: string | null;
  dirty: number | boolean;
  created_at: string;
  updated_at: string;
}

/** A `links` row. */
export interface LinkRow {
  entity: string;
  uid: string;
  system: string;
  key: string;
  state: string;
  shadow: string;
}

/** A `journal` row. */
export interface JournalRow {
  seq: number | string;
  run_id: string;
  at: string;
  entity: string;
  uid: string;
  kind: string;
  system: string;
  key: string | null;
  field: string | null;
  before: string | null;
  after: string | null;
  cause: string;
}

/** A `conflicts` row. */
export interface ConflictRow {
  id: string;
  run_id: string;
  entity: string;
  uid: string;
  field: string;
  system: string;
  value: string;
  golden_value: string;
  golden_system: string;
  rule: string;
  winner: string | null;
  status: string;
  created_at: string;
  resolved_at: string | null;
}

/** A `duplicates` row. */
export interface DuplicateRow {
  id: string;
  entity: string;
  uid: string;
  other_uid: string;
  reason: string;
  status: string;
  created_at: string;
}

/** A `record_errors` row. */
export interface RecordErrorRow {
  run_id: string;
  at: string;
  system: string;
  entity: string;
  key: string | null;
  uid: string | null;
  stage: string;
  message: string;
}

/** A `parked` row. */
export interface ParkedRow {
  id: string;
  system: string;
  entity: string;
  change: string;
  waiting_entity: string;
  waiting_key: string;
  at: string;
}

/** A `write_failures` row. */
export interface WriteFailureRow {
  entity: string;
  uid: string;
  system: string;
  attempts: number;
  last_error: string;
  next_at: string;
  dead: number | boolean;
  updated_at: string;
}

/** A `runs` row. */
export interface RunRow {
  id: string;
  command: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  summary: string | null;
}

/** Reads a JSON column written by this store; the column's type is known from what was written. */
function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** JSON text for an optional value: SQL NULL stands for "absent", the text `null` for a null value. */
export function optionalJson(value: Value | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** A golden row to its record. */
export function goldenFromRow(row: GoldenRow): GoldenRecord {
  return {
    entity: row.entity,
    uid: row.uid,
    fields: parse<Fields>(row.fields),
    meta: parse<Record<string, FieldMeta>>(row.meta),
    deleted: Boolean(row.deleted),
    ...(row.merged_into === null ? {} : { mergedInto: row.merged_into }),
    dirty: Boolean(row.dirty),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A link row to its link. */
export function linkFromRow(row: LinkRow): Link {
  return {
    entity: row.entity,
    uid: row.uid,
    system: row.system,
    key: row.key,
    state: row.state as Link["state"],
    shadow: parse<Fields>(row.shadow),
  };
}

/** A journal row to its entry (with `seq`). */
export function journalFromRow(row: JournalRow): JournalEntry {
  return {
    seq: Number(row.seq),
    runId: row.run_id,
    at: row.at,
    entity: row.entity,
    uid: row.uid,
    kind: row.kind as JournalEntry["kind"],
    system: row.system,
    ...(row.key === null ? {} : { key: row.key }),
    ...(row.field === null ? {} : { field: row.field }),
    ...(row.before === null ? {} : { before: parse<Value>(row.before) }),
    ...(row.after === null ? {} : { after: parse<Value>(row.after) }),
    cause: row.cause,
  };
}

/** A conflict row to its conflict. */
export function conflictFromRow(row: ConflictRow): Conflict {
  return {
    id: row.id,
    runId: row.run_id,
    entity: row.entity,
    uid: row.uid,
    field: row.field,
    system: row.system,
    value: parse<Value>(row.value),
    goldenValue: parse<Value>(row.golden_value),
    goldenSystem: row.golden_system,
    rule: row.rule as Conflict["rule"],
    winner: row.winner,
    status: row.status as Conflict["status"],
    createdAt: row.created_at,
    ...(row.resolved_at === null ? {} : { resolvedAt: row.resolved_at }),
  };
}

/** A duplicates row to its candidate. */
export function duplicateFromRow(row: DuplicateRow): DuplicateCandidate {
  return {
    id: row.id,
    entity: row.entity,
    uid: row.uid,
    otherUid: row.other_uid,
    reason: row.reason,
    status: row.status as DuplicateCandidate["status"],
    createdAt: row.created_at,
  };
}

/** A record_errors row to its error. */
export function recordErrorFromRow(row: RecordErrorRow): RecordError {
  return {
    runId: row.run_id,
    at: row.at,
    system: row.system,
    entity: row.entity,
    ...(row.key === null ? {} : { key: row.key }),
    ...(row.uid === null ? {} : { uid: row.uid }),
    stage: row.stage as RecordError["stage"],
    message: row.message,
  };
}

/** A parked row to its change. */
export function parkedFromRow(row: ParkedRow): ParkedChange {
  return {
    id: row.id,
    system: row.system,
    entity: row.entity,
    change: parse<SourceChange>(row.change),
    waitingFor: { entity: row.waiting_entity, key: row.waiting_key },
    at: row.at,
  };
}

/** A write_failures row to its failure. */
export function writeFailureFromRow(row: WriteFailureRow): WriteFailure {
  return {
    entity: row.entity,
    uid: row.uid,
    system: row.system,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAt: row.next_at,
    dead: Boolean(row.dead),
    updatedAt: row.updated_at,
  };
}

/** A runs row to its run. */
export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    command: row.command,
    startedAt: row.started_at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    status: row.status as RunRecord["status"],
    ...(row.summary === null ? {} : { summary: parse<RunSummary>(row.summary) }),
  };
}

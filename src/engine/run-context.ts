import type { EntityDef } from "../config/model.js";
import { redact } from "../core/redact.js";
import type { Fields, RecordError, RunSummary, Value, WriteCounts } from "../core/types.js";
import type { SyncEvent } from "./events.js";
import type { Runtime } from "./runtime.js";

/** Counters of one run, printed by `sync --json`. */
export interface RunStats {
  read: number;
  applied: number;
  conflicts: number;
  errors: number;
  written: Record<string, WriteCounts>;
  haltReasons: string[];
}

/** What the stages of one run share. */
export interface RunContext {
  readonly rt: Runtime;
  readonly runId: string;
  readonly stats: RunStats;
  /** Parked change ids by `system/entity/key`, so a newer change replaces an older parked one. */
  readonly parked: Map<string, string>;
}

/** A fresh context for a run. */
export function newRunContext(rt: Runtime, runId: string): RunContext {
  return {
    rt,
    runId,
    // Every system appears in `written`, zeros included, so scripts need not guess.
    stats: {
      read: 0,
      applied: 0,
      conflicts: 0,
      errors: 0,
      written: Object.fromEntries(
        Object.keys(rt.config.systems).map((s) => [s, { created: 0, updated: 0, deleted: 0 }]),
      ),
      haltReasons: [],
    },
    parked: new Map(),
  };
}

/** The `sync --json` document of a finished run. */
export function summarize(ctx: RunContext, startedAt: number): RunSummary {
  const { stats } = ctx;
  return {
    runId: ctx.runId,
    read: stats.read,
    applied: stats.applied,
    written: stats.written,
    conflicts: stats.conflicts,
    errors: stats.errors,
    halted: stats.haltReasons.length > 0,
    haltReasons: stats.haltReasons,
    durationMs: Date.now() - startedAt,
  };
}

/**
 * Reports a per-record event to an observer that wants them (the demo's narration); the event is
 * not even built otherwise, which matters on a million-record load.
 */
export function tell(ctx: RunContext, event: () => SyncEvent): void {
  if (ctx.rt.observer.detail) ctx.rt.observer.emit(event());
}

/** Counts and reports a record's failure; the caller stores it in its unit of work. */
export function recordError(ctx: RunContext, error: Omit<RecordError, "runId" | "at">): RecordError {
  const full: RecordError = { ...error, runId: ctx.runId, at: ctx.rt.now() };
  ctx.stats.errors += 1;
  ctx.rt.observer.emit({ type: "error", error: full });
  return full;
}

/** A field's value as the journal, logs and events may show it: sensitive values hashed. */
export function shown(ctx: RunContext, entity: EntityDef, field: string, value: Value): Value {
  return entity.fields[field]?.sensitive === true && value !== null ? redact(value, ctx.rt.secret) : value;
}

/** Every field of a record as it may be shown. */
export function shownFields(ctx: RunContext, entity: EntityDef, fields: Fields): Fields {
  const out: Fields = {};
  for (const [field, value] of Object.entries(fields)) out[field] = shown(ctx, entity, field, value);
  return out;
}

/** A short human label of a record for messages: its first non-sensitive match field values. */
export function labelOf(entity: EntityDef, fields: Fields, uid: string): string {
  const names = [...new Set(entity.match.flat())].filter((f) => entity.fields[f]?.sensitive !== true);
  const parts = names.map((f) => fields[f]).filter((v) => v !== null && v !== undefined && v !== "");
  return `${entity.name} ${parts.length > 0 ? parts.map(String).join(" ") : uid.slice(0, 8)}`;
}

/**
 * When a change's source time is unknown (a snapshot row): older than any known time, so under
 * `newest` a real edit beats a value merely read, and two values merely read go by priority.
 */
export const UNKNOWN_TIME = "1970-01-01T00:00:00.000Z";

/** Normalizes a source time to ISO-8601 UTC with milliseconds, so times compare as strings. */
export function normalizeTime(value: string | undefined): string {
  if (value === undefined) return UNKNOWN_TIME;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? UNKNOWN_TIME : new Date(ms).toISOString();
}

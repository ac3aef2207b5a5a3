import type { Conflict, RecordError, Value } from "../core/types.js";

/** What a run reports as it goes: the CLI turns these into progress bars, the demo into words. */
export type SyncEvent =
  | {
      readonly type: "progress";
      readonly stage: "read" | "write";
      readonly system: string;
      readonly entity: string;
      readonly done: number;
      readonly total?: number;
    }
  | {
      readonly type: "created";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly label: string;
    }
  | {
      readonly type: "linked";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly label: string;
    }
  | {
      readonly type: "changed";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly field: string;
      readonly before: Value;
      readonly after: Value;
      readonly label: string;
    }
  | { readonly type: "conflict"; readonly conflict: Conflict; readonly label: string }
  | {
      readonly type: "rejected";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly field: string;
      readonly reason: string;
      readonly label: string;
    }
  | {
      readonly type: "deleted";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly label: string;
    }
  | {
      readonly type: "detached";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly reason: string;
      readonly label: string;
    }
  | {
      readonly type: "duplicate";
      readonly entity: string;
      readonly uid: string;
      readonly otherUid: string;
      readonly reason: string;
      readonly label: string;
    }
  | {
      readonly type: "written";
      readonly entity: string;
      readonly uid: string;
      readonly system: string;
      readonly op: "create" | "update" | "delete";
      readonly key: string;
      readonly fields: readonly string[];
      readonly label: string;
    }
  | { readonly type: "error"; readonly error: RecordError }
  | { readonly type: "halted"; readonly system: string; readonly reasons: readonly string[] }
  | { readonly type: "waiting"; readonly reason: string };

/** Receives a run's events. `detail: false` skips per-record events (large loads). */
export interface RunObserver {
  readonly detail: boolean;
  /** Whether progress is shown (a terminal): only then are totals worth counting. */
  readonly progress?: boolean;
  emit(event: SyncEvent): void;
}

/** An observer that hears nothing. */
export const silentObserver: RunObserver = { detail: false, emit: () => undefined };

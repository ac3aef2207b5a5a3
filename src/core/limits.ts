import type { Limits } from "../config/model.js";

/** What a run plans to do to one system, counted before anything is written. */
export interface PlanCounts {
  readonly system: string;
  readonly creates: number;
  readonly updates: number;
  readonly deletes: number;
  /** Active links the system had before the run. */
  readonly linked: number;
  /** Planned updates and deletes by the system whose change caused them. */
  readonly byActor: Readonly<Record<string, number>>;
}

/**
 * Checks one system's plan against the safety limits. Returns why the system must not be
 * written (empty: go ahead). Creates count toward no limit: a first load creates everything.
 */
export function checkLimits(limits: Limits, counts: PlanCounts): string[] {
  const reasons: string[] = [];
  const { system } = counts;
  if (limits.maxDeletesPerRun !== undefined && counts.deletes > limits.maxDeletesPerRun) {
    reasons.push(`${system}: ${counts.deletes} deletes planned, limit maxDeletesPerRun is ${limits.maxDeletesPerRun}`);
  }
  const minRecords = limits.minRecordsForShare ?? 10;
  if (limits.maxChangedShare !== undefined && counts.linked >= minRecords) {
    const share = (counts.updates + counts.deletes) / counts.linked;
    if (share > limits.maxChangedShare) {
      reasons.push(
        `${system}: ${counts.updates + counts.deletes} of ${counts.linked} records would change ` +
          `(${(share * 100).toFixed(1)}%), limit maxChangedShare is ${limits.maxChangedShare * 100}%`,
      );
    }
  }
  if (limits.maxChangesPerActor !== undefined) {
    for (const [actor, n] of Object.entries(counts.byActor)) {
      if (n > limits.maxChangesPerActor) {
        reasons.push(
          `${system}: ${n} changes caused by ${actor}, limit maxChangesPerActor is ${limits.maxChangesPerActor}`,
        );
      }
    }
  }
  return reasons;
}

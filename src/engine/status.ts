import type { RecordError, RunRecord } from "../core/types.js";
import type { Runtime } from "./runtime.js";

/** One binding's numbers. */
export interface BindingStatus {
  readonly entity: string;
  readonly system: string;
  readonly records: number;
  /** Linked records with nothing left to write anywhere. */
  readonly inSync: number;
  readonly detached: number;
  readonly pendingWrites: number;
  readonly deadLetters: number;
}

/** What `concord status` shows. */
export interface Status {
  readonly bindings: BindingStatus[];
  readonly entities: { entity: string; live: number; deleted: number; dirty: number }[];
  readonly lastRun: RunRecord | undefined;
  /** Seconds since the last finished run. */
  readonly lagSeconds: number | undefined;
  readonly openConflicts: number;
  readonly openDuplicates: number;
  readonly parked: number;
  readonly recentErrors: RecordError[];
}

/** Collects the hub's view of every binding. */
export async function collectStatus(rt: Runtime): Promise<Status> {
  const { hub } = rt;
  const stats = await hub.linkStats();
  const failures = await hub.listWriteFailures({});
  const entities = [];
  for (const entity of rt.config.entityOrder) entities.push({ entity, ...(await hub.countGoldens(entity)) });
  const bindings: BindingStatus[] = [];
  for (const entity of rt.config.entityOrder) {
    const dirty = entities.find((e) => e.entity === entity)?.dirty ?? 0;
    for (const system of Object.keys(rt.entity(entity).bindings)) {
      const s = stats.find((x) => x.entity === entity && x.system === system);
      const mine = failures.filter((f) => f.entity === entity && f.system === system);
      const records = s?.active ?? 0;
      bindings.push({
        entity,
        system,
        records,
        inSync: Math.max(0, records - Math.min(records, dirty)),
        detached: s?.detached ?? 0,
        pendingWrites: mine.filter((f) => !f.dead).length,
        deadLetters: mine.filter((f) => f.dead).length,
      });
    }
  }
  const [lastRun] = await hub.listRuns(1);
  const finished = lastRun?.finishedAt === undefined ? undefined : Date.parse(lastRun.finishedAt);
  return {
    bindings,
    entities,
    lastRun,
    lagSeconds: finished === undefined ? undefined : Math.round((Date.now() - finished) / 1000),
    openConflicts: (await hub.listConflicts({ status: "open" })).length,
    openDuplicates: (await hub.listDuplicates({ status: "open" })).length,
    parked: (await hub.listParked()).length,
    recentErrors: await hub.listErrors({ limit: 10 }),
  };
}

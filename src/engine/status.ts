import type { RecordError, RunRecord } from "../core/types.js";
import { loadPage, planPageForTarget } from "./plan-page.js";
import { newRunContext } from "./run-context.js";
import type { Runtime } from "./runtime.js";

/** One binding's numbers. */
export interface BindingStatus {
  readonly entity: string;
  readonly system: string;
  readonly records: number;
  /** Linked records that hold the golden values (nothing planned for them in this system). */
  readonly inSync: number;
  /** Set when so much is pending that `inSync` was estimated (at least this many). */
  readonly inSyncIsLowerBound?: true;
  readonly detached: number;
  readonly pendingWrites: number;
  readonly deadLetters: number;
}

/** What `concord status` shows. */
export interface Status {
  readonly bindings: BindingStatus[];
  readonly entities: { entity: string; live: number; deleted: number; dirty: number }[];
  readonly lastRun: RunRecord | undefined;
  /** When the daemon last looked and found nothing to do (such passes leave no run record). */
  readonly lastPass?: string;
  /** Seconds since the last finished run or quiet daemon pass. */
  readonly lagSeconds: number | undefined;
  readonly openConflicts: number;
  readonly openDuplicates: number;
  readonly parked: number;
  readonly recentErrors: RecordError[];
}

/** Dirty records counted exactly up to this many; beyond, "in sync" is a lower bound. */
const EXACT_UP_TO = 10_000;

/**
 * Per system, how many of its linked records the planner would still write to: exactly what
 * "not in sync" means. Undefined when too much is pending to plan quickly (a big load).
 */
async function pendingPerSystem(rt: Runtime, entity: string): Promise<Map<string, number> | undefined> {
  const ctx = newRunContext(rt, "status");
  const def = rt.entity(entity);
  const openConflicts = await rt.hub.listConflicts({ status: "open", entity });
  const counts = new Map<string, number>();
  let after: string | null = null;
  let seen = 0;
  for (;;) {
    const uids = await rt.hub.listDirty(entity, after, 1000);
    if (uids.length === 0) return counts;
    seen += uids.length;
    if (seen > EXACT_UP_TO) return undefined;
    const page = await loadPage(ctx, def, uids, openConflicts);
    for (const binding of Object.values(def.bindings)) {
      const plan = await planPageForTarget(ctx, page, binding, new Map());
      const behind = plan.ops.filter((op) => op.link?.state === "active").length;
      if (behind > 0) counts.set(binding.system, (counts.get(binding.system) ?? 0) + behind);
    }
    after = uids[uids.length - 1] ?? null;
  }
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
    const pending = await pendingPerSystem(rt, entity);
    for (const system of Object.keys(rt.entity(entity).bindings)) {
      const s = stats.find((x) => x.entity === entity && x.system === system);
      const mine = failures.filter((f) => f.entity === entity && f.system === system);
      const records = s?.active ?? 0;
      const waiting =
        pending === undefined ? (entities.find((e) => e.entity === entity)?.dirty ?? 0) : (pending.get(system) ?? 0);
      bindings.push({
        entity,
        system,
        records,
        inSync: Math.max(0, records - Math.min(records, waiting)),
        ...(pending === undefined ? { inSyncIsLowerBound: true } : {}),
        detached: s?.detached ?? 0,
        pendingWrites: mine.filter((f) => !f.dead).length,
        deadLetters: mine.filter((f) => f.dead).length,
      });
    }
  }
  const [lastRun] = await hub.listRuns(1);
  // The daemon records only passes that did something; quiet ones leave their time here.
  const lastPass = (await hub.getMeta("last-pass")) ?? undefined;
  const times = [lastRun?.finishedAt, lastPass].filter((t) => t !== undefined).map((t) => Date.parse(t));
  const finished = times.length === 0 ? undefined : Math.max(...times);
  return {
    bindings,
    entities,
    lastRun,
    ...(lastPass === undefined ? {} : { lastPass }),
    lagSeconds: finished === undefined ? undefined : Math.round((Date.now() - finished) / 1000),
    openConflicts: (await hub.listConflicts({ status: "open" })).length,
    openDuplicates: (await hub.listDuplicates({ status: "open" })).length,
    parked: (await hub.listParked()).length,
    recentErrors: await hub.listErrors({ limit: 10 }),
  };
}

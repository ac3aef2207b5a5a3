import type { Binding, EntityDef } from "../config/model.js";
import { evaluateFilter } from "../core/expression.js";
import { planTarget, type PlannedOp } from "../core/plan.js";
import type { Conflict, GoldenRecord, Link, WriteFailure } from "../core/types.js";
import type { RunContext } from "./run-context.js";

/** One record's planned operation in one target. */
export interface TargetOp {
  readonly golden: GoldenRecord;
  readonly link: Link | undefined;
  readonly op: Exclude<PlannedOp, { kind: "none" }>;
}

/** A page of records and everything needed to plan them. */
export interface LoadedPage {
  readonly entity: EntityDef;
  readonly goldens: readonly GoldenRecord[];
  /** Links by uid, then by system. */
  readonly links: ReadonlyMap<string, ReadonlyMap<string, Link>>;
  /** Open manual conflicts' fields by `uid/system`. */
  readonly held: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Loads a page of golden records with their links. */
export async function loadPage(
  ctx: RunContext,
  entity: EntityDef,
  uids: readonly string[],
  openConflicts: readonly Conflict[],
): Promise<LoadedPage> {
  const [goldens, links] = await Promise.all([
    ctx.rt.hub.getGoldens(entity.name, uids),
    ctx.rt.hub.getLinksByUids(entity.name, uids),
  ]);
  const byUid = new Map<string, Map<string, Link>>();
  for (const link of links) {
    const map = byUid.get(link.uid) ?? new Map<string, Link>();
    map.set(link.system, link);
    byUid.set(link.uid, map);
  }
  const held = new Map<string, Set<string>>();
  const wanted = new Set(uids);
  for (const c of openConflicts) {
    if (!wanted.has(c.uid)) continue;
    const slot = `${c.uid}/${c.system}`;
    held.set(slot, (held.get(slot) ?? new Set()).add(c.field));
  }
  return { entity, goldens, links: byUid, held };
}

/** What planning one target for one page gave: ops, and records skipped for a pending failure. */
export interface TargetPlan {
  readonly ops: TargetOp[];
  /** Records not planned now because an earlier write failed and waits for its retry time. */
  readonly waiting: Set<string>;
}

/** Plans one target for a page. Records whose earlier write failed wait for their retry time. */
export async function planPageForTarget(
  ctx: RunContext,
  page: LoadedPage,
  binding: Binding,
  failures: ReadonlyMap<string, WriteFailure>,
): Promise<TargetPlan> {
  const ops: TargetOp[] = [];
  const waiting = new Set<string>();
  const now = ctx.rt.now();
  for (const golden of page.goldens) {
    const failure = failures.get(golden.uid);
    if (failure !== undefined && blocked(failure, golden, now)) {
      waiting.add(golden.uid);
      continue;
    }
    const link = page.links.get(golden.uid)?.get(binding.system);
    const admitted =
      binding.filter === undefined || golden.deleted ? true : await evaluateFilter(binding.filter, golden.fields);
    const op = planTarget({
      entity: page.entity,
      binding,
      golden,
      link,
      admitted,
      heldFields: page.held.get(`${golden.uid}/${binding.system}`) ?? new Set(),
    });
    if (op.kind !== "none") ops.push({ golden, link, op });
  }
  return { ops, waiting };
}

/**
 * A failed write is retried once its backoff has passed. A dead letter is retried when the record
 * changed after it died (someone fixed the data), or when a person asks (`sync --retry-dead`).
 */
function blocked(failure: WriteFailure, golden: GoldenRecord, now: string): boolean {
  if (failure.dead) return golden.updatedAt <= failure.updatedAt;
  return failure.nextAt > now;
}

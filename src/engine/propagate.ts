import type { Binding, EntityDef } from "../config/model.js";
import { checkLimits, type PlanCounts } from "../core/limits.js";
import type { Conflict, WriteFailure } from "../core/types.js";
import { resolveOutboundRefs } from "./outbound-refs.js";
import { loadPage, planPageForTarget, type TargetOp } from "./plan-page.js";
import type { RunContext } from "./run-context.js";
import { fail, type NativeOp, toNative, type WriteMode, writeTarget } from "./target-writer.js";
import { UnitOfWork } from "./unit-of-work.js";

const PAGE = 500;

/** What to propagate. */
export interface PropagateOptions {
  readonly entities?: ReadonlySet<string>;
  readonly systems?: ReadonlySet<string>;
  /** Write even over a safety limit. */
  readonly force: boolean;
  /** Retry dead letters now. */
  readonly retryDead: boolean;
  readonly mode: WriteMode;
}

/**
 * Writes every dirty golden record's deltas to the systems that need them. The whole plan is
 * first checked against the safety limits: a system over a limit gets nothing this run (its
 * records stay dirty). A record is marked clean once every target has what it needs.
 */
export async function propagate(ctx: RunContext, options: PropagateOptions): Promise<void> {
  const halted = options.force ? new Set<string>() : await haltedSystems(ctx, options);
  const scoped = options.systems !== undefined || options.entities !== undefined || halted.size > 0;
  // Creates and updates go referenced entities first (a contact before its orders); deletes go
  // the other way (an order before its contact), so a target's foreign keys never refuse them.
  const order = ctx.rt.config.entityOrder;
  for (const phase of ["live", "tombstones"] as const) {
    for (const name of phase === "live" ? order : [...order].reverse()) {
      if (options.entities !== undefined && !options.entities.has(name)) continue;
      const entity = ctx.rt.entity(name);
      const targets = targetsOf(entity, options).filter((b) => !halted.has(b.system));
      const openConflicts = await ctx.rt.hub.listConflicts({ status: "open", entity: name });
      // Counting scans the entity's records: worth it for a progress bar, not for every daemon run.
      const counted = phase === "live" && ctx.rt.observer.progress === true;
      const pending = counted ? (await ctx.rt.hub.countGoldens(name)).dirty : undefined;
      const run = new PagePropagation(ctx, options, openConflicts, pending);
      let after: string | null = null;
      for (;;) {
        const uids = await ctx.rt.hub.listDirty(name, after, PAGE);
        if (uids.length === 0) break;
        await run.process(entity, uids, targets, !scoped, phase);
        after = uids[uids.length - 1] ?? null;
      }
    }
  }
}

/** Propagates pages of records; also creates referenced records on demand. */
class PagePropagation {
  constructor(
    private readonly ctx: RunContext,
    private readonly options: PropagateOptions,
    private readonly openConflicts: readonly Conflict[],
    /** Records waiting at the start, for progress (live phase only). */
    private readonly pending: number | undefined,
  ) {}

  /** Records gone through per target, for progress. */
  private readonly done = new Map<string, number>();

  async process(
    entity: EntityDef,
    uids: readonly string[],
    targets: readonly Binding[],
    mayClean: boolean,
    phase: "live" | "tombstones",
  ): Promise<void> {
    const { ctx, options } = this;
    const loaded = await loadPage(ctx, entity, uids, this.openConflicts);
    const page = { ...loaded, goldens: loaded.goldens.filter((g) => g.deleted === (phase === "tombstones")) };
    if (page.goldens.length === 0) return;
    const uow = new UnitOfWork(ctx.rt.hub);
    const unfinished = new Set<string>();
    for (const binding of targets) {
      const failures = await this.failures(uow, entity, binding, uids);
      const plan = await planPageForTarget(ctx, page, binding, failures);
      for (const uid of plan.waiting) unfinished.add(uid);
      const natives = await this.toNativeOps(uow, entity, binding, plan.ops, unfinished);
      const outcome = await writeTarget(ctx, uow, binding, natives, options.mode);
      for (const uid of outcome.failed) unfinished.add(uid);
      const done = (this.done.get(binding.system) ?? 0) + page.goldens.length;
      this.done.set(binding.system, done);
      ctx.rt.observer.emit({
        type: "progress",
        stage: "write",
        system: binding.system,
        entity: entity.name,
        done,
        ...(this.pending === undefined ? {} : { total: this.pending }),
      });
    }
    if (options.mode.dryRun) return;
    if (mayClean)
      for (const golden of page.goldens)
        if (!unfinished.has(golden.uid)) uow.clean.push({ entity: entity.name, uid: golden.uid });
    await uow.commit();
  }

  private async toNativeOps(
    uow: UnitOfWork,
    entity: EntityDef,
    binding: Binding,
    ops: readonly TargetOp[],
    unfinished: Set<string>,
  ): Promise<NativeOp[]> {
    const ensure = (refEntity: EntityDef, refUids: readonly string[], refBinding: Binding) =>
      this.process(refEntity, refUids, [refBinding], false, "live");
    const resolved = await resolveOutboundRefs(this.ctx, entity, binding, ops, ensure, this.options.mode.dryRun);
    const natives: NativeOp[] = [];
    for (const target of ops) {
      const r = resolved.get(target.golden.uid);
      if (r !== undefined && !r.ok) {
        unfinished.add(target.golden.uid);
        fail(this.ctx, uow, binding, target.golden.uid, r.error, true, "reference");
        continue;
      }
      const native = await toNative(this.ctx, uow, binding, target, r?.fields ?? {});
      if (native === undefined) unfinished.add(target.golden.uid);
      else natives.push(native);
    }
    return natives;
  }

  /** The failures that hold records back; every known one is remembered in `uow`, so that a success clears it. */
  private async failures(
    uow: UnitOfWork,
    entity: EntityDef,
    binding: Binding,
    uids: readonly string[],
  ): Promise<Map<string, WriteFailure>> {
    const list = await this.ctx.rt.hub.getWriteFailures(entity.name, binding.system, uids);
    // Dead letters too: on --retry-dead they are not blocking, but a success must still clear them.
    uow.rememberFailures(list);
    const kept = this.options.retryDead ? list.filter((f) => !f.dead) : list;
    return new Map(kept.map((f) => [f.uid, f]));
  }
}

/** Bindings that receive writes, within the requested systems. */
function targetsOf(entity: EntityDef, options: PropagateOptions): Binding[] {
  return Object.values(entity.bindings).filter(
    (b) => b.direction !== "in" && (options.systems === undefined || options.systems.has(b.system)),
  );
}

/** Plans everything without writing, counts it per system and applies the safety limits. */
async function haltedSystems(ctx: RunContext, options: PropagateOptions): Promise<Set<string>> {
  const { limits } = ctx.rt.config;
  const halted = new Set<string>();
  if (
    limits.maxDeletesPerRun === undefined &&
    limits.maxChangedShare === undefined &&
    limits.maxChangesPerActor === undefined
  ) {
    return halted;
  }
  const counts = new Map<
    string,
    { creates: number; updates: number; deletes: number; byActor: Record<string, number> }
  >();
  for (const name of ctx.rt.config.entityOrder) {
    if (options.entities !== undefined && !options.entities.has(name)) continue;
    const entity = ctx.rt.entity(name);
    const openConflicts = await ctx.rt.hub.listConflicts({ status: "open", entity: name });
    let after: string | null = null;
    for (;;) {
      const uids = await ctx.rt.hub.listDirty(name, after, PAGE);
      if (uids.length === 0) break;
      after = uids[uids.length - 1] ?? null;
      const page = await loadPage(ctx, entity, uids, openConflicts);
      for (const binding of targetsOf(entity, options)) {
        const c = counts.get(binding.system) ?? { creates: 0, updates: 0, deletes: 0, byActor: {} };
        counts.set(binding.system, c);
        const plan = await planPageForTarget(ctx, page, binding, new Map());
        for (const { golden, op } of plan.ops) {
          if (op.kind === "create") c.creates += 1;
          if (op.kind === "delete") c.deletes += 1;
          if (op.kind !== "update") continue;
          c.updates += 1;
          const actors = new Set(Object.keys(op.fields).map((f) => golden.meta[f]?.system ?? "unknown"));
          for (const actor of actors) c.byActor[actor] = (c.byActor[actor] ?? 0) + 1;
        }
      }
    }
  }
  const linked = new Map<string, number>();
  for (const s of await ctx.rt.hub.linkStats()) linked.set(s.system, (linked.get(s.system) ?? 0) + s.active);
  for (const [system, c] of counts) {
    const planCounts: PlanCounts = { system, ...c, linked: linked.get(system) ?? 0 };
    const reasons = checkLimits(limits, planCounts);
    if (reasons.length === 0) continue;
    halted.add(system);
    ctx.stats.haltReasons.push(...reasons);
    ctx.rt.observer.emit({ type: "halted", system, reasons });
  }
  return halted;
}

import { v7 as uuidv7 } from "uuid";
import { ConcordError, messageOf } from "../core/errors.js";
import type { RunRecord, RunSummary, SourceChange } from "../core/types.js";
import { captureSystem } from "./capture.js";
import { ingestChanges } from "./ingest.js";
import { propagate } from "./propagate.js";
import { takeRunLease } from "./run-lease.js";
import { newRunContext, recordError, type RunContext, summarize } from "./run-context.js";
import type { Runtime } from "./runtime.js";
import type { WriteMode } from "./target-writer.js";
import { UnitOfWork } from "./unit-of-work.js";

/** What `concord sync` (and `plan`) asks of one run. */
export interface SyncOptions {
  /** The command line, recorded with the run. */
  readonly command: string;
  readonly full?: boolean;
  readonly entities?: ReadonlySet<string>;
  readonly systems?: ReadonlySet<string>;
  readonly force?: boolean;
  readonly retryDead?: boolean;
  readonly batchSize?: number;
  /**
   * Record the run only if it did something (the daemon's passes): an idle daemon would
   * otherwise add a run record every poll, for ever. A quiet pass updates `meta` "last-pass".
   */
  readonly recordOnlyIfActive?: boolean;
  /** Write nothing anywhere; report what would be written (the runtime's hub must be a dry-run overlay). */
  readonly dryRun?: boolean;
  readonly onPlanned?: WriteMode["onPlanned"];
}

/**
 * One pass of capture → apply → propagate. Systems that fail are reported as errors of this run
 * and the others still sync; only a hub failure stops the run.
 */
export async function runSync(rt: Runtime, options: SyncOptions): Promise<RunSummary> {
  const started = Date.now();
  const run: RunRecord = { id: uuidv7(), command: options.command, startedAt: rt.now(), status: "running" };
  validateScope(rt, options);
  const lease = await takeRunLease(rt.hub, run.id, {
    onWait: () => rt.observer.emit({ type: "waiting", reason: "another Concord run is working on the hub" }),
  });
  try {
    return await syncUnderLease(rt, options, run, started);
  } finally {
    await lease.release();
  }
}

async function syncUnderLease(rt: Runtime, options: SyncOptions, run: RunRecord, started: number): Promise<RunSummary> {
  if (options.recordOnlyIfActive !== true) await rt.hub.startRun(run);
  const ctx = newRunContext(rt, run.id);
  for (const p of await rt.hub.listParked()) ctx.parked.set(`${p.system}/${p.entity}/${p.change.key}`, p.id);
  try {
    const dryRun = options.dryRun ?? false;
    for (const system of Object.keys(rt.config.systems)) {
      if (options.systems !== undefined && !options.systems.has(system)) continue;
      await guard(ctx, system, () =>
        captureSystem(ctx, system, {
          full: options.full ?? false,
          dryRun,
          batchSize: options.batchSize ?? 1000,
          ...(options.entities === undefined ? {} : { entities: options.entities }),
        }),
      );
    }
    await retryParked(ctx);
    await propagate(ctx, {
      force: options.force ?? false,
      retryDead: options.retryDead ?? false,
      mode: { dryRun, ...(options.onPlanned === undefined ? {} : { onPlanned: options.onPlanned }) },
      ...(options.entities === undefined ? {} : { entities: options.entities }),
      ...(options.systems === undefined ? {} : { systems: options.systems }),
    });
  } catch (err) {
    await rt.hub.finishRun({ ...run, finishedAt: rt.now(), status: "failed", summary: summarize(ctx, started) });
    throw err;
  }
  const summary = summarize(ctx, started);
  const status = summary.halted ? "halted" : summary.errors > 0 ? "partial" : "ok";
  if (options.recordOnlyIfActive === true && isQuiet(summary)) {
    await rt.hub.commit({ meta: [{ key: "last-pass", value: rt.now() }] });
  } else {
    await rt.hub.finishRun({ ...run, finishedAt: rt.now(), status, summary });
  }
  return summary;
}

/** Runs one system's stage; a failing system becomes an error of the run, not its end. */
async function guard(ctx: RunContext, system: string, stage: () => Promise<void>): Promise<void> {
  try {
    await stage();
  } catch (err) {
    if (err instanceof ConcordError && (err.code === "hub" || err.code === "config" || err.code === "usage")) throw err;
    const error = recordError(ctx, { system, entity: "*", stage: "capture", message: messageOf(err) });
    await ctx.rt.hub.commit({ errors: [error] });
  }
}

/** Retries parked changes while that resolves some of them. */
async function retryParked(ctx: RunContext): Promise<void> {
  let previous = Number.POSITIVE_INFINITY;
  for (;;) {
    const parked = await ctx.rt.hub.listParked();
    if (parked.length === 0 || parked.length >= previous) return;
    previous = parked.length;
    const bySystem = new Map<string, Map<SourceChange, string>>();
    for (const p of parked) {
      const ids = bySystem.get(p.system) ?? new Map<SourceChange, string>();
      ids.set(p.change, p.id);
      bySystem.set(p.system, ids);
    }
    for (const [system, ids] of bySystem) {
      const uow = new UnitOfWork(ctx.rt.hub);
      await ingestChanges(ctx, uow, system, [...ids.keys()], { parkedIds: ids });
      await uow.commit();
    }
  }
}

function validateScope(rt: Runtime, options: SyncOptions): void {
  for (const s of options.systems ?? []) {
    if (rt.config.systems[s] === undefined) {
      throw new ConcordError(
        "usage",
        `--system ${s}: no such system (known: ${Object.keys(rt.config.systems).join(", ")})`,
      );
    }
  }
  for (const e of options.entities ?? []) rt.entity(e);
}

/** A pass that read, applied, wrote and reported nothing. */
function isQuiet(s: RunSummary): boolean {
  const written = Object.values(s.written).some((c) => c.created + c.updated + c.deleted > 0);
  return s.read === 0 && s.applied === 0 && !written && s.conflicts === 0 && s.errors === 0 && !s.halted;
}

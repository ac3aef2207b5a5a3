import { v7 as uuidv7 } from "uuid";
import type { RunRecord, RunSummary } from "../../core/types.js";
import { propagate } from "../propagate.js";
import { takeRunLease } from "../run-lease.js";
import { newRunContext, type RunContext, summarize } from "../run-context.js";
import type { Runtime } from "../runtime.js";
import type { WriteMode } from "../target-writer.js";

/**
 * Runs a person's decision (resolve, merge, rollback) as a run of its own: `change` edits the
 * hub, then everything dirty is propagated, so the decision reaches every system at once.
 */
export async function adminRun(
  rt: Runtime,
  command: string,
  change: (ctx: RunContext) => Promise<void>,
  mode: WriteMode = { dryRun: false },
): Promise<RunSummary> {
  const started = Date.now();
  const run: RunRecord = { id: uuidv7(), command, startedAt: rt.now(), status: "running" };
  const lease = await takeRunLease(rt.hub, run.id);
  await rt.hub.startRun(run);
  const ctx = newRunContext(rt, run.id);
  try {
    await change(ctx);
    await propagate(ctx, { force: true, retryDead: false, mode });
  } catch (err) {
    await rt.hub.finishRun({ ...run, finishedAt: rt.now(), status: "failed", summary: summarize(ctx, started) });
    throw err;
  } finally {
    await lease.release();
  }
  const summary = summarize(ctx, started);
  await rt.hub.finishRun({ ...run, finishedAt: rt.now(), status: summary.errors > 0 ? "partial" : "ok", summary });
  return summary;
}

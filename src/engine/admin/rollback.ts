import { ConcordError } from "../../core/errors.js";
import { matchKeys } from "../../core/normalize.js";
import { redact } from "../../core/redact.js";
import type { GoldenRecord, JournalEntry, RunSummary, Value } from "../../core/types.js";
import { valuesEqual } from "../../core/values.js";
import { entry } from "../apply-upsert.js";
import type { RunContext } from "../run-context.js";
import type { Runtime } from "../runtime.js";
import type { WriteMode } from "../target-writer.js";
import { adminRun } from "./admin-run.js";

/** What a rollback did, besides the run it wrote. */
export interface RollbackReport {
  readonly summary: RunSummary;
  /** Journal changes that could not be undone, and why. */
  readonly skipped: string[];
}

/**
 * Undoes a run in every system: golden fields the run changed go back to their before-values
 * (unless changed again since: those are reported, not overwritten), records it created are
 * deleted, records it deleted come back; then the deltas are written everywhere.
 */
export async function rollbackRun(
  rt: Runtime,
  runId: string,
  mode: WriteMode = { dryRun: false },
): Promise<RollbackReport> {
  const target = await rt.hub.getRun(runId);
  if (target === undefined) throw new ConcordError("not-found", `no run ${runId} (see \`concord audit\`)`);
  const entries = await rt.hub.queryJournal({ runId });
  const skipped: string[] = [];
  const summary = await adminRun(
    rt,
    `rollback --run ${runId}${mode.dryRun ? " --dry-run" : ""}`,
    (ctx) => undo(ctx, runId, entries, skipped),
    mode,
  );
  return { summary, skipped };
}

async function undo(
  ctx: RunContext,
  runId: string,
  entries: readonly JournalEntry[],
  skipped: string[],
): Promise<void> {
  const { rt } = ctx;
  const goldens = new Map<string, GoldenRecord>();
  const load = async (e: JournalEntry) => {
    const id = `${e.entity}/${e.uid}`;
    const cached = goldens.get(id);
    if (cached !== undefined) return cached;
    const [golden] = await rt.hub.getGoldens(e.entity, [e.uid]);
    if (golden !== undefined) goldens.set(id, golden);
    return golden;
  };
  const journal: JournalEntry[] = [];
  const cause = `rollback:${runId}`;
  for (const e of [...entries].reverse()) {
    if (e.kind !== "golden" && e.kind !== "create" && e.kind !== "delete") continue;
    const golden = await load(e);
    if (golden === undefined) continue;
    const entity = rt.entity(e.entity);
    const now = rt.now();
    let next: GoldenRecord | undefined;
    if (e.kind === "create" && !golden.deleted) {
      next = { ...golden, deleted: true, dirty: true, updatedAt: now };
      journal.push(entry(ctx, entity, golden.uid, "delete", "hub", { cause }));
    } else if (e.kind === "delete" && golden.deleted && golden.mergedInto === undefined) {
      next = { ...golden, deleted: false, dirty: true, updatedAt: now };
      journal.push(entry(ctx, entity, golden.uid, "restore", "hub", { cause }));
    } else if (e.kind === "golden" && e.field !== undefined) {
      const field = e.field;
      const sensitive = entity.fields[field]?.sensitive === true;
      const current: Value = golden.fields[field] ?? null;
      const currentShown = sensitive ? redact(current, rt.secret) : current;
      if (!valuesEqual(currentShown, e.after ?? null)) {
        skipped.push(`${e.entity} ${golden.uid} ${field}: changed again since run ${runId}; left as it is`);
        continue;
      }
      if (sensitive) {
        skipped.push(`${e.entity} ${golden.uid} ${field}: sensitive, the journal keeps only a hash; left as it is`);
        continue;
      }
      const before: Value = e.before ?? null;
      next = { ...golden, fields: { ...golden.fields, [field]: before }, dirty: true, updatedAt: now };
      journal.push(entry(ctx, entity, golden.uid, "golden", "hub", { field, before: current, after: before, cause }));
    }
    if (next !== undefined) {
      goldens.set(`${e.entity}/${e.uid}`, next);
      ctx.stats.applied += 1;
    }
  }
  const changed = [...goldens.values()].filter((g) => g.dirty);
  const keys = changed.map((g) => ({
    entity: g.entity,
    uid: g.uid,
    keys: g.deleted ? [] : matchKeys(rt.entity(g.entity), g.fields),
  }));
  await rt.hub.commit({ goldens: changed, journal, matchKeys: keys });
}

import { ConcordError } from "../../core/errors.js";
import type { RunSummary } from "../../core/types.js";
import { entry } from "../apply-upsert.js";
import { shown } from "../run-context.js";
import type { Runtime } from "../runtime.js";
import { adminRun } from "./admin-run.js";

/**
 * Resolves an open conflict by picking the system whose value wins: the golden value becomes
 * that value and is written to every system that holds another one.
 */
export async function resolveConflict(rt: Runtime, id: string, pick: string): Promise<RunSummary> {
  const conflict = await rt.hub.getConflict(id);
  if (conflict === undefined) throw new ConcordError("not-found", `no conflict ${id}`);
  if (conflict.status !== "open")
    throw new ConcordError("usage", `conflict ${id} is already resolved (winner: ${conflict.winner ?? "none"})`);
  const choices = [...new Set([conflict.system, conflict.goldenSystem])];
  if (!choices.includes(pick)) throw new ConcordError("usage", `--pick must be one of: ${choices.join(", ")}`);

  return adminRun(rt, `conflicts resolve ${id} --pick ${pick}`, async (ctx) => {
    const entity = rt.entity(conflict.entity);
    const [golden] = await rt.hub.getGoldens(conflict.entity, [conflict.uid]);
    if (golden === undefined) throw new ConcordError("not-found", `golden record ${conflict.uid} is gone`);
    const now = rt.now();
    const resolved = { ...conflict, status: "resolved" as const, winner: pick, resolvedAt: now };
    if (pick !== conflict.system) {
      // The golden value stays; the conflicting system gets it written back.
      await rt.hub.commit({ conflicts: [resolved], goldens: [{ ...golden, dirty: true }] });
      return;
    }
    const before = golden.fields[conflict.field] ?? null;
    await rt.hub.commit({
      conflicts: [resolved],
      goldens: [
        {
          ...golden,
          fields: { ...golden.fields, [conflict.field]: conflict.value },
          meta: { ...golden.meta, [conflict.field]: { system: pick, at: now } },
          dirty: true,
          updatedAt: now,
        },
      ],
      journal: [
        entry(ctx, entity, golden.uid, "golden", pick, {
          field: conflict.field,
          before: shown(ctx, entity, conflict.field, before),
          after: shown(ctx, entity, conflict.field, conflict.value),
          cause: `manual:${id}`,
        }),
      ],
    });
    ctx.stats.applied += 1;
  });
}

import type { Binding, EntityDef } from "../config/model.js";
import type { Fields } from "../core/types.js";
import type { TargetOp } from "./plan-page.js";
import type { RunContext } from "./run-context.js";

/** Creates referenced records in a target that does not have them yet. */
export type EnsureReferenced = (entity: EntityDef, uids: readonly string[], binding: Binding) => Promise<void>;

/** Per record: the fields to write with refs as the target's keys, or why they cannot be. */
export type ResolvedFields =
  | { readonly ok: true; readonly fields: Fields }
  | { readonly ok: false; readonly error: string };

/**
 * Translates each ref field's uid to the referenced record's key in the target. A referenced
 * record the target does not have yet is created there first (`ensure`), when its binding allows.
 */
export async function resolveOutboundRefs(
  ctx: RunContext,
  entity: EntityDef,
  binding: Binding,
  ops: readonly TargetOp[],
  ensure: EnsureReferenced,
  dryRun: boolean,
): Promise<Map<string, ResolvedFields>> {
  const resolved = new Map<string, ResolvedFields>();
  const refDefs = binding.fields
    .map((m) => entity.fields[m.field])
    .filter((d) => d?.type === "ref" && d.entity !== undefined);
  for (const { golden, op } of ops) {
    if (op.kind === "create" || op.kind === "update") resolved.set(golden.uid, { ok: true, fields: { ...op.fields } });
  }
  for (const def of refDefs) {
    if (def?.entity === undefined) continue;
    const refEntity = ctx.rt.entity(def.entity);
    const uids = new Set<string>();
    for (const r of resolved.values()) {
      const value = r.ok ? r.fields[def.name] : undefined;
      if (typeof value === "string") uids.add(value);
    }
    if (uids.size === 0) continue;
    let keys = await keysIn(ctx, def.entity, binding.system, [...uids]);
    const missing = [...uids].filter((u) => !keys.has(u));
    const refBinding = refEntity.bindings[binding.system];
    if (missing.length > 0 && refBinding !== undefined && !dryRun) {
      await ensure(refEntity, missing, refBinding);
      keys = await keysIn(ctx, def.entity, binding.system, [...uids]);
    }
    for (const [uid, r] of resolved) {
      if (!r.ok) continue;
      const value = r.fields[def.name];
      if (typeof value !== "string") continue;
      const key = keys.get(value);
      if (key !== undefined) r.fields[def.name] = key;
      else if (dryRun) r.fields[def.name] = `(new ${def.entity} ${value})`;
      else
        resolved.set(uid, {
          ok: false,
          error: `${def.name} references ${def.entity} ${value}, which is not in ${binding.system} (filtered out or not creatable there)`,
        });
    }
  }
  return resolved;
}

async function keysIn(ctx: RunContext, entity: string, system: string, uids: string[]): Promise<Map<string, string>> {
  const links = await ctx.rt.hub.getLinksByUids(entity, uids);
  return new Map(links.filter((l) => l.system === system && l.state === "active").map((l) => [l.uid, l.key]));
}

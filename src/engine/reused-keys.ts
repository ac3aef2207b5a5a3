import type { Binding, EntityDef } from "../config/model.js";
import { applyDelete } from "./apply-delete.js";
import type { RunContext } from "./run-context.js";
import type { UnitOfWork } from "./unit-of-work.js";

/**
 * A target that hands out a key a link still holds has deleted that link's record: keys are
 * unique there at any moment. It happens when a crash struck between Concord's delete in the
 * target and the hub recording it, after which SQLite, say, gives the highest rowid to the next
 * insert. Before the new record is linked under the key, the old holder is treated as deleted in
 * that system, exactly as if its change feed had said so; a tombstoned holder is simply unlinked.
 */
export async function releaseReusedKeys(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  created: readonly { readonly uid: string; readonly key: string }[],
): Promise<void> {
  if (created.length === 0) return;
  await uow.loadLinksByKeys(
    entity.name,
    binding.system,
    created.map((c) => c.key),
  );
  const stale = created
    .map((c) => ({ key: c.key, holder: uow.link(entity.name, binding.system, c.key) }))
    .filter((s) => s.holder !== undefined && s.holder.uid !== created.find((c) => c.key === s.key)?.uid);
  if (stale.length === 0) return;
  await uow.loadRecords(
    entity.name,
    stale.map((s) => s.holder?.uid ?? ""),
  );
  for (const { key } of stale) {
    applyDelete(ctx, uow, entity, binding, { resource: binding.table, op: "delete", key });
    // A policy that keeps the link (detach) would keep the key too; the key is the new record's.
    const still = uow.link(entity.name, binding.system, key);
    if (still !== undefined) uow.removeLink(still);
  }
}

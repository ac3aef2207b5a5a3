import type { Binding, EntityDef } from "../config/model.js";
import type { SourceChange } from "../core/types.js";
import { entry } from "./apply-upsert.js";
import { labelOf, type RunContext, tell } from "./run-context.js";
import type { UnitOfWork } from "./unit-of-work.js";

/**
 * A record deleted in `binding.system`. It counts if the system is in `deletes.from`; then the
 * entity's action: `delete` tombstones the golden record (the planner deletes it everywhere),
 * `unlink` detaches this system only, `ignore` writes the record back. A delete from any other
 * system detaches it: the link stays, so the record is not created there again.
 */
export function applyDelete(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  change: SourceChange,
): void {
  const system = binding.system;
  const link = uow.link(entity.name, system, change.key);
  if (link === undefined || link.state === "detached") return;
  const golden = uow.golden(entity.name, link.uid);
  if (golden === undefined || golden.deleted) {
    uow.removeLink(link);
    return;
  }
  const label = () => labelOf(entity, golden.fields, golden.uid);
  const counts = entity.deletes.from.includes(system);
  const action = counts ? entity.deletes.action : "detach";
  const journal = (kind: "delete" | "detach", cause: string) =>
    uow.journal.push(entry(ctx, entity, golden.uid, kind, system, { key: link.key, cause }));

  switch (action) {
    case "delete":
      uow.removeLink(link);
      uow.putGolden({ ...golden, deleted: true, dirty: true, updatedAt: ctx.rt.now() });
      uow.setMatchKeys(entity.name, golden.uid, []);
      journal("delete", "delete");
      ctx.stats.applied += 1;
      tell(ctx, () => ({ type: "deleted", entity: entity.name, uid: golden.uid, system, label: label() }));
      return;
    case "ignore":
      // Forget the deleted record so that the planner creates the record in the system again.
      uow.removeLink(link);
      uow.putGolden({ ...golden, dirty: true });
      journal("detach", "delete:ignore");
      tell(ctx, () => ({
        type: "detached",
        entity: entity.name,
        uid: golden.uid,
        system,
        reason: "deleted there; it will be written back",
        label: label(),
      }));
      return;
    case "unlink":
    case "detach":
      uow.putLink({ ...link, state: "detached" });
      journal("detach", action === "unlink" ? "delete:unlink" : "delete:not-in-from");
      tell(ctx, () => ({
        type: "detached",
        entity: entity.name,
        uid: golden.uid,
        system,
        reason: "deleted there",
        label: label(),
      }));
      return;
  }
}

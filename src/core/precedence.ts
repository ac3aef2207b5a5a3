import type { EntityDef } from "../config/model.js";

/**
 * Precedence of systems for one field: the field's `owners` order when it has owners, else the
 * entity's `priority`. Lower rank wins; systems listed nowhere come last, in name order.
 */
export function rankOf(entity: EntityDef, field: string, system: string): number {
  const order = entity.owners[field] ?? entity.priority;
  const index = order.indexOf(system);
  return index === -1 ? order.length : index;
}

/** Whether `a` takes precedence over `b` for `field` (ties broken by name, so the order is total). */
export function outranks(entity: EntityDef, field: string, a: string, b: string): boolean {
  const ra = rankOf(entity, field, a);
  const rb = rankOf(entity, field, b);
  return ra !== rb ? ra < rb : a < b;
}

/** Whether `system` may change `field` at all: fields with owners may be changed only by them. */
export function mayChange(entity: EntityDef, field: string, system: string): boolean {
  const owners = entity.owners[field];
  return owners === undefined || owners.includes(system);
}

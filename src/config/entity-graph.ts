/**
 * The graph of `ref` fields between entities. Syncing needs referenced records in place before
 * the records that point to them, so the entities are ordered topologically, and a cycle (which
 * would make every record of the cycle wait for another) is refused.
 */

/** One `ref` field: `from.field` points to an entity `to`. */
export interface Reference {
  readonly from: string;
  readonly field: string;
  readonly to: string;
}

/** A cycle, as the references that form it, starting at the first entity reached. */
export type Cycle = readonly Reference[];

/** Every cycle reachable in declaration order; each one is reported once. */
export function findCycles(entities: readonly string[], references: readonly Reference[]): Cycle[] {
  const outgoing = byOrigin(references);
  const done = new Set<string>();
  const cycles: Cycle[] = [];
  const stack: Reference[] = [];
  const onStack = new Set<string>();

  const visit = (entity: string): void => {
    onStack.add(entity);
    for (const ref of outgoing.get(entity) ?? []) {
      if (onStack.has(ref.to)) {
        const start = stack.findIndex((r) => r.from === ref.to);
        cycles.push([...(start === -1 ? [] : stack.slice(start)), ref]);
      } else if (!done.has(ref.to)) {
        stack.push(ref);
        visit(ref.to);
        stack.pop();
      }
    }
    onStack.delete(entity);
    done.add(entity);
  };
  for (const entity of entities) if (!done.has(entity)) visit(entity);
  return cycles;
}

/** "reference cycle: order → contact → order". */
export function describeCycle(cycle: Cycle): string {
  const names = [...cycle.map((r) => r.from), cycle[cycle.length - 1]?.to ?? ""];
  const self = cycle.length === 1 ? " (self-references are not supported yet)" : "";
  return `reference cycle: ${names.join(" → ")}${self}`;
}

/**
 * Referenced entities before those that reference them; otherwise declaration order.
 * Assumes there is no cycle (`findCycles` is empty).
 */
export function topologicalOrder(entities: readonly string[], references: readonly Reference[]): string[] {
  const outgoing = byOrigin(references);
  const placed = new Set<string>();
  const order: string[] = [];
  const place = (entity: string): void => {
    if (placed.has(entity)) return;
    placed.add(entity);
    for (const ref of outgoing.get(entity) ?? []) place(ref.to);
    order.push(entity);
  };
  for (const entity of entities) place(entity);
  return order;
}

function byOrigin(references: readonly Reference[]): Map<string, Reference[]> {
  const map = new Map<string, Reference[]>();
  for (const ref of references) map.set(ref.from, [...(map.get(ref.from) ?? []), ref]);
  return map;
}

import type { Binding, EntityDef } from "../config/model.js";
import type { Fields, GoldenRecord, Link } from "./types.js";
import { valuesEqual } from "./values.js";

/** What one target system needs for one golden record. Field values are canonical. */
export type PlannedOp =
  | { readonly kind: "none" }
  | { readonly kind: "create"; readonly fields: Fields }
  | { readonly kind: "update"; readonly fields: Fields; readonly before: Fields }
  | { readonly kind: "delete" }
  /** The record stopped satisfying the binding's filter: detach, leave it as it is there. */
  | { readonly kind: "detach" };

/** Everything the planner needs to know about one target for one record. */
export interface PlanInput {
  readonly entity: EntityDef;
  readonly binding: Binding;
  readonly golden: GoldenRecord;
  readonly link: Link | undefined;
  /** Result of the binding's filter over the golden fields (true when there is no filter). */
  readonly admitted: boolean;
  /** Fields with an open manual conflict raised by this system: it keeps its value until resolved. */
  readonly heldFields: ReadonlySet<string>;
}

/**
 * Plans the delta for one record in one system: golden vs shadow, subject to direction,
 * filter, sensitivity and creates. Pure.
 */
export function planTarget(input: PlanInput): PlannedOp {
  const { binding, golden, link } = input;
  if (binding.direction === "in") return { kind: "none" };
  const active = link !== undefined && link.state === "active";

  if (golden.deleted) return active ? { kind: "delete" } : { kind: "none" };
  if (!input.admitted) return active ? { kind: "detach" } : { kind: "none" };
  if (link === undefined) {
    if (!binding.create) return { kind: "none" };
    const fields = writableFields(input);
    return Object.keys(fields).length === 0 ? { kind: "none" } : { kind: "create", fields };
  }
  if (!active) return { kind: "none" };

  const fields: Fields = {};
  const before: Fields = {};
  for (const [field, value] of Object.entries(writableFields(input))) {
    const held = link.shadow[field];
    if (field in link.shadow && valuesEqual(held ?? null, value)) continue;
    fields[field] = value;
    before[field] = held ?? null;
  }
  return Object.keys(fields).length === 0 ? { kind: "none" } : { kind: "update", fields, before };
}

/** The golden fields this binding may receive: mapped, set at least once, shareable, not held. */
function writableFields(input: PlanInput): Fields {
  const { entity, binding, golden, heldFields } = input;
  const out: Fields = {};
  for (const mapping of binding.fields) {
    const field = mapping.field;
    if (!(field in golden.meta) || heldFields.has(field)) continue;
    const def = entity.fields[field];
    if (def?.sensitive === true && !def.shareWith.includes(binding.system)) continue;
    out[field] = golden.fields[field] ?? null;
  }
  return out;
}

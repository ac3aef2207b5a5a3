import type { EntityDef } from "../config/model.js";
import type { Conflict, FieldMeta, Fields, Value } from "./types.js";
import { mayChange, outranks } from "./precedence.js";
import { valuesEqual } from "./values.js";

/** One system's report of a record, already mapped to canonical fields (refs as uids). */
export interface Incoming {
  readonly system: string;
  /** Only the fields this system maps. */
  readonly fields: Fields;
  /** When the system made the change (ISO-8601). */
  readonly at: string;
  /** The binding's direction: an `out` binding may never change the hub. */
  readonly direction: "both" | "in" | "out";
}

/** The golden side of a merge. */
export interface GoldenState {
  readonly fields: Fields;
  readonly meta: Readonly<Record<string, FieldMeta>>;
}

/** What one field's merge decided. */
export type FieldOutcome =
  | { readonly kind: "unchanged" } // x equals the shadow: no edit, or our own echo
  | { readonly kind: "agreed" } // the system now holds the golden value
  | { readonly kind: "accepted"; readonly before: Value; readonly after: Value; readonly first: boolean }
  | { readonly kind: "rejected"; readonly value: Value; readonly reason: string }
  | {
      readonly kind: "conflict";
      readonly rule: EntityDef["resolve"];
      readonly value: Value;
      readonly goldenValue: Value;
      readonly goldenSystem: string;
      /** The winning system, or null while a manual conflict waits for a person. */
      readonly winner: string | null;
    };

/** The result of merging one incoming record into its golden record. */
export interface MergeResult {
  readonly fields: Fields;
  readonly meta: Record<string, FieldMeta>;
  /** The system's new shadow: what it holds now. */
  readonly shadow: Fields;
  readonly outcomes: Readonly<Record<string, FieldOutcome>>;
  /** Whether any golden field changed. */
  readonly changed: boolean;
}

/**
 * The per-field three-way merge of DESIGN.md: compares what the system holds now (x) with what
 * it held before (its shadow s) and with the golden value (v). Pure: the caller journals the
 * outcomes and stores conflicts.
 */
export function mergeRecord(
  entity: EntityDef,
  golden: GoldenState,
  shadow: Fields | undefined,
  incoming: Incoming,
): MergeResult {
  const fields: Fields = { ...golden.fields };
  const meta: Record<string, FieldMeta> = { ...golden.meta };
  const newShadow: Fields = { ...(shadow ?? {}) };
  const outcomes: Record<string, FieldOutcome> = {};
  let changed = false;

  for (const [field, x] of Object.entries(incoming.fields)) {
    const outcome = mergeField(entity, field, x, golden, shadow, incoming);
    outcomes[field] = outcome;
    newShadow[field] = x;
    if (outcome.kind === "accepted" || (outcome.kind === "conflict" && outcome.winner === incoming.system)) {
      fields[field] = x;
      meta[field] = { system: incoming.system, at: incoming.at };
      changed = true;
    }
  }
  return { fields, meta, shadow: newShadow, outcomes, changed };
}

function mergeField(
  entity: EntityDef,
  field: string,
  x: Value,
  golden: GoldenState,
  shadow: Fields | undefined,
  incoming: Incoming,
): FieldOutcome {
  const held = shadow !== undefined && field in shadow;
  if (held && valuesEqual(x, shadow[field] ?? null)) return { kind: "unchanged" };

  const v = golden.fields[field] ?? null;
  const vMeta = golden.meta[field];
  // A system with no value for a field the golden record has no value for either agrees with it.
  if ((vMeta !== undefined || x === null) && valuesEqual(x, v)) return { kind: "agreed" };
  // A system linked for the first time that has no value for a field has not changed it:
  // it gets the golden value instead of erasing it.
  if (!held && x === null && vMeta !== undefined) return { kind: "unchanged" };

  if (incoming.direction === "out") {
    return { kind: "rejected", value: x, reason: `${incoming.system} is bound with direction: out` };
  }
  // Owners govern changes, not first values: a field with no golden value yet (never set, or
  // null) may be set by anyone who may write at all.
  if (vMeta === undefined || v === null) return { kind: "accepted", before: v, after: x, first: true };
  if (!mayChange(entity, field, incoming.system)) {
    return { kind: "rejected", value: x, reason: `${field} is owned by ${(entity.owners[field] ?? []).join(", ")}` };
  }
  // Nobody else changed the field since this system last synced: a plain edit.
  if (held && valuesEqual(v, shadow[field] ?? null)) return { kind: "accepted", before: v, after: x, first: false };

  return {
    kind: "conflict",
    rule: entity.resolve,
    value: x,
    goldenValue: v,
    goldenSystem: vMeta.system,
    winner: resolveWinner(entity, field, incoming, vMeta),
  };
}

/** The system that wins a conflict under the entity's rule; null for `manual`. */
function resolveWinner(entity: EntityDef, field: string, incoming: Incoming, vMeta: FieldMeta): string | null {
  switch (entity.resolve) {
    case "manual":
      return null;
    case "priority":
      return outranks(entity, field, incoming.system, vMeta.system) ? incoming.system : vMeta.system;
    case "newest": {
      if (incoming.at !== vMeta.at) return incoming.at > vMeta.at ? incoming.system : vMeta.system;
      return outranks(entity, field, incoming.system, vMeta.system) ? incoming.system : vMeta.system;
    }
  }
}

/** Builds the stored conflict for a conflict outcome. */
export function conflictRecord(
  base: Pick<Conflict, "id" | "runId" | "entity" | "uid" | "createdAt">,
  field: string,
  system: string,
  outcome: Extract<FieldOutcome, { kind: "conflict" }>,
): Conflict {
  return {
    ...base,
    field,
    system,
    value: outcome.value,
    goldenValue: outcome.goldenValue,
    goldenSystem: outcome.goldenSystem,
    rule: outcome.rule,
    winner: outcome.winner,
    status: outcome.winner === null ? "open" : "resolved",
    ...(outcome.winner === null ? {} : { resolvedAt: base.createdAt }),
  };
}

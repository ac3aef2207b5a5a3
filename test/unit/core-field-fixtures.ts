import type { Binding, EntityDef, FieldDef, FieldMapping, FieldType } from "../../src/config/model.js";

/** A field definition with the loader's defaults (optional, not sensitive). */
export function field(name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  return { name, type, required: false, sensitive: false, shareWith: [], ...extra };
}

/** An entity over the given fields, matched by the given alternatives. */
export function entity(fields: readonly FieldDef[], match: readonly (readonly string[])[] = []): EntityDef {
  return {
    name: "contact",
    fields: Object.fromEntries(fields.map((f) => [f.name, f])),
    match,
    resolve: "newest",
    priority: [],
    owners: {},
    deletes: { from: [], action: "delete" },
    bindings: {},
  };
}

/** A binding of the "contact" entity in system "crm", table "contacts" keyed by "id". */
export function binding(fields: readonly FieldMapping[]): Binding {
  return { entity: "contact", system: "crm", table: "contacts", key: "id", direction: "both", create: true, fields };
}

import jsonata from "jsonata";
import type { FieldDef, FieldMapping } from "./model.js";
import type { PathIssue } from "./issues.js";
import { toFieldMapping } from "./normalize-config.js";
import { mappingSchema, NAMED_TRANSFORMS } from "./schema.js";

/** What a binding's checks need to know about its entity. */
export interface EntityScope {
  readonly name: string;
  /** Every declared field name, including fields whose declaration is itself invalid. */
  readonly fieldNames: ReadonlySet<string>;
  /** The fields whose declaration is valid. */
  readonly fields: ReadonlyMap<string, FieldDef>;
}

/** Checks one binding (`entities.E.systems.S`) against its entity; shape errors are zod's. */
export function checkBinding(raw: unknown, entity: EntityScope, path: readonly PropertyKey[]): PathIssue[] {
  if (!isRecord(raw)) return [];
  const issues: PathIssue[] = [];
  if (raw["key"] === undefined) issues.push({ path, message: "a binding needs a key (the native key column)" });
  if (raw["table"] === undefined && raw["resource"] === undefined) {
    issues.push({ path, message: "a binding needs a table (or resource)" });
  } else if (raw["table"] !== undefined && raw["resource"] !== undefined) {
    issues.push({ path: [...path, "resource"], message: "resource is another name for table: give only one" });
  }
  const filter = raw["filter"];
  if (typeof filter === "string") {
    const problem = jsonataProblem(filter);
    if (problem !== undefined)
      issues.push({ path: [...path, "filter"], message: `invalid JSONata filter: ${problem}` });
  }
  for (const [field, mapping] of Object.entries(isRecord(raw["fields"]) ? raw["fields"] : {})) {
    const at = [...path, "fields", field];
    if (!entity.fieldNames.has(field)) {
      issues.push({
        path: at,
        message: `unknown field "${field}" (not declared in entity ${entity.name})`,
        atKey: true,
      });
      continue;
    }
    const def = entity.fields.get(field);
    const parsed = mappingSchema.safeParse(mapping);
    if (def !== undefined && parsed.success) issues.push(...checkMapping(toFieldMapping(field, parsed.data), def, at));
  }
  return issues;
}

function checkMapping(mapping: FieldMapping, field: FieldDef, path: readonly PropertyKey[]): PathIssue[] {
  const issues: PathIssue[] = [];
  const values = field.type === "enum" ? field.values : undefined;
  for (const [native, canonical] of Object.entries(mapping.map ?? {})) {
    if (values !== undefined && canonical !== null && !values.includes(String(canonical))) {
      const message = `"${String(canonical)}" is not a value of enum field ${field.name} (${values.join(", ")})`;
      issues.push({ path: [...path, "map", native], message });
    }
  }
  if (mapping.format !== undefined && field.type !== "date" && field.type !== "datetime") {
    issues.push({ path: [...path, "format"], message: "format applies only to date and datetime fields" });
  }
  const transform = mapping.transform;
  if (transform?.kind === "named") {
    const types = NAMED_TRANSFORMS[transform.name];
    const known = Object.keys(NAMED_TRANSFORMS).join(", ");
    if (types === undefined) {
      issues.push({ path: [...path, "transform"], message: `unknown transform "${transform.name}" (known: ${known})` });
    } else if (!types.includes(field.type)) {
      const message = `transform ${transform.name} applies only to ${types.join(" and ")} fields, not ${field.type}`;
      issues.push({ path: [...path, "transform"], message });
    }
  } else if (transform?.kind === "jsonata") {
    for (const side of ["in", "out"] as const) {
      const expression = transform[side];
      const problem = expression === undefined ? undefined : jsonataProblem(expression);
      if (problem !== undefined) {
        issues.push({ path: [...path, "transform", side], message: `invalid JSONata expression: ${problem}` });
      }
    }
  }
  return issues;
}

/** Why a JSONata expression does not parse, or undefined when it does. */
export function jsonataProblem(expression: string): string | undefined {
  try {
    jsonata(expression);
    return undefined;
  } catch (err) {
    // jsonata throws plain objects { code, position, message }, not Errors.
    if (!isRecord(err) || typeof err["message"] !== "string") return String(err);
    const position = typeof err["position"] === "number" ? ` (at character ${err["position"]})` : "";
    return `${err["message"]}${position}`;
  }
}

/** A plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

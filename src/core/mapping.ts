/**
 * Mapping between one binding's native rows and canonical fields. In: read the column or path,
 * apply `map`, `transform`, `format`, then coerce to the field's type. Out: the same steps
 * inverted, so that for every supported mapping mapIn(mapOut(fields)) gives the fields back.
 */
import type { Binding, EntityDef, FieldDef, FieldMapping } from "../config/model.js";
import { ConcordError } from "./errors.js";
import { canonicalize, type FieldIssue } from "./field-types.js";
import { formatIn, formatOut, mapCodeIn, mapCodeOut, transformIn, transformOut } from "./mapping-steps.js";
import type { Fields, NativeRow, Value } from "./types.js";

/** The canonical fields read from one native row, and the fields that could not be read. */
export interface MappedRow {
  readonly fields: Fields;
  readonly errors: FieldIssue[];
}

/** Native row → canonical fields, for the fields the binding maps; a bad field is reported, not thrown. */
export async function mapIn(entity: EntityDef, binding: Binding, row: NativeRow): Promise<MappedRow> {
  const fields: Fields = {};
  const errors: FieldIssue[] = [];
  for (const mapping of binding.fields) {
    try {
      fields[mapping.field] = await fieldIn(fieldDef(entity, mapping), mapping, row);
    } catch (err) {
      if (!(err instanceof ConcordError)) throw err;
      errors.push({ field: mapping.field, message: err.message });
    }
  }
  return { fields, errors };
}

async function fieldIn(def: FieldDef, mapping: FieldMapping, row: NativeRow): Promise<Value> {
  const native = readNative(row, mapping);
  let value = mapping.map === undefined ? native : mapCodeIn(def, mapping.map, native);
  if (mapping.transform !== undefined) value = await transformIn(def, mapping.transform, value, row);
  if (mapping.format !== undefined) value = formatIn(def, mapping.format, value);
  if ((value === null || value === undefined) && (native === null || native === undefined)) {
    // A default is a canonical value; for json, canonicalize reads strings as JSON text.
    const fallback = mapping.default ?? null;
    value = def.type === "json" && typeof fallback === "string" ? JSON.stringify(fallback) : fallback;
  }
  const result = canonicalize(def, value);
  if (!result.ok) throw new ConcordError("mapping", result.message);
  return result.value;
}

/**
 * Canonical fields → native row, for the fields present in `fields` that the binding maps.
 * Ref fields must already hold the target's native key. Throws ConcordError "mapping" naming
 * the field when a value has no native form (no code in `map`, cents with fractions of a cent).
 */
export async function mapOut(entity: EntityDef, binding: Binding, fields: Fields): Promise<NativeRow> {
  const row: NativeRow = {};
  for (const mapping of binding.fields) {
    if (!Object.hasOwn(fields, mapping.field)) continue;
    const def = fieldDef(entity, mapping);
    let value: unknown = fields[mapping.field] ?? null;
    if (mapping.format !== undefined) value = formatOut(def, mapping.format, value);
    if (mapping.transform !== undefined) value = await transformOut(def, mapping.transform, value, fields);
    if (mapping.map !== undefined) value = mapCodeOut(def, mapping.map, value, binding.system);
    // mapIn parses a native string as JSON text, so a JSON string value is written as JSON text:
    // "123" must not come back as the number 123.
    else if (def.type === "json" && mapping.transform === undefined && typeof value === "string") {
      value = JSON.stringify(value);
    }
    writeNative(row, mapping, value);
  }
  return row;
}

/** The native columns a binding reads and writes: its key, then each mapped column or path's first segment. */
export function bindingColumns(binding: Binding): string[] {
  const columns = [binding.key, ...binding.fields.map((m) => pathOf(m)[0] ?? m.column)];
  return [...new Set(columns)];
}

function fieldDef(entity: EntityDef, mapping: FieldMapping): FieldDef {
  const def = entity.fields[mapping.field];
  if (def === undefined) throw new ConcordError("mapping", `${mapping.field}: not a field of entity ${entity.name}`);
  return def;
}

/**
 * The segments to follow into nested objects. The loader fills `column` from `path` when only a
 * path is given; a column given as well wins (model.ts) and is one flat name.
 */
function pathOf(mapping: FieldMapping): string[] {
  return mapping.path !== undefined && mapping.path === mapping.column ? mapping.path.split(".") : [mapping.column];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readNative(row: NativeRow, mapping: FieldMapping): unknown {
  let node: unknown = row;
  for (const segment of pathOf(mapping)) {
    if (!isRecord(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

function writeNative(row: NativeRow, mapping: FieldMapping, value: unknown): void {
  const path = pathOf(mapping);
  const last = path.pop() ?? mapping.column;
  let node: Record<string, unknown> = row;
  for (const segment of path) {
    const next = node[segment];
    const child = isRecord(next) ? next : {};
    node[segment] = child;
    node = child;
  }
  node[last] = value;
}

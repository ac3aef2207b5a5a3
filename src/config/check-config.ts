import type { ConnectorFactory } from "../connectors/connector.js";
import { checkBinding, type EntityScope, isRecord } from "./check-bindings.js";
import { describeCycle, findCycles } from "./entity-graph.js";
import { fromZodIssues, type PathIssue } from "./issues.js";
import type { FieldDef } from "./model.js";
import { referencesOf, toFieldDef } from "./normalize-config.js";
import { fieldSchema } from "./schema.js";

/**
 * The checks that span more than one place of the file: names that must exist, options that
 * only the connector can judge, expressions that must parse, references that must not loop.
 * They read the file's plain data defensively and skip whatever the schema already refuses, so
 * that one run reports the schema's problems and these together.
 */
export function checkConfig(value: unknown, connectors: ReadonlyMap<string, ConnectorFactory>): PathIssue[] {
  if (!isRecord(value)) return [];
  const systems = new Set(Object.keys(isRecord(value["systems"]) ? value["systems"] : {}));
  const entities = isRecord(value["entities"]) ? value["entities"] : {};
  const scope: Scope = { systems, entities: new Set(Object.keys(entities)), issues: [] };

  checkHub(value["hub"], scope);
  checkSystems(value["systems"], connectors, scope);
  const checked = Object.entries(entities).map(([name, entity]) => checkEntity(name, entity, scope));
  for (const cycle of findCycles(Object.keys(entities), referencesOf(checked))) {
    const first = cycle[0];
    if (first !== undefined) {
      scope.issues.push({
        path: ["entities", first.from, "fields", first.field, "entity"],
        message: describeCycle(cycle),
      });
    }
  }
  return scope.issues;
}

interface Scope {
  readonly systems: ReadonlySet<string>;
  readonly entities: ReadonlySet<string>;
  readonly issues: PathIssue[];
}

function checkHub(hub: unknown, scope: Scope): void {
  if (typeof hub === "string" && !/^(sqlite:|postgres(ql)?:\/\/)/.test(hub)) {
    scope.issues.push({ path: ["hub"], message: "expected sqlite:PATH or postgres://…" });
  }
}

function checkSystems(raw: unknown, connectors: ReadonlyMap<string, ConnectorFactory>, scope: Scope): void {
  for (const [name, system] of Object.entries(isRecord(raw) ? raw : {})) {
    const kind = isRecord(system) ? system["connector"] : undefined;
    if (!isRecord(system) || typeof kind !== "string") continue;
    const factory = connectors.get(kind);
    if (factory === undefined) {
      const known = [...connectors.keys()].join(", ") || "none";
      scope.issues.push({
        path: ["systems", name, "connector"],
        message: `unknown connector "${kind}" (known: ${known})`,
      });
      continue;
    }
    const { connector: _connector, pollEvery: _pollEvery, ...options } = system;
    const result = factory.optionsSchema.safeParse(options, { reportInput: true });
    if (!result.success) scope.issues.push(...fromZodIssues(result.error.issues, ["systems", name]));
  }
}

function checkEntity(name: string, raw: unknown, scope: Scope): { name: string; fields: Record<string, FieldDef> } {
  const entity = isRecord(raw) ? raw : {};
  const at = ["entities", name];
  const declared = isRecord(entity["fields"]) ? entity["fields"] : {};
  const fields = new Map<string, FieldDef>();
  for (const [field, def] of Object.entries(declared)) {
    const parsed = fieldSchema.safeParse(def);
    if (parsed.success) fields.set(field, toFieldDef(field, parsed.data));
  }
  const entityScope: EntityScope = { name, fieldNames: new Set(Object.keys(declared)), fields };
  for (const field of fields.values()) checkField(field, [...at, "fields", field.name], scope);

  checkMatch(entity["match"], entityScope, [...at, "match"], scope);
  checkSystemList(entity["priority"], [...at, "priority"], scope);
  for (const [field, owners] of Object.entries(isRecord(entity["owners"]) ? entity["owners"] : {})) {
    const path = [...at, "owners", field];
    if (!entityScope.fieldNames.has(field))
      scope.issues.push({ path, message: unknownField(field, name), atKey: true });
    checkSystemList(owners, path, scope);
  }
  if (isRecord(entity["deletes"])) checkSystemList(entity["deletes"]["from"], [...at, "deletes", "from"], scope);
  for (const [system, binding] of Object.entries(isRecord(entity["systems"]) ? entity["systems"] : {})) {
    const path = [...at, "systems", system];
    if (!scope.systems.has(system)) scope.issues.push({ path, message: unknownSystem(system, scope), atKey: true });
    scope.issues.push(...checkBinding(binding, entityScope, path));
  }
  // Only references to existing entities go into the graph: the others are reported above.
  const references = [...fields.values()].filter((f) => f.entity !== undefined && scope.entities.has(f.entity));
  return { name, fields: Object.fromEntries(references.map((f) => [f.name, f])) };
}

function checkField(field: FieldDef, path: readonly PropertyKey[], scope: Scope): void {
  const issue = (message: string, key?: string): void => {
    scope.issues.push({ path: key === undefined ? path : [...path, key], message });
  };
  if (field.type === "enum" && field.values === undefined) issue("an enum field needs values: [A, B, …]");
  if (field.type !== "enum" && field.values !== undefined) issue("values apply only to enum fields", "values");
  if (field.type === "ref" && field.entity === undefined) issue("a ref field needs entity: NAME");
  if (field.type !== "ref" && field.entity !== undefined) issue("entity applies only to ref fields", "entity");
  if (field.entity !== undefined && !scope.entities.has(field.entity)) {
    issue(`unknown entity "${field.entity}" (entities: ${[...scope.entities].join(", ")})`, "entity");
  }
  if (field.format !== undefined && field.type !== "string") issue("format applies only to string fields", "format");
  if (field.shareWith.length > 0 && !field.sensitive) issue("shareWith applies only to sensitive fields", "shareWith");
  checkSystemList(field.shareWith, [...path, "shareWith"], scope);
}

// `[email]` is one key; `[[email], [firstName, lastName]]` are alternatives; a mix is ambiguous.
function checkMatch(raw: unknown, entity: EntityScope, path: readonly PropertyKey[], scope: Scope): void {
  if (!Array.isArray(raw)) return;
  const lists = raw.filter((item) => Array.isArray(item)).length;
  if (lists > 0 && lists < raw.length) {
    const message = "mixes field names and lists: write [a, b] for one key or [[a], [b, c]] for alternatives";
    scope.issues.push({ path, message });
  }
  raw.forEach((item: unknown, i) => {
    const names: unknown[] = Array.isArray(item) ? item : [item];
    names.forEach((field, j) => {
      if (typeof field !== "string" || entity.fieldNames.has(field)) return;
      const at = Array.isArray(item) ? [...path, i, j] : [...path, i];
      scope.issues.push({ path: at, message: unknownField(field, entity.name) });
    });
  });
}

// A system name or a list of them; each must be declared under `systems:`.
function checkSystemList(raw: unknown, path: readonly PropertyKey[], scope: Scope): void {
  if (typeof raw === "string") {
    if (!scope.systems.has(raw)) scope.issues.push({ path, message: unknownSystem(raw, scope) });
  } else if (Array.isArray(raw)) {
    raw.forEach((name: unknown, i) => {
      if (typeof name === "string" && !scope.systems.has(name)) {
        scope.issues.push({ path: [...path, i], message: unknownSystem(name, scope) });
      }
    });
  }
}

function unknownSystem(name: string, scope: Scope): string {
  return `unknown system "${name}" (systems: ${[...scope.systems].join(", ") || "none"})`;
}

function unknownField(name: string, entity: string): string {
  return `unknown field "${name}" (not declared in entity ${entity})`;
}

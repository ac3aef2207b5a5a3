import { parseDuration } from "../core/duration.js";
import { isAbsolute, resolve } from "node:path";
import type { ConnectorFactory } from "../connectors/connector.js";
import type {
  Binding,
  ConcordConfig,
  EntityDef,
  FieldDef,
  FieldMapping,
  Limits,
  SystemDef,
  TransformSpec,
} from "./model.js";
import { type Reference, topologicalOrder } from "./entity-graph.js";
import type { RawBinding, RawConfig, RawEntity, RawField, RawMapping } from "./schema.js";

/** What normalizing needs besides the parsed file. */
export interface NormalizeContext {
  /** Absolute path of the config file. */
  readonly file: string;
  readonly baseDir: string;
  readonly connectors: ReadonlyMap<string, ConnectorFactory>;
}

/** Expands the shorthands of a checked config into the frozen model the rest of Concord reads. */
export function normalizeConfig(raw: RawConfig, context: NormalizeContext): ConcordConfig {
  const systemNames = Object.keys(raw.systems);
  const entities = Object.fromEntries(
    Object.entries(raw.entities).map(([name, entity]) => [name, toEntityDef(name, entity, systemNames)]),
  );
  const config: ConcordConfig = {
    file: context.file,
    baseDir: context.baseDir,
    hub: resolveHub(raw.hub, context.baseDir),
    systems: Object.fromEntries(
      Object.entries(raw.systems).map(([name, system]) => [name, toSystemDef(name, system, context)]),
    ),
    entities,
    entityOrder: topologicalOrder(Object.keys(entities), referencesOf(Object.values(entities))),
    limits: toLimits(raw.limits),
  };
  return deepFreeze(config);
}

/** The `ref` fields of the given entities, in declaration order. */
export function referencesOf(entities: readonly Pick<EntityDef, "name" | "fields">[]): Reference[] {
  return entities.flatMap((entity) =>
    Object.values(entity.fields).flatMap((field) =>
      field.type === "ref" && field.entity !== undefined
        ? [{ from: entity.name, field: field.name, to: field.entity }]
        : [],
    ),
  );
}

/** A field declaration, shorthand (`firstName: string`) or not, as a FieldDef. */
export function toFieldDef(name: string, raw: RawField): FieldDef {
  if (typeof raw === "string") return { name, type: raw, required: false, sensitive: false, shareWith: [] };
  return {
    name,
    type: raw.type,
    required: raw.required,
    ...(raw.format !== undefined && { format: raw.format }),
    ...(raw.values !== undefined && { values: raw.values }),
    ...(raw.entity !== undefined && { entity: raw.entity }),
    sensitive: raw.sensitive,
    shareWith: raw.shareWith,
  };
}

/** A mapping, shorthand (`email: email_addr`) or not, as a FieldMapping. */
export function toFieldMapping(field: string, raw: RawMapping): FieldMapping {
  if (typeof raw === "string") return { field, column: raw };
  return {
    field,
    // The schema refuses a mapping with neither, so one of them is there.
    column: raw.column ?? raw.path ?? "",
    ...(raw.path !== undefined && { path: raw.path }),
    ...(raw.map !== undefined && { map: raw.map }),
    ...(raw.format !== undefined && { format: raw.format }),
    ...(raw.transform !== undefined && { transform: toTransform(raw.transform) }),
    ...(raw.default !== undefined && { default: raw.default }),
  };
}

function toTransform(raw: NonNullable<Exclude<RawMapping, string>["transform"]>): TransformSpec {
  if (typeof raw === "string") return { kind: "named", name: raw };
  return {
    kind: "jsonata",
    ...(raw.in !== undefined && { in: raw.in }),
    ...(raw.out !== undefined && { out: raw.out }),
  };
}

function toEntityDef(name: string, raw: RawEntity, systemNames: readonly string[]): EntityDef {
  const declared = raw.priority ?? [];
  const bindings = Object.fromEntries(
    Object.entries(raw.systems).map(([system, binding]) => [system, toBinding(name, system, binding)]),
  );
  return {
    name,
    fields: Object.fromEntries(Object.entries(raw.fields).map(([field, def]) => [field, toFieldDef(field, def)])),
    match: toMatch(raw.match ?? []),
    resolve: raw.resolve,
    priority: [...declared, ...systemNames.filter((s) => !declared.includes(s))],
    owners: Object.fromEntries(
      Object.entries(raw.owners ?? {}).map(([field, owners]) => [
        field,
        typeof owners === "string" ? [owners] : owners,
      ]),
    ),
    deletes: {
      from:
        raw.deletes?.from ??
        Object.values(bindings)
          .filter((b) => b.direction !== "out")
          .map((b) => b.system),
      action: raw.deletes?.action ?? "delete",
    },
    bindings,
  };
}

// `[email]` is one key of one field; `[[email], [firstName, lastName]]` are alternatives. The
// checks refuse a mix of both forms.
function toMatch(raw: readonly (string | string[])[]): string[][] {
  if (raw.every((item) => typeof item === "string")) return raw.length === 0 ? [] : [[...raw]];
  return raw.map((item) => (typeof item === "string" ? [item] : item));
}

function toBinding(entity: string, system: string, raw: RawBinding): Binding {
  return {
    entity,
    system,
    // The checks refuse a binding without table (or resource) or key.
    table: raw.table ?? raw.resource ?? "",
    key: raw.key ?? "",
    direction: raw.direction,
    create: raw.create,
    ...(raw.filter !== undefined && { filter: raw.filter }),
    fields: Object.entries(raw.fields).map(([field, mapping]) => toFieldMapping(field, mapping)),
  };
}

function toSystemDef(name: string, raw: RawConfig["systems"][string], context: NormalizeContext): SystemDef {
  const { connector, pollEvery, ...given } = raw;
  // Keep what the connector's schema made of the options (its defaults included).
  const parsed = context.connectors.get(connector)?.optionsSchema.safeParse(given);
  const options = parsed?.success === true && isRecord(parsed.data) ? parsed.data : given;
  const path = options["path"];
  return {
    name,
    connector,
    ...(typeof pollEvery === "string" ? { pollEveryMs: parseDuration(pollEvery, `systems.${name}.pollEvery`) } : {}),
    options: typeof path === "string" ? { ...options, path: resolveFilePath(path, context.baseDir) } : options,
  };
}

function toLimits(raw: RawConfig["limits"]): Limits {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
}

function resolveHub(hub: string, baseDir: string): string {
  const prefix = "sqlite:";
  if (!hub.startsWith(prefix)) return hub;
  return prefix + resolveFilePath(hub.slice(prefix.length), baseDir);
}

// In-memory databases and URIs are not files in the config's folder.
function resolveFilePath(path: string, baseDir: string): string {
  if (path === "" || path === ":memory:" || path.startsWith("file:") || path.includes("://") || isAbsolute(path)) {
    return path;
  }
  return resolve(baseDir, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

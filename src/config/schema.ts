import { z } from "zod";

/**
 * The YAML file's shape, shorthands included. Every object is strict so that a misspelt key is
 * reported instead of silently ignored. Checks that need more than one place of the file
 * (a system named in `priority` exists, a mapped field is declared) live in `check-config.ts`;
 * turning this shape into the resolved model lives in `normalize-config.ts`.
 */

/** Where the hub lives when the config does not say. */
export const DEFAULT_HUB = "sqlite:.concord/hub.db";

/** The field types, in the order the docs list them. */
export const FIELD_TYPES = [
  "string",
  "number",
  "decimal",
  "boolean",
  "date",
  "datetime",
  "enum",
  "json",
  "ref",
] as const;

/** The named transforms a mapping may use, with the field types each applies to. */
export const NAMED_TRANSFORMS: Readonly<Record<string, readonly (typeof FIELD_TYPES)[number][]>> = {
  cents: ["decimal", "number"],
};

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const systemName = z.string().regex(NAME, { error: "a system name is letters, digits, _ and -" });
const entityName = z.string().regex(NAME, { error: "an entity name is letters, digits, _ and -" });
// Field names appear bare in JSONata filters, so they must be identifiers there too.
const fieldName = z.string().regex(FIELD_NAME, { error: "a field name is letters, digits and _" });

const fieldType = z.enum(FIELD_TYPES);

const fieldObject = z.strictObject({
  type: fieldType,
  required: z.boolean().default(false),
  format: z.enum(["email", "phone", "url"]).optional(),
  values: z.array(z.string()).min(1).optional(),
  entity: z.string().optional(),
  sensitive: z.boolean().default(false),
  shareWith: z.array(z.string()).default([]),
});

/** A canonical field: a type name (`firstName: string`) or an object. */
export const fieldSchema = z.union([fieldType, fieldObject], {
  error: (issue) =>
    typeof issue.input === "string"
      ? `unknown field type "${issue.input}" (expected one of ${FIELD_TYPES.join(", ")})`
      : "expected a field type (string, number, …) or { type, required, … }",
});

const transformSchema = z.union(
  [z.string(), z.strictObject({ in: z.string().optional(), out: z.string().optional() })],
  { error: 'expected a transform name ("cents") or { in: JSONATA, out: JSONATA }' },
);

const mappingObject = z
  .strictObject({
    column: z.string().optional(),
    path: z.string().optional(),
    map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    format: z.string().optional(),
    transform: transformSchema.optional(),
    default: z.unknown().optional(),
  })
  .refine((m) => m.column !== undefined || m.path !== undefined, { error: "a mapping needs a column or a path" });

/** How a canonical field maps to a native one: a column name (`email: email_addr`) or an object. */
export const mappingSchema = z.union([z.string(), mappingObject], {
  error: "expected a column name or { column | path, map, format, transform, default }",
});

/** How an entity lives in one system. `key` and `table` are checked in `check-config.ts`. */
export const bindingSchema = z.strictObject({
  table: z.string().optional(),
  /** Alias of `table`, reads better for API resources. */
  resource: z.string().optional(),
  key: z.string().optional(),
  direction: z.enum(["both", "in", "out"]).default("both"),
  create: z.boolean().default(true),
  filter: z.string().optional(),
  fields: z.record(fieldName, mappingSchema),
});

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)], {
  error: "expected a name or a list of names",
});

/** One synced kind of record. */
export const entitySchema = z.strictObject({
  fields: z.record(fieldName, fieldSchema),
  match: z.array(stringOrList).optional(),
  resolve: z.enum(["newest", "priority", "manual"]).default("newest"),
  priority: z.array(z.string()).optional(),
  owners: z.record(z.string(), stringOrList).optional(),
  deletes: z
    .strictObject({
      from: z.array(z.string()).optional(),
      action: z.enum(["delete", "unlink", "ignore"]).default("delete"),
    })
    .optional(),
  systems: z.record(systemName, bindingSchema),
});

/** A system: its connector kind plus that connector's options, checked by the connector's own schema. */
/** A duration like 500ms, 30s, 2m, 1h. */
export const durationSchema = z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)\s*$/, {
  message: "expected a duration like 500ms, 30s, 2m or 1h",
});

/**
 * A system: its connector, `pollEvery` (how often the daemon polls it, whatever its connector),
 * and connector options, checked by the connector's own schema.
 */
export const systemSchema = z.looseObject({ connector: z.string(), pollEvery: durationSchema.optional() });

const count = z.int().nonnegative();

/** Safety limits checked before a run writes. */
export const limitsSchema = z.strictObject({
  maxDeletesPerRun: count.optional(),
  maxChangedShare: z.number().min(0).max(1).optional(),
  maxChangesPerActor: count.optional(),
  minRecordsForShare: count.optional(),
});

/** The whole `concord.yaml`. */
export const configSchema = z.strictObject({
  hub: z.string().default(DEFAULT_HUB),
  systems: z.record(systemName, systemSchema),
  entities: z.record(entityName, entitySchema),
  limits: limitsSchema.default({}),
});

/** The file as parsed, defaults filled in but shorthands not yet expanded. */
export type RawConfig = z.output<typeof configSchema>;
export type RawEntity = z.output<typeof entitySchema>;
export type RawField = z.output<typeof fieldSchema>;
export type RawMapping = z.output<typeof mappingSchema>;
export type RawBinding = z.output<typeof bindingSchema>;

/** The JSON Schema of `concord.yaml` (input side, with defaults), for `concord schema` and editors. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
}

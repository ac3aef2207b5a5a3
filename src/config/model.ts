/**
 * The resolved, validated config that the rest of Concord reads. The YAML loader
 * (`load-config.ts`) is the only producer; everything here is normalized (defaults filled in,
 * shorthands expanded) and frozen, so no other module needs to know the YAML's shorthands.
 */

/** The types a canonical field can have. */
export type FieldType = "string" | "number" | "decimal" | "boolean" | "date" | "datetime" | "enum" | "json" | "ref";

/** Validation formats for string fields; they also pick the normalization used by match keys. */
export type StringFormat = "email" | "phone" | "url";

/** One canonical field of an entity. */
export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly format?: StringFormat;
  /** For `enum`: the allowed canonical values. */
  readonly values?: readonly string[];
  /** For `ref`: the referenced entity. */
  readonly entity?: string;
  /** Never logged or journaled in clear; written only to `shareWith` systems. */
  readonly sensitive: boolean;
  readonly shareWith: readonly string[];
}

/** A named transform (`cents`) or a pair of JSONata expressions. */
export type TransformSpec =
  | { readonly kind: "named"; readonly name: string }
  | { readonly kind: "jsonata"; readonly in?: string; readonly out?: string };

/** How one canonical field maps to one native column or JSON path in one binding. */
export interface FieldMapping {
  /** Canonical field name. */
  readonly field: string;
  /** Native column name (SQL) or dotted path (JSON APIs, `path:`); `column` wins if both. */
  readonly column: string;
  readonly path?: string;
  /** Native value → canonical value; inverted for writes. Keys are native values as strings. */
  readonly map?: Readonly<Record<string, string | number | boolean | null>>;
  /** Luxon format of a date or datetime stored as text natively, e.g. "MM/dd/yyyy". */
  readonly format?: string;
  readonly transform?: TransformSpec;
  /** Canonical value used when the native value is missing or null. */
  readonly default?: unknown;
}

/** Which way data flows between the hub and one system for one entity. */
export type Direction = "both" | "in" | "out";

/** How one entity lives in one system. */
export interface Binding {
  readonly entity: string;
  readonly system: string;
  /** Table or resource name. */
  readonly table: string;
  /** Native key column. */
  readonly key: string;
  readonly direction: Direction;
  /** Whether golden records missing in this system are created there. */
  readonly create: boolean;
  /** JSONata boolean expression over canonical fields. */
  readonly filter?: string;
  readonly fields: readonly FieldMapping[];
}

export type ResolveRule = "newest" | "priority" | "manual";
export type DeleteAction = "delete" | "unlink" | "ignore";

/** One synced kind of record. */
export interface EntityDef {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldDef>>;
  /** Alternatives of match keys, tried in order; each is a list of canonical field names. */
  readonly match: readonly (readonly string[])[];
  readonly resolve: ResolveRule;
  /** Systems in order of precedence (earlier wins); systems not declared in `priority` follow in declaration order. */
  readonly priority: readonly string[];
  /** Per field: the systems allowed to change it, in precedence order. Absent: every system. */
  readonly owners: Readonly<Record<string, readonly string[]>>;
  /** Systems whose deletes count (default: every binding with direction both/in), and what they do. */
  readonly deletes: { readonly from: readonly string[]; readonly action: DeleteAction };
  /** Bindings by system name. */
  readonly bindings: Readonly<Record<string, Binding>>;
}

/** One connected store. Connector-specific options are validated by the connector's schema. */
export interface SystemDef {
  readonly name: string;
  readonly connector: string;
  /** How often `concord run` polls this system (milliseconds), from `pollEvery`. */
  readonly pollEveryMs?: number;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface Limits {
  readonly maxDeletesPerRun?: number;
  /** Share (0..1) of a system's linked records that one run may update or delete. */
  readonly maxChangedShare?: number;
  /** Golden field changes that one source system may cause in one run. */
  readonly maxChangesPerActor?: number;
  /** The share limit applies only to systems with at least this many linked records (default 10). */
  readonly minRecordsForShare?: number;
}

/** The whole config. */
export interface ConcordConfig {
  /** Absolute path of the config file; relative paths in it resolve against its folder. */
  readonly file: string;
  readonly baseDir: string;
  /** `sqlite:PATH` (PATH absolute after loading) or `postgres://…`. */
  readonly hub: string;
  readonly systems: Readonly<Record<string, SystemDef>>;
  readonly entities: Readonly<Record<string, EntityDef>>;
  /** Entity names ordered so that referenced entities come before those that reference them. */
  readonly entityOrder: readonly string[];
  readonly limits: Limits;
}

import { ResourceTables } from "../resource-tables.js";
import type { ResourceSpec } from "../connector.js";
import { type PostgresSession, quoteIdent } from "./postgres-session.js";

/** How a column's values must be prepared for writing. */
export type ValueKind = "json" | "date" | "timestamp" | "numeric" | "array" | "other";

/** A column as the catalog declares it. */
export interface TableColumn {
  readonly name: string;
  /** `format_type`: a type name that can be written in a cast, e.g. `character varying(20)`. */
  readonly type: string;
  /**
   * The type without its modifier (`character varying`, `bpchar`), for casting bound values:
   * a cast to `varchar(20)` would silently truncate, where assigning to the column refuses.
   */
  readonly castType: string;
  readonly notnull: boolean;
  readonly kind: ValueKind;
}

/** The columns of a table or view in `schema`, and its oid; undefined when there is none. */
export async function tableColumns(
  session: PostgresSession,
  table: string,
): Promise<{ oid: number; columns: TableColumn[] } | undefined> {
  const rows = await session.rows<{
    oid: number;
    name: string;
    type: string;
    cast_type: string;
    notnull: boolean;
    typname: string;
  }>(
    `describing ${table}`,
    `SELECT c.oid::int AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            format_type(a.atttypid, -1) AS cast_type,
            a.attnotnull AS notnull, coalesce(nullif(b.typname, ''), t.typname) AS typname
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type b ON b.oid = t.typbasetype AND t.typtype = 'd'
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY a.attnum`,
    [session.schema, table],
  );
  const first = rows[0];
  if (!first) return undefined;
  return {
    oid: first.oid,
    columns: rows.map((r) => ({
      name: r.name,
      type: r.type,
      castType: r.cast_type,
      notnull: r.notnull,
      kind: kindOf(r.typname),
    })),
  };
}

function kindOf(typname: string): ValueKind {
  if (typname.startsWith("_")) return "array";
  if (typname === "json" || typname === "jsonb") return "json";
  if (typname === "date") return "date";
  if (typname === "timestamp" || typname === "timestamptz") return "timestamp";
  if (typname === "numeric" || typname === "money") return "numeric";
  return "other";
}

/** A resource resolved against its table: quoted names, types, and how to address a key. */
export interface TableInfo {
  readonly spec: ResourceSpec;
  readonly schema: string;
  readonly oid: number;
  /** Schema-qualified and quoted. */
  readonly table: string;
  /** Quoted columns Concord reads, in the spec's order. */
  readonly columns: readonly string[];
  readonly key: string;
  /** The key column's type, for casts of keys bound as text (so that its index is used). */
  readonly keyType: string;
  /** The key as text, the form every key takes in SourceChanges and WriteResults. */
  readonly keyText: string;
  /** Value kinds by column name, for writing. */
  readonly kinds: ReadonlyMap<string, ValueKind>;
  /** Modifier-free types by column name, for casts of values bound in a VALUES list. */
  readonly castTypes: ReadonlyMap<string, string>;
}

/** Resolves resources to tables once per connection. */
export class PostgresTables extends ResourceTables<TableInfo> {
  constructor(session: PostgresSession, resources: readonly ResourceSpec[]) {
    super(
      resources,
      (spec) => describePostgresTable(session, spec),
      (resource) => session.error(`"${resource}" is not a resource of this system`),
    );
  }
}

/** Reads one table's shape; fails naming the table or column that is missing. */
async function describePostgresTable(session: PostgresSession, spec: ResourceSpec): Promise<TableInfo> {
  const found = await tableColumns(session, spec.name);
  if (!found) throw session.error(`table "${session.schema}"."${spec.name}" does not exist`);
  const keyColumn = found.columns.find((c) => c.name === spec.key);
  if (!keyColumn) throw session.error(`table "${spec.name}" has no key column "${spec.key}"`);
  const key = quoteIdent(spec.key);
  const info: TableInfo = {
    spec,
    schema: session.schema,
    oid: found.oid,
    table: `${quoteIdent(session.schema)}.${quoteIdent(spec.name)}`,
    columns: spec.columns.map(quoteIdent),
    key,
    keyType: keyColumn.type,
    keyText: `${key}::text`,
    kinds: new Map(found.columns.map((c) => [c.name, c.kind])),
    castTypes: new Map(found.columns.map((c) => [c.name, c.castType])),
  };
  return info;
}

import type { ResourceSpec } from "../connector.js";
import { quoteIdent, type SqliteSession } from "./sqlite-database.js";

/** A column as `PRAGMA table_info` reports it. */
export interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly pk: number;
}

/** The columns of a table or view; empty when there is no such table. */
export function tableColumns(session: SqliteSession, table: string): TableColumn[] {
  return session.db
    .prepare<[string], TableColumn>('SELECT name, type, "notnull", pk FROM pragma_table_info(?)')
    .all(table);
}

/** A resource resolved against its table: quoted names and how to address a key. */
export interface TableInfo {
  readonly spec: ResourceSpec;
  readonly table: string;
  /** Quoted columns Concord reads, in the spec's order. */
  readonly columns: readonly string[];
  readonly key: string;
  /** The key as text, the form every key takes in SourceChanges and WriteResults. */
  readonly keyText: string;
  /**
   * What a bound text key is compared with. A typed key column converts the text by its affinity
   * (and keeps its index); an untyped one (BLOB affinity) converts nothing, so it is compared as text.
   */
  readonly keyMatch: string;
  /** Whether the table has a rowid to page on (not a WITHOUT ROWID table or a view). */
  readonly hasRowid: boolean;
}

/** SQLite's column affinity rules (https://sqlite.org/datatype3.html#determination_of_column_affinity). */
function hasBlobAffinity(declaredType: string): boolean {
  const t = declaredType.toUpperCase();
  if (t.includes("INT") || t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return false;
  return t === "" || t.includes("BLOB");
}

/** Resolves resources to tables once per connection. */
export class SqliteTables {
  readonly #session: SqliteSession;
  readonly #specs: ReadonlyMap<string, ResourceSpec>;
  readonly #cache = new Map<string, TableInfo>();

  constructor(session: SqliteSession, resources: readonly ResourceSpec[]) {
    this.#session = session;
    this.#specs = new Map(resources.map((r) => [r.name, r]));
  }

  /** The resources of this system. */
  get specs(): Iterable<ResourceSpec> {
    return this.#specs.values();
  }

  /** Whether `resource` is one of this system's resources. */
  has(resource: string): boolean {
    return this.#specs.has(resource);
  }

  /** Forgets what was learnt from the schema (on close: the file may change meanwhile). */
  clear(): void {
    this.#cache.clear();
  }

  /** The table behind a resource; fails naming it when it is unknown or missing. */
  get(resource: string): TableInfo {
    const cached = this.#cache.get(resource);
    if (cached) return cached;
    const spec = this.#specs.get(resource);
    if (!spec) throw this.#session.error(`"${resource}" is not a resource of this system`);
    const columns = tableColumns(this.#session, spec.name);
    if (columns.length === 0) throw this.#session.error(`table "${spec.name}" does not exist`);
    const keyColumn = columns.find((c) => c.name.toLowerCase() === spec.key.toLowerCase());
    if (!keyColumn) throw this.#session.error(`table "${spec.name}" has no key column "${spec.key}"`);
    const key = quoteIdent(spec.key);
    const keyText = `CAST(${key} AS TEXT)`;
    const info: TableInfo = {
      spec,
      table: quoteIdent(spec.name),
      columns: spec.columns.map(quoteIdent),
      key,
      keyText,
      keyMatch: hasBlobAffinity(keyColumn.type) ? keyText : key,
      // A column named rowid would hide the real one, which may then not be unique.
      hasRowid: !columns.some((c) => c.name.toLowerCase() === "rowid") && this.#hasRowid(spec.name),
    };
    this.#cache.set(resource, info);
    return info;
  }

  #hasRowid(table: string): boolean {
    try {
      this.#session.db.prepare(`SELECT rowid FROM ${quoteIdent(table)} LIMIT 0`);
      return true;
    } catch {
      return false;
    }
  }
}

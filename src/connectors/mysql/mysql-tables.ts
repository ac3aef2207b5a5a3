import { ResourceTables } from "../resource-tables.js";
import type { ResourceSpec } from "../connector.js";
import { type MysqlSession, quoteIdent, type Sql } from "./mysql-database.js";

/** A column as information_schema describes it. */
export interface TableColumn {
  readonly name: string;
  /** `DATA_TYPE`: int, varchar, decimal, … */
  readonly dataType: string;
  /** `COLUMN_TYPE`: int(11) unsigned, decimal(20,4), … */
  readonly columnType: string;
  readonly nullable: boolean;
  readonly primary: boolean;
  readonly autoIncrement: boolean;
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint"]);

/** The columns of a table or view, in order; empty when there is no such table. */
export async function tableColumns(sql: Sql, session: MysqlSession, table: string): Promise<TableColumn[]> {
  const rows = await sql.objects<{
    tableName: string;
    name: string;
    dataType: string;
    columnType: string;
    nullable: string;
    columnKey: string;
    extra: string;
  }>(
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
       IS_NULLABLE AS nullable, COLUMN_KEY AS columnKey, EXTRA AS extra
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [table],
  );
  // information_schema compares names without case; the server does only when told to.
  const caseBlind = session.server.lowerCaseTableNames > 0;
  return rows
    .filter((r) => caseBlind || r.tableName === table)
    .map((r) => ({
      name: r.name,
      dataType: r.dataType.toLowerCase(),
      columnType: r.columnType,
      nullable: r.nullable === "YES",
      primary: r.columnKey === "PRI",
      autoIncrement: /auto_increment/i.test(r.extra),
    }));
}

/** A resource resolved against its table: quoted names and how to address a key. */
export interface TableInfo {
  readonly spec: ResourceSpec;
  readonly table: string;
  /** Quoted columns Concord reads, in the spec's order. */
  readonly columns: readonly string[];
  readonly key: string;
  readonly keyColumn: TableColumn;
  /** The key as text, the form every key takes in SourceChanges and WriteResults. */
  readonly keyText: string;
  /** Every column of the table by lower-cased name. */
  readonly byName: ReadonlyMap<string, TableColumn>;
}

/** Whether `key` (a key as text) can address a row of this table: an integer key takes only digits. */
export function addressable(info: TableInfo, key: string): boolean {
  // MySQL would compare 'abc' with an integer column as 0 and address the row whose key is 0.
  return !INTEGER_TYPES.has(info.keyColumn.dataType) || /^-?\d+$/.test(key);
}

/**
 * A key value as text, the form of `CAST(key AS CHAR)`; undefined for NULL. Keys are numbers or
 * text in practice; anything else gets a stable, if unusual, text.
 */
export function keyTextOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return JSON.stringify(value);
}

/** Value of a row's column, the column named without regard to case (as MySQL names columns). */
export function columnValue(row: Readonly<Record<string, unknown>>, column: string): unknown {
  const wanted = column.toLowerCase();
  return Object.entries(row).find(([name]) => name.toLowerCase() === wanted)?.[1];
}

/** Resolves resources to tables once per connection. */
export class MysqlTables extends ResourceTables<TableInfo> {
  constructor(session: MysqlSession, resources: readonly ResourceSpec[]) {
    super(
      resources,
      (spec) => describeMysqlTable(session, spec),
      (resource) => session.error(`"${resource}" is not a resource of this system`),
    );
  }
}

/** Reads one table's shape; fails naming the table or column that is missing. */
async function describeMysqlTable(session: MysqlSession, spec: ResourceSpec): Promise<TableInfo> {
  const columns = await session.run(`reading the columns of ${spec.name}`, (sql) =>
    tableColumns(sql, session, spec.name),
  );
  if (columns.length === 0) throw session.error(`table "${spec.name}" does not exist in ${session.where}`);
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const keyColumn = byName.get(spec.key.toLowerCase());
  if (!keyColumn) throw session.error(`table "${spec.name}" has no key column "${spec.key}"`);
  const missing = spec.columns.filter((c) => !byName.has(c.toLowerCase()));
  if (missing.length > 0) {
    throw session.error(`table "${spec.name}" has no column ${missing.map((c) => `"${c}"`).join(", ")}`);
  }
  const key = quoteIdent(spec.key);
  const info: TableInfo = {
    spec,
    table: quoteIdent(spec.name),
    columns: spec.columns.map(quoteIdent),
    key,
    keyColumn,
    keyText: `CAST(${key} AS CHAR)`,
    byName,
  };
  return info;
}

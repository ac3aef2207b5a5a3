import mysql from "mysql2/promise";
import type { Connector, ResourceSpec } from "../../src/connectors/connector.js";
import { mysqlConnector } from "../../src/connectors/mysql/index.js";
import type { NativeRow } from "../../src/core/types.js";
import { type MysqlTestDatabase, mysqlConnectionOptions } from "../helpers/mysql-database.js";
import type { ConnectorHarness, PortableType, TableSpec } from "./connector-harness.js";

const SQL_TYPES: Record<PortableType, string> = {
  text: "VARCHAR(255)",
  integer: "INT",
  decimal: "DECIMAL(20,4)",
  date: "DATE",
  boolean: "BOOLEAN",
};

/** Quotes an identifier in the test's own SQL. */
export const q = (name: string): string => `\`${name.replaceAll("`", "``")}\``;

/** The column poll capture follows in the harness's tables, kept by the server itself. */
export const POLL_COLUMN = "updated_at";

/** A database, an application connection to it, and connectors for it. */
export interface MysqlFixture {
  readonly db: MysqlTestDatabase;
  /** The application's own connection. */
  readonly app: mysql.Connection;
  /** An opened connector (system "erp") with these options besides the URL. */
  readonly connect: (resources: readonly ResourceSpec[], options?: Record<string, unknown>) => Promise<Connector>;
  readonly cleanup: () => Promise<void>;
}

/** Connects the application to a test database; `cleanup` closes everything and drops the database. */
export async function mysqlFixture(
  db: MysqlTestDatabase,
  defaults: Record<string, unknown> = {},
): Promise<MysqlFixture> {
  const app = await mysql.createConnection({ ...mysqlConnectionOptions(db.database), dateStrings: ["DATE"] });
  const opened: Connector[] = [];
  return {
    db,
    app,
    connect: async (resources, options = {}) => {
      const parsed = mysqlConnector.optionsSchema.parse({ url: db.url, ...defaults, ...options });
      const connector = mysqlConnector.create(parsed, { system: "erp", baseDir: process.cwd(), resources });
      await connector.open();
      opened.push(connector);
      return connector;
    },
    cleanup: async () => {
      for (const connector of opened.splice(0)) await connector.close();
      await app.end();
      await db.drop();
    },
  };
}

/** The contract harness on a test database, for one capture mode. */
export async function mysqlHarness(
  db: MysqlTestDatabase,
  capture: "trigger" | "poll" | "binlog",
): Promise<ConnectorHarness> {
  const fx = await mysqlFixture(db, { capture });
  const { app } = fx;
  return {
    async createTable(spec: TableSpec) {
      const key = spec.key.generated
        ? `${q(spec.key.name)} INT AUTO_INCREMENT PRIMARY KEY`
        : `${q(spec.key.name)} VARCHAR(64) NOT NULL PRIMARY KEY`;
      const columns = spec.columns.map((c) => `${q(c.name)} ${SQL_TYPES[c.type]}${c.unique ? " UNIQUE" : ""}`);
      if (capture === "poll") {
        columns.push(
          `${q(POLL_COLUMN)} DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`,
        );
      }
      await app.query(`CREATE TABLE ${q(spec.name)} (${[key, ...columns].join(", ")})`);
    },
    async insert(spec: TableSpec, rows: readonly NativeRow[]) {
      await app.beginTransaction();
      const keys: string[] = [];
      for (const row of rows) {
        const columns = Object.keys(row);
        const [result] = await app.query<mysql.ResultSetHeader>(
          `INSERT INTO ${q(spec.name)} (${columns.map(q).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
          Object.values(row),
        );
        keys.push(spec.key.generated ? String(result.insertId) : String(row[spec.key.name]));
      }
      await app.commit();
      return keys;
    },
    async update(spec: TableSpec, key: string, values: NativeRow) {
      const sets = Object.keys(values).map((c) => `${q(c)} = ?`);
      await app.query(`UPDATE ${q(spec.name)} SET ${sets.join(", ")} WHERE ${q(spec.key.name)} = ?`, [
        ...Object.values(values),
        key,
      ]);
    },
    async delete(spec: TableSpec, key: string) {
      await app.query(`DELETE FROM ${q(spec.name)} WHERE ${q(spec.key.name)} = ?`, [key]);
    },
    async rows(spec: TableSpec) {
      const [rows] = await app.query<mysql.RowDataPacket[]>(
        `SELECT * FROM ${q(spec.name)} ORDER BY ${q(spec.key.name)}`,
      );
      return rows;
    },
    connect: (resources) => fx.connect(resources),
    cleanup: () => fx.cleanup(),
  };
}

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pg from "pg";
import { createMysqlTestDatabase, mysqlConnectionOptions, mysqlSkipReason } from "./mysql-database.js";
import { createTestDatabase, postgresSkipReason } from "./postgres-database.js";
import { type CliResult, SqliteWorld, type SyncJson } from "./sqlite-world.js";

/** The shipped example: examples/design/ (concord.yaml and schema/*.sql). */
export const designExampleDir = fileURLToPath(new URL("../../examples/design/", import.meta.url));

/**
 * The example of DESIGN.md as shipped, on fresh databases: crm on PostgreSQL, erp on MariaDB,
 * shop on SQLite in the world's folder, each made from the shipped schema, and the shipped
 * concord.yaml pointed at them through CRM_URL and ERP_URL.
 */
export interface DesignExample {
  readonly world: SqliteWorld;
  readonly crm: pg.Pool;
  /** The ERP application's own connection; its DATE columns read as text. */
  readonly erp: mysql.Connection;
  /** The environment the CLI runs with. */
  readonly env: Readonly<Record<string, string>>;
  /** `concord ARGS --json` on the example; `raw` leaves out --json. */
  cli(args: readonly string[], raw?: boolean): Promise<CliResult>;
  /** `concord sync ARGS --json`, parsed; throws when it printed no summary. */
  sync(...args: string[]): Promise<SyncJson & { code: number }>;
  close(): Promise<void>;
}

function schema(file: string): string {
  return fs.readFileSync(path.join(designExampleDir, "schema", file), "utf8");
}

/** Makes the three systems; the reason to skip when a server does not answer. */
export async function designExample(): Promise<DesignExample | string> {
  const crmDb = await createTestDatabase("design_crm");
  if (crmDb === undefined) return postgresSkipReason();
  const erpDb = await createMysqlTestDatabase("design_erp");
  if (erpDb === undefined) {
    await crmDb.drop();
    return mysqlSkipReason();
  }
  const crm = new pg.Pool({ connectionString: crmDb.url, max: 2 });
  // Dropping the database WITH (FORCE) may terminate a connection still closing: not a failure.
  crm.on("error", () => undefined);
  const erp = await mysql.createConnection({ ...mysqlConnectionOptions(erpDb.database), multipleStatements: true });
  await crm.query(schema("crm.postgres.sql"));
  await erp.query(schema("erp.mariadb.sql"));
  const world = new SqliteWorld("concord-design-");
  world.system("shop", schema("shop.sqlite.sql"));
  fs.copyFileSync(path.join(designExampleDir, "concord.yaml"), path.join(world.dir, "concord.yaml"));
  const env = { CRM_URL: crmDb.url, ERP_URL: erpDb.url };

  const cli = (args: readonly string[], raw = false) => world.cli(args, { env, raw });
  return {
    world,
    crm,
    erp,
    env,
    cli,
    async sync(...args) {
      const result = await cli(["sync", ...args]);
      if (result.json === undefined || typeof result.json !== "object") {
        throw new Error(`sync printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
      }
      return { ...(result.json as SyncJson), code: result.code };
    },
    async close() {
      await crm.end();
      await erp.end();
      world.close();
      await crmDb.drop();
      await erpDb.drop();
    },
  };
}

/** Each system's contacts as `email|…` lines, sorted by e-mail: the columns each one binds. */
export async function contactRows(x: DesignExample): Promise<Record<"crm" | "erp" | "shop", string[]>> {
  const crm = await x.crm.query<{ v: string }>(
    `SELECT concat_ws('|', email, first_name, last_name, coalesce(birth_date::text, '-'), coalesce(plan, '-')) v
     FROM contacts ORDER BY email`,
  );
  const [erp] = await x.erp.query<(mysql.RowDataPacket & { v: string })[]>(
    `SELECT concat_ws('|', email_addr, fname, lname, coalesce(dob, '-')) v FROM customers ORDER BY email_addr`,
  );
  const shop = x.world.system("shop").prepare("SELECT email || '|' || first || '|' || last v FROM customers").all() as {
    v: string;
  }[];
  return {
    crm: crm.rows.map((r) => r.v),
    erp: erp.map((r) => r.v),
    shop: shop.map((r) => r.v).sort(),
  };
}

/** One order as a system holds it: number, its customer's e-mail, the total as stored there. */
export type OrderRow = [number: string, email: string | null, total: string | number | null];

/** crm's and erp's orders joined to their customers through their own keys, sorted by number. */
export async function orderRows(x: DesignExample): Promise<{ crm: OrderRow[]; erp: OrderRow[] }> {
  const crm = await x.crm.query<{ n: string; e: string | null; t: string | null }>(
    "SELECT o.order_no n, c.email e, o.amount::text t FROM orders o LEFT JOIN contacts c ON c.id = o.contact_id ORDER BY 1",
  );
  const [erp] = await x.erp.query<(mysql.RowDataPacket & { n: string; e: string | null; t: number | null })[]>(
    `SELECT o.so_number n, c.email_addr e, o.total_cents t
     FROM sales_orders o LEFT JOIN customers c ON c.cust_no = o.cust_no ORDER BY 1`,
  );
  return { crm: crm.rows.map((r) => [r.n, r.e, r.t]), erp: erp.map((r) => [r.n, r.e, r.t]) };
}

import pg from "pg";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "./postgres-database.js";
import { SqliteWorld } from "./sqlite-world.js";

/**
 * Three systems that keep contacts and the orders that reference them, stored three ways:
 * crm on PostgreSQL (trigger capture), erp on PostgreSQL (logical capture), shop on SQLite.
 */
export interface ThreeWay {
  readonly world: SqliteWorld;
  readonly crm: pg.Pool;
  readonly erp: pg.Pool;
  close(): Promise<void>;
}

const CRM_DDL = `
  CREATE TABLE contacts (id serial PRIMARY KEY, email text, first_name text, last_name text);
  CREATE TABLE orders (id serial PRIMARY KEY, order_no text, contact_id int REFERENCES contacts(id), amount numeric(12,2));`;
const ERP_DDL = `
  CREATE TABLE customers (cust_no serial PRIMARY KEY, email_addr text, fname text, lname text);
  CREATE TABLE sales_orders (so_id serial PRIMARY KEY, so_number text, cust_no int, total numeric(12,2));`;
const SHOP_DDL = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, first TEXT, last TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, customer_id INTEGER, total_cents INTEGER);`;

function config(crm: TestDatabase, erp: TestDatabase): string {
  return `
hub: sqlite:./hub.db
systems:
  crm:  { connector: postgres, url: "${crm.url}" }
  erp:  { connector: postgres, url: "${erp.url}", capture: logical, slot: ${erp.name}_slot, publication: ${erp.name}_pub }
  shop: { connector: sqlite, path: ./shop.db }
entities:
  contact:
    fields: { email: { type: string, required: true, format: email }, firstName: string, lastName: string }
    match: [email]
    resolve: newest
    priority: [crm, erp, shop]
    systems:
      crm:  { table: contacts, key: id, fields: { email: email, firstName: first_name, lastName: last_name } }
      erp:  { table: customers, key: cust_no, fields: { email: email_addr, firstName: fname, lastName: lname } }
      shop: { table: customers, key: id, fields: { email: email, firstName: first, lastName: last } }
  order:
    fields: { number: { type: string, required: true }, customer: { type: ref, entity: contact }, total: decimal }
    match: [number]
    systems:
      crm:  { table: orders, key: id, fields: { number: order_no, customer: contact_id, total: amount } }
      erp:  { table: sales_orders, key: so_id, fields: { number: so_number, customer: cust_no, total: total } }
      shop: { table: orders, key: id, fields: { number: number, customer: customer_id, total: { column: total_cents, transform: cents } } }
`;
}

/** Makes the three systems; undefined (with the reason) when no PostgreSQL server answers. */
export async function threeWay(prefix: string): Promise<ThreeWay | string> {
  const crmDb = await createTestDatabase(`${prefix}_crm`);
  const erpDb = await createTestDatabase(`${prefix}_erp`);
  if (crmDb === undefined || erpDb === undefined) {
    await crmDb?.drop();
    return postgresSkipReason();
  }
  const crm = new pg.Pool({ connectionString: crmDb.url, max: 2 });
  const erp = new pg.Pool({ connectionString: erpDb.url, max: 2 });
  // Dropping the databases WITH (FORCE) may terminate a connection still closing: not a failure.
  for (const pool of [crm, erp]) pool.on("error", () => undefined);
  await crm.query(CRM_DDL);
  await erp.query(ERP_DDL);
  const world = new SqliteWorld("concord-3way-");
  world.system("shop", SHOP_DDL);
  world.config(config(crmDb, erpDb));
  return {
    world,
    crm,
    erp,
    async close() {
      // Concord's slot must go before its database can.
      await erp
        .query(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()",
        )
        .catch(() => undefined);
      await crm.end();
      await erp.end();
      world.close();
      await crmDb.drop();
      await erpDb.drop();
    },
  };
}

/** One order as every system should show it: number, customer's e-mail, total. */
export type OrderView = [number: string, email: string | null, total: string | null];

const cents = (n: unknown) => (n === null ? null : (Number(n) / 100).toFixed(2));

/** Each system's orders joined to their customers, in canonical terms, sorted by number. */
export async function ordersEverywhere(t: ThreeWay): Promise<Record<"crm" | "erp" | "shop", OrderView[]>> {
  const crm = await t.crm.query<{ n: string; e: string | null; t: string | null }>(
    "SELECT o.order_no n, c.email e, o.amount::text t FROM orders o LEFT JOIN contacts c ON c.id = o.contact_id ORDER BY 1",
  );
  const erp = await t.erp.query<{ n: string; e: string | null; t: string | null }>(
    "SELECT o.so_number n, c.email_addr e, o.total::text t FROM sales_orders o LEFT JOIN customers c ON c.cust_no = o.cust_no ORDER BY 1",
  );
  const shop = t.world
    .system("shop")
    .prepare(
      "SELECT o.number n, c.email e, o.total_cents t FROM orders o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY 1",
    )
    .all() as { n: string; e: string | null; t: number | null }[];
  return {
    crm: crm.rows.map((r) => [r.n, r.e, r.t]),
    erp: erp.rows.map((r) => [r.n, r.e, r.t]),
    shop: shop.map((r) => [r.n, r.e, cents(r.t)]),
  };
}

/** Each system's contacts in canonical terms, sorted by e-mail. */
export async function contactsEverywhere(t: ThreeWay): Promise<Record<"crm" | "erp" | "shop", string[]>> {
  const crm = await t.crm.query<{ v: string }>(
    "SELECT concat_ws('|', email, first_name, last_name) v FROM contacts ORDER BY email",
  );
  const erp = await t.erp.query<{ v: string }>(
    "SELECT concat_ws('|', email_addr, fname, lname) v FROM customers ORDER BY email_addr",
  );
  const shop = t.world
    .system("shop")
    .prepare("SELECT email || '|' || first || '|' || last v FROM customers ORDER BY email")
    .all() as { v: string }[];
  return { crm: crm.rows.map((r) => r.v), erp: erp.rows.map((r) => r.v), shop: shop.map((r) => r.v) };
}

import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld, totalWrites } from "../helpers/sqlite-world.js";

const CONFIG = `
hub: sqlite:./hub.db
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: string }
    match: [email]
    systems:
      crm: { table: contacts, key: id, fields: { email: email } }
      erp: { table: customers, key: no, fields: { email: mail } }
  order:
    fields: { number: string, customer: { type: ref, entity: contact } }
    match: [number]
    systems:
      crm: { table: orders, key: id, fields: { number: number, customer: contact_id } }
      erp: { table: sales, key: no, fields: { number: ref_no, customer: customer_no } }
`;

describe("deletes of related records", () => {
  let w: SqliteWorld;
  afterEach(() => w.close());

  it("go out referencing records first, so the target's foreign keys accept them", async () => {
    w = new SqliteWorld();
    w.system(
      "crm",
      `CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, number TEXT, contact_id INTEGER);
      INSERT INTO contacts VALUES (1, 'ann@example.com'); INSERT INTO orders VALUES (1, 'SO-1', 1);`,
    );
    // erp enforces its foreign key (Concord's connection turns foreign_keys on).
    w.system(
      "erp",
      `CREATE TABLE customers (no INTEGER PRIMARY KEY, mail TEXT);
      CREATE TABLE sales (no INTEGER PRIMARY KEY, ref_no TEXT, customer_no INTEGER NOT NULL REFERENCES customers(no))`,
    );
    w.config(CONFIG);
    expect((await w.sync()).written["erp"]).toEqual({ created: 2, updated: 0, deleted: 0 });

    // The order and its contact go in one transaction.
    w.system("crm").exec("BEGIN; DELETE FROM orders WHERE id = 1; DELETE FROM contacts WHERE id = 1; COMMIT;");
    const s = await w.sync();
    expect(s.errors).toBe(0);
    expect(s.written["erp"]).toEqual({ created: 0, updated: 0, deleted: 2 });
    expect(w.rows("erp", "sales")).toEqual([]);
    expect(w.rows("erp", "customers")).toEqual([]);
    expect(totalWrites(await w.sync())).toBe(0);
  });
});

/**
 * DESIGN.md "References": a ref field holds a uid in the hub. In, the native key is translated
 * through links (a change waits until its referenced record arrives); out, the uid becomes the
 * target's key, and a referenced record the target lacks is created there first.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";
import { edit, expectQuiet, journal, status, syncOk } from "./semantics-helpers.js";

const CONFIG = `
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: string, name: string }
    match: [email]
    systems:
      crm: { table: contacts, key: id, fields: { email: email, name: name } }
      erp: { table: customers, key: cust_no, fields: { email: email_addr, name: cname } }
  order:
    fields: { number: string, customer: { type: ref, entity: contact }, total: decimal }
    match: [number]
    systems:
      crm: { table: orders, key: id, fields: { number: order_no, customer: contact_id, total: amount } }
      erp: { table: sales_orders, key: so_id, fields: { number: so_number, customer: cust_no, total: { column: total_cents, transform: cents } } }
`;

let w: SqliteWorld;
afterEach(() => w.close());

/** crm and erp with their own key spaces: crm's contact ids start at 100, erp's at 1. */
function world(crmRows = "", erpRows = ""): void {
  w = new SqliteWorld();
  w.system(
    "crm",
    "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY, order_no TEXT, contact_id INTEGER, amount REAL)",
  );
  w.system(
    "erp",
    "CREATE TABLE customers (cust_no INTEGER PRIMARY KEY, email_addr TEXT, cname TEXT); CREATE TABLE sales_orders (so_id INTEGER PRIMARY KEY, so_number TEXT, cust_no INTEGER, total_cents INTEGER)",
  );
  if (crmRows !== "") w.system("crm").exec(crmRows);
  if (erpRows !== "") w.system("erp").exec(erpRows);
  w.config(CONFIG);
}

describe("references in", () => {
  it("an order whose contact has not arrived yet waits, and applies once the contact arrives", async () => {
    world();
    await syncOk(w, "--full");
    // crm's application writes the order first; its contact 107 comes later.
    edit(w, "crm", "INSERT INTO orders VALUES (1, 'SO-1', 107, 12.5)");
    const waiting = await syncOk(w);
    expect(waiting.written["erp"] ?? { created: 0 }).toMatchObject({ created: 0 });
    expect(w.rows("erp", "sales_orders")).toEqual([]);
    expect((await status(w)).parked).toBe(1);

    edit(w, "crm", "INSERT INTO contacts VALUES (107, 'ann@example.com', 'Ann')");
    const s = await syncOk(w);
    expect(s.written["erp"]).toEqual({ created: 2, updated: 0, deleted: 0 });
    expect((await status(w)).parked).toBe(0);
    expect(w.rows("erp", "customers")).toEqual([{ cust_no: 1, email_addr: "ann@example.com", cname: "Ann" }]);
    expect(w.rows("erp", "sales_orders")).toEqual([{ so_id: 1, so_number: "SO-1", cust_no: 1, total_cents: 1250 }]);
    await expectQuiet(w);
  });

  it("translates a system's native key to the uid of the record linked to it", async () => {
    world(
      "INSERT INTO contacts VALUES (100, 'ann@example.com', 'Ann'), (101, 'bo@example.com', 'Bo')",
      "INSERT INTO customers VALUES (1, 'bo@example.com', 'Bo'), (2, 'ann@example.com', 'Ann')",
    );
    await syncOk(w, "--full");
    edit(w, "erp", "INSERT INTO sales_orders VALUES (9, 'SO-9', 2, 999)");
    const s = await syncOk(w);
    // erp's customer 2 is crm's contact 100.
    expect(w.rows("crm", "orders")).toEqual([{ id: 1, order_no: "SO-9", contact_id: 100, amount: 9.99 }]);
    const created = await journal(w, "create", "--run", s.runId);
    const contactUid = (await journal(w, "link")).find((e) => e.system === "erp" && e.key === "2")?.uid;
    expect(created).toMatchObject([{ entity: "order", system: "erp", after: { customer: contactUid } }]);
    await expectQuiet(w);
  });
});

describe("references out", () => {
  it("writes the target's own key for the referenced record", async () => {
    world(
      "INSERT INTO contacts VALUES (100, 'ann@example.com', 'Ann'), (101, 'bo@example.com', 'Bo'); INSERT INTO orders VALUES (1, 'SO-1', 101, 20)",
    );
    w.system("erp").exec("INSERT INTO customers VALUES (40, 'bo@example.com', 'Bo')");
    await syncOk(w, "--full");
    expect(w.rows("erp", "customers")).toEqual([
      { cust_no: 40, email_addr: "bo@example.com", cname: "Bo" },
      { cust_no: 41, email_addr: "ann@example.com", cname: "Ann" },
    ]);
    expect(w.rows("erp", "sales_orders")).toEqual([{ so_id: 1, so_number: "SO-1", cust_no: 40, total_cents: 2000 }]);
    // Re-pointing the order in crm re-points it in erp, in erp's keys.
    edit(w, "crm", "UPDATE orders SET contact_id = 100 WHERE id = 1");
    await syncOk(w);
    expect(w.rows("erp", "sales_orders")[0]).toMatchObject({ cust_no: 41 });
    await expectQuiet(w);
  });

  it("creates the referenced contact in the target first when it is missing there", async () => {
    world("INSERT INTO contacts VALUES (100, 'ann@example.com', 'Ann'); INSERT INTO orders VALUES (1, 'SO-1', 100, 5)");
    // Only orders are propagated: erp gets the order's contact because the order needs it.
    const s = await syncOk(w, "--full", "--entity", "order");
    expect(s.written["erp"]).toEqual({ created: 2, updated: 0, deleted: 0 });
    expect(w.rows("erp", "customers")).toEqual([{ cust_no: 1, email_addr: "ann@example.com", cname: "Ann" }]);
    expect(w.rows("erp", "sales_orders")).toEqual([{ so_id: 1, so_number: "SO-1", cust_no: 1, total_cents: 500 }]);
    const created = (await journal(w, "created", "--run", s.runId)).map((e) => e.entity);
    expect(created).toEqual(["contact", "order"]);
    await expectQuiet(w);
  });
});

/**
 * DESIGN.md "Field merge", rules 1–3 without conflicts: echoes are no-ops, plain edits propagate,
 * owners and directions are enforced, first values are free; then convergence and no loops.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";
import { edit, expectQuiet, journal, syncOk } from "./semantics-helpers.js";

const CRM = "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT)";
const ERP = "CREATE TABLE customers (cust_no INTEGER PRIMARY KEY, email_addr TEXT, fname TEXT, lname TEXT)";

/** A contact entity bound to crm and erp; `extra` goes into the entity, `erpExtra` into erp's binding. */
function config(extra = "", erpExtra = ""): string {
  return `
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: { type: string, format: email }, firstName: string, lastName: string }
    match: [email]
${extra}
    systems:
      crm: { table: contacts, key: id, fields: { email: email, firstName: first_name, lastName: last_name } }
      erp: { table: customers, key: cust_no, fields: { email: email_addr, firstName: fname, lastName: lname }${erpExtra} }
`;
}

let w: SqliteWorld;
afterEach(() => w.close());

/** crm holds Ann; erp is empty; after the first sync erp holds her too. */
async function seeded(extra = "", erpExtra = ""): Promise<void> {
  w = new SqliteWorld();
  w.system("crm", `${CRM}; INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'Lee')`);
  w.system("erp", ERP);
  w.config(config(extra, erpExtra));
  const first = await syncOk(w, "--full");
  expect(first.written["erp"]).toEqual({ created: 1, updated: 0, deleted: 0 });
}

describe("field merge: echoes and plain edits", () => {
  it("a plain edit in one system reaches the others and is journaled with before and after", async () => {
    await seeded();
    edit(w, "crm", "UPDATE contacts SET first_name = 'Annie' WHERE id = 1");
    const s = await syncOk(w);
    expect(s.written["erp"]).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(w.rows("erp", "customers")).toEqual([
      { cust_no: 1, email_addr: "ann@example.com", fname: "Annie", lname: "Lee" },
    ]);
    const golden = await journal(w, "golden", "--run", s.runId);
    expect(golden).toMatchObject([
      { system: "crm", field: "firstName", before: "Ann", after: "Annie", cause: "change" },
    ]);
    const writes = await journal(w, "write", "--run", s.runId);
    expect(writes).toMatchObject([{ system: "erp", before: { firstName: "Ann" }, after: { firstName: "Annie" } }]);
    await expectQuiet(w);
  });

  it("an edit that is undone before the next sync is a no-op (x equals the shadow)", async () => {
    await seeded();
    edit(w, "erp", "UPDATE customers SET lname = 'Changed' WHERE cust_no = 1");
    edit(w, "erp", "UPDATE customers SET lname = 'Lee' WHERE cust_no = 1");
    const s = await syncOk(w);
    expect(s.read).toBe(1);
    expect(s.applied).toBe(0);
    expect(await journal(w, "golden", "--run", s.runId)).toEqual([]);
    expect(w.rows("crm", "contacts")).toEqual([
      { id: 1, email: "ann@example.com", first_name: "Ann", last_name: "Lee" },
    ]);
  });

  it("re-reading what Concord wrote (our own echo) changes nothing and writes nothing", async () => {
    await seeded();
    edit(w, "erp", "UPDATE customers SET fname = 'Anna' WHERE cust_no = 1");
    await syncOk(w);
    expect(w.rows("crm", "contacts")[0]).toMatchObject({ first_name: "Anna" });
    // A full sync reads crm's row with the value we just wrote there: rule 1, nothing happens.
    const full = await syncOk(w, "--full");
    expect(full.read).toBe(2);
    expect(full.applied).toBe(0);
    expect(await journal(w, undefined, "--run", full.runId)).toEqual([]);
    await expectQuiet(w);
  });
});

describe("field merge: owners", () => {
  it("rejects a change from a non-owner, journals it as rejected and writes the golden value back", async () => {
    await seeded("    owners: { email: crm }");
    edit(w, "erp", "UPDATE customers SET email_addr = 'hijack@example.com', fname = 'Ann-Marie' WHERE cust_no = 1");
    const s = await syncOk(w);
    // erp's email is restored; its allowed edit of fname goes through to crm.
    expect(w.rows("erp", "customers")).toEqual([
      { cust_no: 1, email_addr: "ann@example.com", fname: "Ann-Marie", lname: "Lee" },
    ]);
    expect(w.rows("crm", "contacts")).toEqual([
      { id: 1, email: "ann@example.com", first_name: "Ann-Marie", last_name: "Lee" },
    ]);
    expect(s.written).toEqual({
      crm: { created: 0, updated: 1, deleted: 0 },
      erp: { created: 0, updated: 1, deleted: 0 },
    });
    const rejected = await journal(w, "rejected", "--run", s.runId);
    expect(rejected).toMatchObject([{ system: "erp", field: "email", after: "hijack@example.com", cause: "owner" }]);
    const writes = await journal(w, "write", "--run", s.runId, "--system", "erp");
    expect(writes).toMatchObject([{ after: { email: "ann@example.com" } }]);
    await expectQuiet(w);
  });

  it("lets the owner change the field everywhere", async () => {
    await seeded("    owners: { email: crm }");
    edit(w, "crm", "UPDATE contacts SET email = 'ann@new.example' WHERE id = 1");
    await syncOk(w);
    expect(w.rows("erp", "customers")[0]).toMatchObject({ email_addr: "ann@new.example" });
    expect(await journal(w, "rejected")).toEqual([]);
    await expectQuiet(w);
  });

  it("lets any system set a first value: owners govern changes, not first values", async () => {
    w = new SqliteWorld();
    w.system("crm", CRM);
    w.system("erp", `${ERP}; INSERT INTO customers VALUES (7, 'bo@example.com', 'Bo', 'Ek')`);
    w.config(config("    owners: { email: crm, firstName: crm }"));
    const s = await syncOk(w, "--full");
    expect(s.written["crm"]).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(w.rows("crm", "contacts")).toEqual([{ id: 1, email: "bo@example.com", first_name: "Bo", last_name: "Ek" }]);
    expect(await journal(w, "rejected")).toEqual([]);
    // Once set, the non-owner's change is refused.
    edit(w, "erp", "UPDATE customers SET fname = 'Bob' WHERE cust_no = 7");
    await syncOk(w);
    expect(w.rows("erp", "customers")[0]).toMatchObject({ fname: "Bo" });
    expect(await journal(w, "rejected")).toMatchObject([{ system: "erp", field: "firstName", after: "Bob" }]);
    await expectQuiet(w);
  });
});

describe("field merge: directions", () => {
  it("never writes to a system bound with direction: in, but takes its changes", async () => {
    w = new SqliteWorld();
    w.system("crm", `${CRM}; INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'Lee')`);
    w.system("erp", `${ERP}; INSERT INTO customers VALUES (5, 'cy@example.com', 'Cy', 'Oh')`);
    w.config(config("", ", direction: in"));
    const first = await syncOk(w, "--full");
    expect(first.written["erp"]).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(w.rows("erp", "customers")).toEqual([
      { cust_no: 5, email_addr: "cy@example.com", fname: "Cy", lname: "Oh" },
    ]);
    expect(w.rows("crm", "contacts", "id").map((r) => r["email"])).toEqual(["ann@example.com", "cy@example.com"]);
    edit(w, "crm", "UPDATE contacts SET first_name = 'Cyrus' WHERE email = 'cy@example.com'");
    edit(w, "erp", "UPDATE customers SET lname = 'Oh-Park' WHERE cust_no = 5");
    await syncOk(w);
    expect(w.rows("erp", "customers")).toEqual([
      { cust_no: 5, email_addr: "cy@example.com", fname: "Cy", lname: "Oh-Park" },
    ]);
    expect(w.rows("crm", "contacts")[1]).toMatchObject({ first_name: "Cyrus", last_name: "Oh-Park" });
    await expectQuiet(w);
  });

  it("never reads a system bound with direction: out, but writes the golden values to it", async () => {
    await seeded("", ", direction: out");
    edit(w, "erp", "UPDATE customers SET lname = 'Local' WHERE cust_no = 1");
    edit(w, "erp", "INSERT INTO customers VALUES (9, 'zed@example.com', 'Zed', 'Up')");
    const s = await syncOk(w, "--full");
    expect(s.read).toBe(1);
    expect(w.rows("crm", "contacts")).toEqual([
      { id: 1, email: "ann@example.com", first_name: "Ann", last_name: "Lee" },
    ]);
    edit(w, "crm", "UPDATE contacts SET first_name = 'Annie' WHERE id = 1");
    await syncOk(w);
    expect(w.rows("erp", "customers")).toEqual([
      { cust_no: 1, email_addr: "ann@example.com", fname: "Annie", lname: "Local" },
      { cust_no: 9, email_addr: "zed@example.com", fname: "Zed", lname: "Up" },
    ]);
    await expectQuiet(w);
  });
});

describe("convergence", () => {
  it("brings three systems to the golden values after edits everywhere, then writes nothing", async () => {
    w = new SqliteWorld();
    w.system(
      "crm",
      `${CRM}; INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'Lee'), (2, 'bo@example.com', 'Bo', 'Ek')`,
    );
    w.system("erp", `${ERP}; INSERT INTO customers VALUES (1, 'cy@example.com', 'Cy', 'Oh')`);
    w.system("shop", "CREATE TABLE buyers (id INTEGER PRIMARY KEY, mail TEXT, first TEXT, last TEXT)");
    w.config(
      `${config()}      shop: { table: buyers, key: id, fields: { email: mail, firstName: first, lastName: last } }\n`.replace(
        "  erp: { connector: sqlite, path: ./erp.db }",
        "  erp: { connector: sqlite, path: ./erp.db }\n  shop: { connector: sqlite, path: ./shop.db }",
      ),
    );
    await syncOk(w, "--full");
    edit(w, "crm", "UPDATE contacts SET first_name = 'Annie' WHERE email = 'ann@example.com'");
    edit(w, "erp", "UPDATE customers SET lname = 'Eklund' WHERE email_addr = 'bo@example.com'");
    edit(w, "shop", "UPDATE buyers SET first = 'Cyril' WHERE mail = 'cy@example.com'");
    await syncOk(w);
    const expected = [
      ["ann@example.com", "Annie", "Lee"],
      ["bo@example.com", "Bo", "Eklund"],
      ["cy@example.com", "Cyril", "Oh"],
    ];
    const view = (system: string, table: string, cols: string[]) =>
      w
        .rows(system, table)
        .map((r) => cols.map((c) => r[c]))
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(view("crm", "contacts", ["email", "first_name", "last_name"])).toEqual(expected);
    expect(view("erp", "customers", ["email_addr", "fname", "lname"])).toEqual(expected);
    expect(view("shop", "buyers", ["mail", "first", "last"])).toEqual(expected);
    await expectQuiet(w);
  });
});

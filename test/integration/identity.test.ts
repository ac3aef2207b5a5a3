/**
 * DESIGN.md "Identity": new records are matched on normalized keys (alternatives in order), link
 * to one match, otherwise become new golden records, with duplicate candidates where the match
 * is ambiguous; never two links of one system on one golden record.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";
import { duplicates, expectQuiet, journal, status, syncOk } from "./semantics-helpers.js";

const PEOPLE = "(id INTEGER PRIMARY KEY, email TEXT, phone TEXT, first_name TEXT, last_name TEXT, dob TEXT)";

/** crm and erp with the same people table; `match` and per-binding extras go into the config. */
function world(crmRows: string, erpRows: string, match: string, bindingExtra = ""): SqliteWorld {
  const w = new SqliteWorld();
  w.system("crm", `CREATE TABLE people ${PEOPLE}; ${crmRows}`);
  w.system("erp", `CREATE TABLE people ${PEOPLE}; ${erpRows}`);
  const fields = "{ email: email, phone: phone, firstName: first_name, lastName: last_name, birthDate: dob }";
  w.config(`
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  person:
    fields:
      email: { type: string, format: email }
      phone: { type: string, format: phone }
      firstName: string
      lastName: string
      birthDate: date
    match: ${match}
    systems:
      crm: { table: people, key: id, fields: ${fields}${bindingExtra} }
      erp: { table: people, key: id, fields: ${fields}${bindingExtra} }
`);
  return w;
}

let w: SqliteWorld;
afterEach(() => w.close());

/** Golden records created, as the journal's `create` entries: one per record new to the hub. */
async function creates(): Promise<{ uid: string; system: string; key: string | undefined }[]> {
  return (await journal(w, "create")).map((e) => ({ uid: e.uid, system: e.system, key: e.key }));
}

describe("identity: matching", () => {
  it("matches e-mails regardless of case and surrounding white space", async () => {
    w = world(
      "INSERT INTO people VALUES (1, '  Ann.Lee@Example.COM ', NULL, 'Ann', 'Lee', NULL)",
      "INSERT INTO people VALUES (8, 'ann.lee@example.com', NULL, 'Ann', 'Lee', '1990-04-23')",
      "[email]",
    );
    const s = await syncOk(w, "--full");
    // Linked: crm gets erp's birth date (its first value); the two spellings of the address
    // were both merely read (no source time), so crm, first in priority, wins it.
    expect(s.written).toEqual({
      crm: { created: 0, updated: 1, deleted: 0 },
      erp: { created: 0, updated: 1, deleted: 0 },
    });
    expect(w.rows("erp", "people")).toMatchObject([{ id: 8, email: "Ann.Lee@Example.COM" }]);
    expect(await creates()).toHaveLength(1);
    expect(await journal(w, "link")).toMatchObject([{ system: "erp", key: "8", cause: "match" }]);
    expect(w.rows("crm", "people")).toMatchObject([{ id: 1, dob: "1990-04-23" }]);
    expect(await duplicates(w)).toEqual([]);
    await expectQuiet(w);
  });

  it("matches phone numbers in their canonical form", async () => {
    w = world(
      "INSERT INTO people VALUES (1, NULL, '+49 30 123-4567', 'Ann', 'Lee', NULL)",
      "INSERT INTO people VALUES (2, NULL, '0049 (30) 1234567', 'Ann', 'Lee', NULL), (3, NULL, '030 1234567', 'Bo', 'Ek', NULL)",
      "[phone]",
    );
    const s = await syncOk(w, "--full");
    // erp 2 is crm 1; erp 3 (no country code) is someone else and is created in crm.
    expect(await creates()).toHaveLength(2);
    expect(await journal(w, "link")).toMatchObject([{ system: "erp", key: "2" }]);
    expect(s.written["crm"]?.created).toBe(1);
    expect(w.rows("crm", "people").map((r) => r["first_name"])).toEqual(["Ann", "Bo"]);
    await expectQuiet(w);
  });

  it("tries match alternatives in order: no e-mail, but the same name and birth date", async () => {
    w = world(
      "INSERT INTO people VALUES (1, NULL, NULL, ' ANN ', 'lee', '1990-04-23')",
      "INSERT INTO people VALUES (4, 'ann@example.com', NULL, 'Ann', 'Lee', '1990-04-23'), (5, NULL, NULL, 'Ann', 'Lee', '1991-01-01')",
      "[[email], [firstName, lastName, birthDate]]",
    );
    await syncOk(w, "--full");
    // erp 4's e-mail finds nobody; its name and birth date (case and white space aside) find crm 1.
    expect(await journal(w, "link")).toMatchObject([{ system: "erp", key: "4", cause: "match" }]);
    // erp 5 differs in birth date: a new golden record, created in crm.
    expect(await creates()).toMatchObject([
      { system: "crm", key: "1" },
      { system: "erp", key: "5" },
    ]);
    expect(w.rows("crm", "people")).toHaveLength(2);
    expect(w.rows("crm", "people")[0]).toMatchObject({ id: 1, email: "ann@example.com" });
    expect(await duplicates(w)).toEqual([]);
    await expectQuiet(w);
  });

  it("creates a new golden record when nothing matches", async () => {
    w = world(
      "INSERT INTO people VALUES (1, 'ann@example.com', NULL, 'Ann', 'Lee', NULL)",
      "INSERT INTO people VALUES (1, 'bo@example.com', NULL, 'Bo', 'Ek', NULL)",
      "[email]",
    );
    const s = await syncOk(w, "--full");
    expect(await creates()).toHaveLength(2);
    expect(s.written).toEqual({
      crm: { created: 1, updated: 0, deleted: 0 },
      erp: { created: 1, updated: 0, deleted: 0 },
    });
    expect(w.rows("crm", "people").map((r) => r["email"])).toEqual(["ann@example.com", "bo@example.com"]);
    expect(w.rows("erp", "people").map((r) => r["email"])).toEqual(["bo@example.com", "ann@example.com"]);
    await expectQuiet(w);
  });
});

describe("identity: duplicates", () => {
  it("a match already linked to another record of the same system gives a new record and a duplicate candidate", async () => {
    w = world(
      "INSERT INTO people VALUES (1, 'ann@example.com', NULL, 'Ann', 'Lee', NULL), (2, 'ANN@example.com', NULL, 'Annie', 'Lee', NULL)",
      "",
      "[email]",
    );
    await syncOk(w, "--full");
    const [first, second] = await creates();
    expect([first?.key, second?.key]).toEqual(["1", "2"]);
    expect(await duplicates(w)).toMatchObject([
      { entity: "person", uid: second?.uid, otherUid: first?.uid, status: "open" },
    ]);
    // Never two links of one system on one golden record: each crm row has its own.
    expect(await journal(w, "link")).toEqual([]);
    expect(w.rows("erp", "people").map((r) => r["first_name"])).toEqual(["Ann", "Annie"]);
    await expectQuiet(w);
  });

  it("several matches give a new record and a duplicate candidate for each", async () => {
    w = world(
      "INSERT INTO people VALUES (1, 'ann@example.com', NULL, 'Ann', 'Lee', NULL), (2, 'ann@example.com', NULL, 'Annie', 'Lee', NULL)",
      "INSERT INTO people VALUES (3, 'Ann@Example.com', NULL, 'A.', 'Lee', NULL)",
      "[email]",
      ", create: false",
    );
    await syncOk(w, "--full");
    const [a, b, c] = await creates();
    expect(c).toMatchObject({ system: "erp", key: "3" });
    const dups = (await duplicates(w)).map((d) => [d.uid, d.otherUid]);
    expect(dups).toHaveLength(3);
    expect(dups).toEqual(
      expect.arrayContaining([
        [b?.uid, a?.uid],
        [c?.uid, a?.uid],
        [c?.uid, b?.uid],
      ]),
    );
    const bindings = (await status(w)).bindings.map((x) => [x.system, x.records]);
    expect(bindings).toEqual([
      ["crm", 2],
      ["erp", 1],
    ]);
    await expectQuiet(w);
  });
});

describe("identity: merge", () => {
  it("deletes the dropped duplicate in every system where both exist and re-points references", async () => {
    w = new SqliteWorld();
    w.system(
      "crm",
      "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY, no TEXT, contact_id INTEGER)",
    );
    w.system(
      "erp",
      "CREATE TABLE customers (no INTEGER PRIMARY KEY, mail TEXT, name TEXT); CREATE TABLE sales (id INTEGER PRIMARY KEY, no TEXT, cust INTEGER)",
    );
    w.system("crm").exec(
      "INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann'), (2, 'ann@example.com', NULL); INSERT INTO orders VALUES (1, 'SO-1', 2)",
    );
    w.config(`
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: { type: string, format: email }, name: string }
    match: [email]
    systems:
      crm: { table: contacts, key: id, fields: { email: email, name: name } }
      erp: { table: customers, key: no, fields: { email: mail, name: name } }
  order:
    fields: { number: string, customer: { type: ref, entity: contact } }
    match: [number]
    systems:
      crm: { table: orders, key: id, fields: { number: no, customer: contact_id } }
      erp: { table: sales, key: id, fields: { number: no, customer: cust } }
`);
    await syncOk(w, "--full");
    const [keep, drop] = await creates();
    expect(await duplicates(w)).toMatchObject([{ uid: drop?.uid, otherUid: keep?.uid }]);
    expect(w.rows("erp", "customers")).toEqual([
      { no: 1, mail: "ann@example.com", name: "Ann" },
      { no: 2, mail: "ann@example.com", name: null },
    ]);
    expect(w.rows("erp", "sales")).toEqual([{ id: 1, no: "SO-1", cust: 2 }]);

    const r = await w.cli(["merge", keep?.uid ?? "", drop?.uid ?? ""]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      written: { crm: { created: 0, updated: 1, deleted: 1 }, erp: { created: 0, updated: 1, deleted: 1 } },
    });
    expect(w.rows("crm", "contacts")).toEqual([{ id: 1, email: "ann@example.com", name: "Ann" }]);
    expect(w.rows("erp", "customers")).toEqual([{ no: 1, mail: "ann@example.com", name: "Ann" }]);
    expect(w.rows("crm", "orders")).toEqual([{ id: 1, no: "SO-1", contact_id: 1 }]);
    expect(w.rows("erp", "sales")).toEqual([{ id: 1, no: "SO-1", cust: 1 }]);
    expect(await duplicates(w)).toEqual([]);
    expect(await journal(w, "merge")).toMatchObject([{ uid: drop?.uid, after: keep?.uid }]);
    await expectQuiet(w);
  });

  it("moves the dropped record's link where only it exists; the kept values win, the dropped fill gaps", async () => {
    w = world(
      "INSERT INTO people VALUES (1, 'ann@example.com', NULL, 'Ann', 'Lee', NULL)",
      "INSERT INTO people VALUES (50, 'ann.lee@work.example', '+4930111', 'Ann', 'Lee-Ek', NULL)",
      "[email]",
      ", create: false",
    );
    await syncOk(w, "--full");
    const [keep, drop] = await creates();
    expect([keep?.system, drop?.system]).toEqual(["crm", "erp"]);
    const r = await w.cli(["merge", keep?.uid ?? "", drop?.uid ?? ""]);
    expect(r.code).toBe(0);
    expect(w.rows("erp", "people")).toEqual([
      { id: 50, email: "ann@example.com", phone: "+4930111", first_name: "Ann", last_name: "Lee", dob: null },
    ]);
    expect(w.rows("crm", "people")).toEqual([
      { id: 1, email: "ann@example.com", phone: "+4930111", first_name: "Ann", last_name: "Lee", dob: null },
    ]);
    expect(await journal(w, "link")).toMatchObject([
      { uid: keep?.uid, system: "erp", key: "50", cause: `merge:${drop?.uid}` },
    ]);
    // Golden records are one now: an edit in erp reaches crm's row 1.
    w.system("erp").exec("UPDATE people SET first_name = 'Anna' WHERE id = 50");
    await syncOk(w);
    expect(w.rows("crm", "people")[0]).toMatchObject({ id: 1, first_name: "Anna" });
    await expectQuiet(w);
  });
});

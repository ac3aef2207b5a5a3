/**
 * DESIGN.md "Creates" and "Filters": which systems a golden record is created in, that generated
 * keys are read back and linked, and how a binding's JSONata filter limits what goes in and out.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";
import { edit, expectQuiet, journal, status, syncOk } from "./semantics-helpers.js";

const TABLE = "(id INTEGER PRIMARY KEY, email TEXT, name TEXT, tier TEXT)";
const FIELDS = "{ email: email, name: name, tier: tier }";

/** One `people` table per system; `bindings` maps a system to its binding's extra options. */
function world(bindings: Record<string, string>, rows: Record<string, string> = {}): void {
  w = new SqliteWorld();
  const systems = Object.keys(bindings);
  for (const s of systems) w.system(s, `CREATE TABLE people ${TABLE}; ${rows[s] ?? ""}`);
  w.config(`
systems:
${systems.map((s) => `  ${s}: { connector: sqlite, path: ./${s}.db }`).join("\n")}
entities:
  contact:
    fields: { email: string, name: string, tier: { type: enum, values: [free, pro] } }
    match: [email]
    systems:
${systems.map((s) => `      ${s}: { table: people, key: id, fields: ${FIELDS}${bindings[s] ?? ""} }`).join("\n")}
`);
}

const emails = (system: string) => w.rows(system, "people").map((r) => r["email"]);

let w: SqliteWorld;
afterEach(() => w.close());

describe("creates", () => {
  it("creates a record in systems bound both or out with create on, never in, nor where create is false", async () => {
    world(
      { crm: "", erp: "", shop: ", direction: out", archive: ", direction: in", legacy: ", create: false" },
      { crm: "INSERT INTO people VALUES (1, 'ann@example.com', 'Ann', 'pro'), (2, 'bo@example.com', 'Bo', 'free')" },
    );
    const s = await syncOk(w, "--full");
    expect(s.written).toEqual({
      crm: { created: 0, updated: 0, deleted: 0 },
      erp: { created: 2, updated: 0, deleted: 0 },
      shop: { created: 2, updated: 0, deleted: 0 },
      archive: { created: 0, updated: 0, deleted: 0 },
      legacy: { created: 0, updated: 0, deleted: 0 },
    });
    expect(emails("erp")).toEqual(["ann@example.com", "bo@example.com"]);
    expect(emails("shop")).toEqual(["ann@example.com", "bo@example.com"]);
    expect(emails("archive")).toEqual([]);
    expect(emails("legacy")).toEqual([]);
    await expectQuiet(w);
  });

  it("reads generated keys back and links them: later edits update the created rows, both ways", async () => {
    world({ crm: "", erp: "" }, { crm: "INSERT INTO people VALUES (100, 'ann@example.com', 'Ann', 'pro')" });
    const s = await syncOk(w, "--full");
    expect(await journal(w, "created", "--run", s.runId)).toMatchObject([{ system: "erp", key: "1" }]);
    expect((await status(w)).bindings.map((b) => [b.system, b.records])).toEqual([
      ["crm", 1],
      ["erp", 1],
    ]);
    await expectQuiet(w);
    edit(w, "crm", "UPDATE people SET name = 'Annie' WHERE id = 100");
    expect((await syncOk(w)).written["erp"]).toEqual({ created: 0, updated: 1, deleted: 0 });
    edit(w, "erp", "UPDATE people SET tier = 'free' WHERE id = 1");
    expect((await syncOk(w)).written["crm"]).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(w.rows("erp", "people")).toEqual([{ id: 1, email: "ann@example.com", name: "Annie", tier: "free" }]);
    expect(w.rows("crm", "people")).toEqual([{ id: 100, email: "ann@example.com", name: "Annie", tier: "free" }]);
    await expectQuiet(w);
  });

  it("a record created in a system with create: false is still taken in and linked", async () => {
    world(
      { crm: "", legacy: ", create: false" },
      { legacy: "INSERT INTO people VALUES (3, 'cy@example.com', 'Cy', 'pro')" },
    );
    await syncOk(w, "--full");
    expect(emails("crm")).toEqual(["cy@example.com"]);
    edit(w, "crm", "UPDATE people SET name = 'Cyrus'");
    await syncOk(w);
    expect(w.rows("legacy", "people")).toEqual([{ id: 3, email: "cy@example.com", name: "Cyrus", tier: "pro" }]);
    await expectQuiet(w);
  });
});

describe("filters", () => {
  const ERP_FILTER = `, filter: "tier != 'free'"`;

  it("creates and updates only the golden records that satisfy the filter", async () => {
    world(
      { crm: "", erp: ERP_FILTER },
      { crm: "INSERT INTO people VALUES (1, 'ann@example.com', 'Ann', 'pro'), (2, 'bo@example.com', 'Bo', 'free')" },
    );
    await syncOk(w, "--full");
    expect(emails("erp")).toEqual(["ann@example.com"]);
    edit(w, "crm", "UPDATE people SET name = name || '!'");
    const s = await syncOk(w);
    expect(s.written["erp"]).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(w.rows("erp", "people")).toEqual([{ id: 1, email: "ann@example.com", name: "Ann!", tier: "pro" }]);
    await expectQuiet(w);
  });

  it("does not take in that system's records that do not satisfy it", async () => {
    world(
      { crm: "", erp: ERP_FILTER },
      { erp: "INSERT INTO people VALUES (1, 'cy@example.com', 'Cy', 'free'), (2, 'di@example.com', 'Di', 'pro')" },
    );
    const s = await syncOk(w, "--full");
    expect(emails("crm")).toEqual(["di@example.com"]);
    expect((await journal(w, "create", "--run", s.runId)).map((e) => e.key)).toEqual(["2"]);
    // Edits to the record the hub does not hold change nothing either.
    edit(w, "erp", "UPDATE people SET name = 'Cyril' WHERE id = 1");
    const again = await syncOk(w);
    expect(again.applied).toBe(0);
    expect(emails("crm")).toEqual(["di@example.com"]);
    await expectQuiet(w);
  });

  it("detaches a record that stops satisfying it and leaves it as it is there", async () => {
    world({ crm: "", erp: ERP_FILTER }, { crm: "INSERT INTO people VALUES (1, 'ann@example.com', 'Ann', 'pro')" });
    await syncOk(w, "--full");
    edit(w, "crm", "UPDATE people SET tier = 'free', name = 'Ann Free' WHERE id = 1");
    const s = await syncOk(w);
    expect(s.written["erp"]).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(w.rows("erp", "people")).toEqual([{ id: 1, email: "ann@example.com", name: "Ann", tier: "pro" }]);
    expect(await journal(w, "detach", "--run", s.runId)).toMatchObject([{ system: "erp", key: "1", cause: "filter" }]);
    expect((await status(w)).bindings.find((b) => b.system === "erp")).toMatchObject({ records: 0, detached: 1 });
    // Detached: later edits in crm do not reach erp, and erp is not given a new copy.
    edit(w, "crm", "UPDATE people SET name = 'Ann Later' WHERE id = 1");
    const later = await syncOk(w);
    expect(later.written["erp"] ?? { created: 0, updated: 0 }).toMatchObject({ created: 0, updated: 0 });
    expect(w.rows("erp", "people")).toEqual([{ id: 1, email: "ann@example.com", name: "Ann", tier: "pro" }]);
    await expectQuiet(w);
  });
});

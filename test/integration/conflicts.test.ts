/**
 * DESIGN.md "Field merge", rule 2's conflicts: a field changed in a system and elsewhere since
 * that system last synced, resolved by `newest`, `priority` or `manual`, and always recorded.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";
import { allConflicts, edit, expectQuiet, journal, syncOk, tick } from "./semantics-helpers.js";

let w: SqliteWorld;
afterEach(() => w.close());

/** Ann in crm and erp, linked by the first sync; `rules` go into the entity. */
async function linked(rules: string): Promise<void> {
  w = new SqliteWorld();
  w.system(
    "crm",
    "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, first_name TEXT); INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann')",
  );
  w.system("erp", "CREATE TABLE customers (cust_no INTEGER PRIMARY KEY, email_addr TEXT, fname TEXT)");
  w.config(`
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: string, firstName: string }
    match: [email]
${rules}
    systems:
      crm: { table: contacts, key: id, fields: { email: email, firstName: first_name } }
      erp: { table: customers, key: cust_no, fields: { email: email_addr, firstName: fname } }
`);
  await syncOk(w, "--full");
  expect(w.rows("erp", "customers")).toEqual([{ cust_no: 1, email_addr: "ann@example.com", fname: "Ann" }]);
}

/** Both systems change Ann's first name before the next sync, `first` before the other. */
async function bothEdit(first: "crm" | "erp"): Promise<void> {
  const crm = () => edit(w, "crm", "UPDATE contacts SET first_name = 'Crm-Ann' WHERE id = 1");
  const erp = () => edit(w, "erp", "UPDATE customers SET fname = 'Erp-Ann' WHERE cust_no = 1");
  (first === "crm" ? crm : erp)();
  await tick();
  (first === "crm" ? erp : crm)();
}

/** Both systems' first names. */
function names(): [unknown, unknown] {
  return [w.rows("crm", "contacts")[0]?.["first_name"], w.rows("erp", "customers")[0]?.["fname"]];
}

/** Gives every captured change in both systems the same source time. */
function sameSourceTime(): void {
  for (const s of ["crm", "erp"]) edit(w, s, "UPDATE _concord_changelog SET at = '2030-01-01T00:00:00.000Z'");
}

describe("resolve: newest", () => {
  it("the later source timestamp wins (erp edited last), and the conflict is recorded", async () => {
    await linked("    resolve: newest");
    await bothEdit("crm");
    const s = await syncOk(w);
    expect(s.conflicts).toBe(1);
    expect(names()).toEqual(["Erp-Ann", "Erp-Ann"]);
    const [c, ...more] = await allConflicts(w);
    expect(more).toEqual([]);
    expect(c).toMatchObject({
      field: "firstName",
      system: "erp",
      value: "Erp-Ann",
      goldenSystem: "crm",
      goldenValue: "Crm-Ann",
      rule: "newest",
      winner: "erp",
      status: "resolved",
    });
    expect(await journal(w, "golden", "--run", s.runId)).toMatchObject([
      { system: "crm", field: "firstName", after: "Crm-Ann", cause: "change" },
      { system: "erp", field: "firstName", before: "Crm-Ann", after: "Erp-Ann", cause: "conflict:newest" },
    ]);
    await expectQuiet(w);
  });

  it("the later source timestamp wins (crm edited last): erp gets the winner written back", async () => {
    await linked("    resolve: newest");
    await bothEdit("erp");
    const s = await syncOk(w);
    expect(names()).toEqual(["Crm-Ann", "Crm-Ann"]);
    expect(s.written["erp"]).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(await allConflicts(w)).toMatchObject([
      { system: "erp", value: "Erp-Ann", goldenSystem: "crm", goldenValue: "Crm-Ann", rule: "newest", winner: "crm" },
    ]);
    await expectQuiet(w);
  });

  it.each([
    ["[erp, crm]", "erp", "Erp-Ann"],
    ["[crm, erp]", "crm", "Crm-Ann"],
  ])("breaks a tie of source timestamps by priority %s", async (priority, winner, value) => {
    await linked(`    resolve: newest\n    priority: ${priority}`);
    await bothEdit("crm");
    sameSourceTime();
    await syncOk(w);
    expect(names()).toEqual([value, value]);
    expect(await allConflicts(w)).toMatchObject([{ rule: "newest", winner }]);
    await expectQuiet(w);
  });
});

describe("resolve: priority", () => {
  it("the system earlier in priority wins, whatever the timestamps", async () => {
    await linked("    resolve: priority\n    priority: [erp, crm]");
    await bothEdit("erp"); // crm's edit is the newer one, yet erp outranks it
    await syncOk(w);
    expect(names()).toEqual(["Erp-Ann", "Erp-Ann"]);
    expect(await allConflicts(w)).toMatchObject([
      { system: "erp", value: "Erp-Ann", goldenValue: "Crm-Ann", rule: "priority", winner: "erp" },
    ]);
    await expectQuiet(w);
  });

  it("a field's owners order comes before the entity's priority", async () => {
    await linked("    resolve: priority\n    priority: [erp, crm]\n    owners: { firstName: [crm, erp] }");
    await bothEdit("crm");
    await syncOk(w);
    expect(names()).toEqual(["Crm-Ann", "Crm-Ann"]);
    expect(await allConflicts(w)).toMatchObject([{ system: "erp", rule: "priority", winner: "crm" }]);
    await expectQuiet(w);
  });
});

describe("resolve: manual", () => {
  /** Both edit; the golden value keeps crm's (read first) and erp keeps its own until resolved. */
  async function openConflict(): Promise<string> {
    await linked("    resolve: manual");
    await bothEdit("erp");
    const s = await syncOk(w);
    expect(s.conflicts).toBe(1);
    expect(names()).toEqual(["Crm-Ann", "Erp-Ann"]);
    const open = await w.cli(["conflicts"]);
    expect(open.json).toMatchObject([
      {
        field: "firstName",
        system: "erp",
        value: "Erp-Ann",
        goldenSystem: "crm",
        goldenValue: "Crm-Ann",
        rule: "manual",
        status: "open",
        winner: null,
      },
    ]);
    // Until a person decides, further syncs leave erp's value alone and write nothing.
    await expectQuiet(w);
    expect(names()).toEqual(["Crm-Ann", "Erp-Ann"]);
    return (open.json as { id: string }[])[0]?.id ?? "";
  }

  it("--pick erp makes erp's value golden and writes it to crm", async () => {
    const id = await openConflict();
    const r = await w.cli(["conflicts", "resolve", id, "--pick", "erp"]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ written: { crm: { created: 0, updated: 1, deleted: 0 } } });
    expect(names()).toEqual(["Erp-Ann", "Erp-Ann"]);
    expect(await allConflicts(w)).toMatchObject([{ id, status: "resolved", winner: "erp" }]);
    expect((await w.cli(["conflicts"])).json).toEqual([]);
    const golden = await journal(w, "golden");
    expect(golden.at(-1)).toMatchObject({
      system: "erp",
      field: "firstName",
      before: "Crm-Ann",
      after: "Erp-Ann",
      cause: `manual:${id}`,
    });
    await expectQuiet(w);
  });

  it("--pick crm keeps the golden value and writes it back to erp", async () => {
    const id = await openConflict();
    const r = await w.cli(["conflicts", "resolve", id, "--pick", "crm"]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ written: { erp: { created: 0, updated: 1, deleted: 0 } } });
    expect(names()).toEqual(["Crm-Ann", "Crm-Ann"]);
    expect(await allConflicts(w)).toMatchObject([{ id, status: "resolved", winner: "crm" }]);
    await expectQuiet(w);
  });

  it("refuses a second resolution and a system that is not part of the conflict (exit 2)", async () => {
    const id = await openConflict();
    expect((await w.cli(["conflicts", "resolve", id, "--pick", "shop"])).code).toBe(2);
    expect((await w.cli(["conflicts", "resolve", id, "--pick", "crm"])).code).toBe(0);
    expect((await w.cli(["conflicts", "resolve", id, "--pick", "erp"])).code).toBe(2);
    expect(names()).toEqual(["Crm-Ann", "Crm-Ann"]);
  });
});

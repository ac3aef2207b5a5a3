/**
 * DESIGN.md "Mappings": renames, value maps, date formats, the `cents` transform and JSONata
 * transforms work both ways; `default` fills missing values; unmapped columns are never touched.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";
import { edit, expectQuiet, journal, syncOk } from "./semantics-helpers.js";

const CONFIG = `
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields:
      email: string
      firstName: string
      tier: { type: enum, values: [free, pro, enterprise] }
      birthDate: date
      balance: decimal
      country: string
      notes: string
    match: [email]
    systems:
      crm:
        table: contacts
        key: id
        fields:
          email: email
          firstName: first_name
          tier: { column: plan, map: { FREE: free, PRO: pro, ENT: enterprise } }
          birthDate: birth_date
          balance: balance
          country: { column: country, default: "us" }
          notes: notes
      erp:
        table: customers
        key: cust_no
        fields:
          email: email_addr
          firstName: fname
          tier: level
          birthDate: { column: dob, format: "MM/dd/yyyy" }
          balance: { column: balance_cents, transform: cents }
          country: { column: cc, transform: { in: "$lowercase($)", out: "$uppercase($)" } }
`;

const CRM =
  "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, plan TEXT, birth_date TEXT, balance REAL, country TEXT, notes TEXT)";
// erp has a notes column of its own, which the binding leaves out.
const ERP =
  "CREATE TABLE customers (cust_no INTEGER PRIMARY KEY, email_addr TEXT, fname TEXT, level TEXT, dob TEXT, balance_cents INTEGER, cc TEXT, notes TEXT)";

let w: SqliteWorld;
afterEach(() => w.close());

function world(crmRows = "", erpRows = ""): void {
  w = new SqliteWorld();
  w.system("crm", `${CRM}; ${crmRows}`);
  w.system("erp", `${ERP}; ${erpRows}`);
  w.config(CONFIG);
}

describe("mappings out (crm → hub → erp)", () => {
  it("renames columns, maps codes, formats dates, converts to cents and applies JSONata out", async () => {
    world("INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'ENT', '1990-04-23', 12.5, 'de', 'VIP')");
    const s = await syncOk(w, "--full");
    expect(await journal(w, "create", "--run", s.runId)).toMatchObject([
      {
        system: "crm",
        after: {
          email: "ann@example.com",
          firstName: "Ann",
          tier: "enterprise",
          birthDate: "1990-04-23",
          balance: "12.5",
          country: "de",
          notes: "VIP",
        },
      },
    ]);
    expect(w.rows("erp", "customers")).toEqual([
      {
        cust_no: 1,
        email_addr: "ann@example.com",
        fname: "Ann",
        level: "enterprise",
        dob: "04/23/1990",
        balance_cents: 1250,
        cc: "DE",
        notes: null,
      },
    ]);
    await expectQuiet(w);
  });

  it("writes edits through the same mappings", async () => {
    world("INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'FREE', '1990-04-23', 0, 'de', NULL)");
    await syncOk(w, "--full");
    edit(
      w,
      "crm",
      "UPDATE contacts SET plan = 'PRO', birth_date = '1985-12-01', balance = 7.05, country = 'fr' WHERE id = 1",
    );
    await syncOk(w);
    expect(w.rows("erp", "customers")[0]).toMatchObject({
      level: "pro",
      dob: "12/01/1985",
      balance_cents: 705,
      cc: "FR",
    });
    await expectQuiet(w);
  });
});

describe("mappings in (erp → hub → crm)", () => {
  it("reads each mapping back to canonical values and writes crm's native forms", async () => {
    world(
      "",
      "INSERT INTO customers VALUES (7, 'bo@example.com', 'Bo', 'enterprise', '02/28/1979', 999, 'SE', 'erp only')",
    );
    await syncOk(w, "--full");
    expect(w.rows("crm", "contacts")).toEqual([
      {
        id: 1,
        email: "bo@example.com",
        first_name: "Bo",
        plan: "ENT",
        birth_date: "1979-02-28",
        balance: 9.99,
        country: "se",
        notes: null,
      },
    ]);
    edit(
      w,
      "erp",
      "UPDATE customers SET level = 'free', dob = '12/31/2000', balance_cents = 100001, cc = 'NO' WHERE cust_no = 7",
    );
    await syncOk(w);
    expect(w.rows("crm", "contacts")[0]).toMatchObject({
      plan: "FREE",
      birth_date: "2000-12-31",
      balance: 1000.01,
      country: "no",
    });
    await expectQuiet(w);
  });

  it("a value with no code in the map fails that record only, and names the field", async () => {
    world(
      "INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'GOLD', NULL, NULL, NULL, NULL), (2, 'bo@example.com', 'Bo', 'PRO', NULL, NULL, NULL, NULL)",
    );
    const s = await w.sync("--full");
    expect(s.code).toBe(1);
    expect(s.errors).toBe(1);
    expect(w.rows("erp", "customers").map((r) => r["email_addr"])).toEqual(["bo@example.com"]);
    const status = (await w.cli(["status"])).json as {
      recentErrors: { key?: string; stage: string; message: string }[];
    };
    expect(status.recentErrors).toMatchObject([{ key: "1", stage: "map-in" }]);
    expect(status.recentErrors[0]?.message).toContain("tier");
  });
});

describe("default and unmapped fields", () => {
  it("uses the default for a missing native value", async () => {
    world("INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', NULL, NULL, NULL, NULL, NULL)");
    await syncOk(w, "--full");
    expect(w.rows("erp", "customers")[0]).toMatchObject({ cc: "US" });
    await expectQuiet(w);
  });

  it("neither reads nor writes a column the binding leaves out", async () => {
    world("INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann', 'PRO', NULL, NULL, 'de', 'from crm')");
    await syncOk(w, "--full");
    expect(w.rows("erp", "customers")[0]).toMatchObject({ notes: null });
    // erp's own notes stay its own: not read into the hub…
    edit(w, "erp", "UPDATE customers SET notes = 'erp remark' WHERE cust_no = 1");
    const s = await syncOk(w);
    expect(s.applied).toBe(0);
    expect(w.rows("crm", "contacts")[0]).toMatchObject({ notes: "from crm" });
    // …and not overwritten when crm's notes change.
    edit(w, "crm", "UPDATE contacts SET notes = 'crm remark' WHERE id = 1");
    const s2 = await syncOk(w);
    expect(s2.written["erp"] ?? { updated: 0 }).toMatchObject({ updated: 0 });
    expect(w.rows("erp", "customers")[0]).toMatchObject({ notes: "erp remark" });
    await expectQuiet(w);
  });
});

import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Conflict, JournalEntry } from "../../src/core/types.js";
import { contactRows, type DesignExample, designExample, orderRows } from "../helpers/design-example.js";
import { type CliResult, totalWrites } from "../helpers/sqlite-world.js";

/**
 * The example of DESIGN.md as it ships in examples/design/, run on real servers: crm on
 * PostgreSQL (trigger capture), erp on MariaDB (poll capture), shop on SQLite. The steps build
 * on each other: each edits the systems, syncs, and checks the outcome each rule calls for.
 */
let x: DesignExample | undefined;
let skip = "";
beforeAll(async () => {
  const made = await designExample();
  if (typeof made === "string") skip = made;
  else x = made;
});
afterAll(async () => x?.close());

const SSN_CY = "111-22-3333";
const SSN_ANN = "123-45-6789";
const HASH = { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown };

/** Every CLI output of the file, searched for the sensitive values at the end. */
const outputs: CliResult[] = [];
async function cli(ex: DesignExample, args: string[], raw = false): Promise<CliResult> {
  const result = await ex.cli(args, raw);
  outputs.push(result);
  return result;
}

async function syncOk(ex: DesignExample, ...args: string[]) {
  const result = await ex.sync(...args);
  expect(result, JSON.stringify(result)).toMatchObject({ code: 0, errors: 0, halted: false });
  return result;
}

/** A steady state: a further sync writes nothing, and after it nothing more is even read. */
async function expectSteady(ex: DesignExample): Promise<void> {
  const again = await syncOk(ex);
  expect(totalWrites(again)).toBe(0);
  expect(again.conflicts).toBe(0);
  // Poll capture reads Concord's own writes to erp back once (they compare equal to the shadow).
  const last = await syncOk(ex);
  expect([last.read, totalWrites(last)]).toEqual([0, 0]);
}

async function erpTaxIds(ex: DesignExample): Promise<Record<string, string | null>> {
  const [rows] = await ex.erp.query<(RowDataPacket & { e: string; t: string | null })[]>(
    "SELECT email_addr e, tax_id t FROM customers",
  );
  return Object.fromEntries(rows.map((r) => [r.e, r.t]));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("examples/design: crm on PostgreSQL, erp on MariaDB (poll), shop on SQLite", () => {
  it("the first full sync stitches the three together; erp only gets paying customers, dates as MM/dd/yyyy", async (ctx) => {
    if (x === undefined) return ctx.skip(skip);
    await x.crm.query(`
      INSERT INTO contacts (email, first_name, last_name, birth_date, plan) VALUES
        ('ann@example.com', 'Ann', 'Lee', '1985-03-14', 'PRO'),
        ('bob@example.com', 'Bob', 'Ray', '1990-12-01', 'FREE'),
        ('cy@example.com', 'Cy', 'Dee', '1979-07-04', 'ENT');
      INSERT INTO orders (order_no, contact_id, amount) VALUES ('SO-1', 1, 10.50), ('SO-2', 3, 99.99);`);
    // erp already knows Cy (under another first name) and has an order of his.
    await x.erp.query(
      `INSERT INTO customers (email_addr, fname, lname, dob, tax_id) VALUES ('cy@example.com', 'Cyrus', 'Dee', '07/04/1979', ?);
       INSERT INTO sales_orders (so_number, cust_no, total_cents) VALUES ('SO-3', LAST_INSERT_ID(), 2500);`,
      [SSN_CY],
    );
    x.world
      .system("shop")
      .exec(
        `INSERT INTO customers (email, first, last) VALUES ('ANN@example.com', 'Annie', 'Lee'), ('eve@example.com', 'Eve', 'Park');`,
      );

    const first = await syncOk(x, "--full");
    expect(first.written).toEqual({
      crm: { created: 2, updated: 0, deleted: 0 }, // eve, SO-3
      erp: { created: 3, updated: 1, deleted: 0 }, // ann, SO-1, SO-2; Cy's first name
      shop: { created: 2, updated: 1, deleted: 0 }, // bob, cy; ann's spelling
    });
    // Values read from snapshots go by priority [crm, erp, shop]: crm's "Cy" and "Ann" win, and
    // shop's "ANN@example.com" could not have won anyway: only crm may change an e-mail.
    // Bob (free) and Eve (no tier) are not in erp: its filter is tier != 'free'.
    expect(await contactRows(x)).toEqual({
      crm: [
        "ann@example.com|Ann|Lee|1985-03-14|PRO",
        "bob@example.com|Bob|Ray|1990-12-01|FREE",
        "cy@example.com|Cy|Dee|1979-07-04|ENT",
        "eve@example.com|Eve|Park|-|-",
      ],
      erp: ["ann@example.com|Ann|Lee|03/14/1985", "cy@example.com|Cy|Dee|07/04/1979"],
      shop: ["ann@example.com|Ann|Lee", "bob@example.com|Bob|Ray", "cy@example.com|Cy|Dee", "eve@example.com|Eve|Park"],
    });
    // Each system's orders point at its own key of the right customer; erp keeps cents.
    expect(await orderRows(x)).toEqual({
      crm: [
        ["SO-1", "ann@example.com", "10.50"],
        ["SO-2", "cy@example.com", "99.99"],
        ["SO-3", "cy@example.com", "25.00"],
      ],
      erp: [
        ["SO-1", "ann@example.com", 1050],
        ["SO-2", "cy@example.com", 9999],
        ["SO-3", "cy@example.com", 2500],
      ],
    });
    await expectSteady(x);
  });

  it("edits in all three converge; e-mail changes outside crm are rejected and written back", async (ctx) => {
    if (x === undefined) return ctx.skip(skip);
    // crm: Bob starts paying (crm is one of tier's owners), so erp gets him, and an order of his.
    await x.crm.query(`
      UPDATE contacts SET plan = 'PRO' WHERE email = 'bob@example.com';
      UPDATE contacts SET last_name = 'Leigh' WHERE email = 'ann@example.com';
      INSERT INTO orders (order_no, contact_id, amount) VALUES ('SO-5', 2, 15.00);`);
    // erp: a birth date, a tax id, an e-mail it may not change, and a new order.
    await x.erp.query(
      `UPDATE customers SET dob = '03/15/1985', tax_id = ? WHERE email_addr = 'ann@example.com';
       UPDATE customers SET email_addr = 'cyrus@example.com' WHERE email_addr = 'cy@example.com';
       INSERT INTO sales_orders (so_number, cust_no, total_cents)
         SELECT 'SO-4', cust_no, 4200 FROM customers WHERE email_addr = 'ann@example.com';`,
      [SSN_ANN],
    );
    // shop: an e-mail it may not change, and a last name it may.
    x.world.system("shop").exec(`
      UPDATE customers SET email = 'ann.lee@example.com' WHERE email = 'ann@example.com';
      UPDATE customers SET last = 'Parker' WHERE email = 'eve@example.com';`);

    const run = await syncOk(x);
    expect(await contactRows(x)).toEqual({
      crm: [
        "ann@example.com|Ann|Leigh|1985-03-15|PRO",
        "bob@example.com|Bob|Ray|1990-12-01|PRO",
        "cy@example.com|Cy|Dee|1979-07-04|ENT",
        "eve@example.com|Eve|Parker|-|-",
      ],
      erp: [
        "ann@example.com|Ann|Leigh|03/15/1985",
        "bob@example.com|Bob|Ray|12/01/1990",
        "cy@example.com|Cy|Dee|07/04/1979",
      ],
      shop: [
        "ann@example.com|Ann|Leigh",
        "bob@example.com|Bob|Ray",
        "cy@example.com|Cy|Dee",
        "eve@example.com|Eve|Parker",
      ],
    });
    expect(await orderRows(x)).toEqual({
      crm: [
        ["SO-1", "ann@example.com", "10.50"],
        ["SO-2", "cy@example.com", "99.99"],
        ["SO-3", "cy@example.com", "25.00"],
        ["SO-4", "ann@example.com", "42.00"],
        ["SO-5", "bob@example.com", "15.00"],
      ],
      erp: [
        ["SO-1", "ann@example.com", 1050],
        ["SO-2", "cy@example.com", 9999],
        ["SO-3", "cy@example.com", 2500],
        ["SO-4", "ann@example.com", 4200],
        ["SO-5", "bob@example.com", 1500],
      ],
    });
    const journal = (await cli(x, ["audit", "--run", run.runId])).json as JournalEntry[];
    const rejected = journal.filter((e) => e.kind === "rejected").map((e) => [e.system, e.field, e.after]);
    expect(rejected.sort()).toEqual([
      ["erp", "email", "cyrus@example.com"],
      ["shop", "email", "ann.lee@example.com"],
    ]);
    await expectSteady(x);
  });

  it("a conflict goes to the newest edit", async (ctx) => {
    if (x === undefined) return ctx.skip(skip);
    // Ann's first name: crm first, shop later. Cy's: shop first, erp later.
    await x.crm.query("UPDATE contacts SET first_name = 'Anne' WHERE email = 'ann@example.com'");
    x.world.system("shop").exec("UPDATE customers SET first = 'C.' WHERE email = 'cy@example.com'");
    await pause(50);
    x.world.system("shop").exec("UPDATE customers SET first = 'Annie' WHERE email = 'ann@example.com'");
    await x.erp.query("UPDATE customers SET fname = 'Cyril' WHERE email_addr = 'cy@example.com'");

    const run = await syncOk(x);
    expect(run.conflicts).toBe(2);
    const names = await contactRows(x);
    expect(names.crm.slice(0, 3).map((r) => r.split("|")[1])).toEqual(["Annie", "Bob", "Cyril"]);
    expect(names.erp.map((r) => r.split("|")[1])).toEqual(["Annie", "Bob", "Cyril"]);
    expect(names.shop.slice(0, 3).map((r) => r.split("|")[1])).toEqual(["Annie", "Bob", "Cyril"]);
    const conflicts = ((await cli(x, ["conflicts", "--all"])).json as Conflict[]).filter((c) => c.runId === run.runId);
    expect(conflicts.map((c) => [c.field, c.value, c.goldenValue, c.rule, c.winner]).sort()).toEqual([
      ["firstName", "Annie", "Anne", "newest", "shop"],
      ["firstName", "C.", "Cyril", "newest", "erp"],
    ]);
    await expectSteady(x);
  });

  it("a contact that stops paying is detached from erp and left there as it was", async (ctx) => {
    if (x === undefined) return ctx.skip(skip);
    await x.crm.query("UPDATE contacts SET plan = 'FREE', last_name = 'Dean' WHERE email = 'cy@example.com'");
    await syncOk(x);
    const rows = await contactRows(x);
    expect(rows.crm).toContain("cy@example.com|Cyril|Dean|1979-07-04|FREE");
    expect(rows.shop).toContain("cy@example.com|Cyril|Dean");
    expect(rows.erp).toContain("cy@example.com|Cyril|Dee|07/04/1979");
    // What erp then does to him is not taken in: he no longer satisfies its filter.
    await x.erp.query("UPDATE customers SET lname = 'Deer' WHERE email_addr = 'cy@example.com'");
    await syncOk(x);
    expect((await contactRows(x)).crm).toContain("cy@example.com|Cyril|Dean|1979-07-04|FREE");
    await expectSteady(x);
  });

  it("a delete in crm deletes everywhere; a delete in shop only detaches shop", async (ctx) => {
    if (x === undefined) return ctx.skip(skip);
    // Bob's order is cancelled in crm, then Bob leaves. Orders take deletes from every system.
    await x.crm.query("DELETE FROM orders WHERE order_no = 'SO-5'");
    const cancelled = await syncOk(x);
    expect(cancelled.written.erp).toEqual({ created: 0, updated: 0, deleted: 1 });
    expect((await orderRows(x)).erp.map((o) => o[0])).toEqual(["SO-1", "SO-2", "SO-3", "SO-4"]);
    await x.crm.query("DELETE FROM contacts WHERE email = 'bob@example.com'");
    // shop drops Eve: shop is not in deletes.from, so only shop lets go of her.
    x.world.system("shop").exec("DELETE FROM customers WHERE email = 'eve@example.com'");

    const run = await syncOk(x);
    expect(run.written).toEqual({
      crm: { created: 0, updated: 0, deleted: 0 },
      erp: { created: 0, updated: 0, deleted: 1 },
      shop: { created: 0, updated: 0, deleted: 1 },
    });
    const rows = await contactRows(x);
    expect(rows.crm.map((r) => r.split("|")[0])).toEqual(["ann@example.com", "cy@example.com", "eve@example.com"]);
    expect(rows.erp.map((r) => r.split("|")[0])).toEqual(["ann@example.com", "cy@example.com"]);
    expect(rows.shop.map((r) => r.split("|")[0])).toEqual(["ann@example.com", "cy@example.com"]);
    await expectSteady(x);
    // A full snapshot does not bring Eve back to shop either: her link there is detached.
    const full = await syncOk(x, "--full");
    expect(totalWrites(full)).toBe(0);
    expect((await contactRows(x)).shop).toEqual(["ann@example.com|Annie|Leigh", "cy@example.com|Cyril|Dean"]);
  });

  it("the ssn lives in erp and the hub's journal keeps only its hash", async (ctx) => {
    if (x === undefined) return ctx.skip(skip);
    expect(await erpTaxIds(x)).toEqual({ "ann@example.com": SSN_ANN, "cy@example.com": SSN_CY });
    const journal = (await cli(x, ["audit", "--limit", "1000"])).json as JournalEntry[];
    // Taken in twice: Cy's from erp's snapshot, Ann's when erp set it. Both journaled as hashes.
    const ssn = journal.filter((e) => e.field === "ssn");
    expect(ssn.map((e) => [e.kind, e.system, e.before, e.after])).toEqual([
      ["golden", "erp", null, HASH],
      ["golden", "erp", null, HASH],
    ]);
    await cli(x, ["audit", "--limit", "1000"], true);
    await cli(x, ["status"]);
    await cli(x, ["conflicts", "--all"], true);
    for (const out of outputs) {
      for (const secret of [SSN_ANN, SSN_CY]) {
        expect(out.stdout).not.toContain(secret);
        expect(out.stderr).not.toContain(secret);
      }
    }
  });
});

import { afterEach, describe, expect, test } from "vitest";
import {
  contactWorld,
  contents,
  expectSettled,
  remove,
  rename,
  status,
  syncOk,
  writtenTo,
} from "../helpers/contact-world.js";
import type { SqliteWorld, SyncJson } from "../helpers/sqlite-world.js";

let w: SqliteWorld;
afterEach(() => w.close());

const emails = (n: number) => Array.from({ length: n }, (_, i) => `p${i + 1}@example.com`);

/**
 * crm holds `n` contacts, erp gets them all, shop (create: false) holds only the first
 * `inShop`: so a plan can put erp over a limit while shop stays under it.
 */
async function synced(n: number, inShop: number, limits: string): Promise<SqliteWorld> {
  const all = emails(n).map((e, i) => [e, `Person ${i + 1}`] as const);
  w = contactWorld({ seed: { crm: all, shop: all.slice(0, inShop) }, binding: { shop: "create: false" }, limits });
  const first = await syncOk(w);
  expect(writtenTo(first, "erp").created).toBe(n);
  expect(contents(w, "shop")).toHaveLength(inShop);
  return w;
}

/** A halted run: exit 3, `halted`, one reason naming erp and the limit. */
function expectErpHalted(s: SyncJson & { code: number }, limit: string): void {
  expect({ code: s.code, halted: s.halted }).toEqual({ code: 3, halted: true });
  expect(s.haltReasons).toHaveLength(1);
  expect(s.haltReasons[0]).toMatch(new RegExp(`^erp: .*${limit}`));
  expect(writtenTo(s, "erp")).toEqual({ created: 0, updated: 0, deleted: 0 });
}

describe("maxDeletesPerRun", () => {
  test("over it, the run halts for that system only; --force writes what was held back", async () => {
    await synced(5, 1, "{ maxDeletesPerRun: 2 }");
    const erpBefore = contents(w, "erp");
    for (const e of emails(5).slice(2)) remove(w, "crm", e);
    rename(w, "crm", "p1@example.com", "Ann");

    const plan = await w.cli(["plan"]);
    expect(plan.code).toBe(3);
    expect((plan.json as SyncJson).haltReasons).toEqual([
      expect.stringMatching(/^erp: 3 deletes .*maxDeletesPerRun is 2/),
    ]);

    const halted = await w.sync();
    expectErpHalted(halted, "maxDeletesPerRun is 2");
    expect(contents(w, "erp")).toEqual(erpBefore);
    // shop is under the limit: it gets its update in the same run.
    expect(writtenTo(halted, "shop")).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(contents(w, "shop")).toEqual(["p1@example.com=Ann"]);
    expect((await status(w)).lastRun?.status).toBe("halted");

    // Nothing is lost: the next run still holds the deletes back, until forced.
    expectErpHalted(await w.sync(), "maxDeletesPerRun is 2");
    const forced = await syncOk(w, "--force");
    expect(writtenTo(forced, "erp")).toEqual({ created: 0, updated: 1, deleted: 3 });
    expect(contents(w, "erp")).toEqual(["p1@example.com=Ann", "p2@example.com=Person 2"]);
    expect(contents(w, "erp")).toEqual(contents(w, "crm"));
    await expectSettled(w);
  });
});

describe("maxChangedShare", () => {
  test("a run may change up to the share; over it the system is halted, until --force", async () => {
    await synced(12, 3, "{ maxChangedShare: 0.5 }");
    // 6 of 12 is exactly the limit: allowed.
    for (const e of emails(12).slice(6)) rename(w, "crm", e, "Renamed once");
    const atLimit = await syncOk(w);
    expect(writtenTo(atLimit, "erp").updated).toBe(6);

    // 7 of 12 is over it. shop (3 records, fewer than minRecordsForShare) is not held back.
    for (const e of emails(12).slice(0, 7)) rename(w, "crm", e, "Renamed twice");
    const erpBefore = contents(w, "erp");
    const halted = await w.sync();
    expectErpHalted(halted, "7 of 12 .*maxChangedShare is 50%");
    expect(contents(w, "erp")).toEqual(erpBefore);
    expect(writtenTo(halted, "shop").updated).toBe(3);

    const forced = await syncOk(w, "--force");
    expect(writtenTo(forced, "erp").updated).toBe(7);
    expect(contents(w, "erp")).toEqual(contents(w, "crm"));
    await expectSettled(w);
  });
});

describe("maxChangesPerActor", () => {
  test("counts the changes each source system causes; one over it halts, --force writes them", async () => {
    await synced(8, 2, "{ maxChangesPerActor: 3 }");
    // Three changes from crm and three from erp: each actor is within the limit.
    for (const e of emails(8).slice(2, 5)) rename(w, "crm", e, "From crm");
    for (const e of emails(8).slice(5, 8)) rename(w, "erp", e, "From erp");
    const within = await syncOk(w);
    expect(writtenTo(within, "erp").updated).toBe(3);
    expect(writtenTo(within, "crm").updated).toBe(3);

    // Four from crm: erp is halted; shop gets only two of them, within its limit.
    for (const e of emails(8).slice(0, 4)) rename(w, "crm", e, "Bulk edit");
    const erpBefore = contents(w, "erp");
    const halted = await w.sync();
    expectErpHalted(halted, "4 changes caused by crm, limit maxChangesPerActor is 3");
    expect(contents(w, "erp")).toEqual(erpBefore);
    expect(writtenTo(halted, "shop").updated).toBe(2);

    const forced = await syncOk(w, "--force");
    expect(writtenTo(forced, "erp").updated).toBe(4);
    expect(contents(w, "erp")).toEqual(contents(w, "crm"));
    await expectSettled(w);
  });
});

import { afterEach, describe, expect, test } from "vitest";
import {
  audit,
  contactWorld,
  contents,
  expectSettled,
  insertPerson,
  people,
  remove,
  rename,
  status,
  syncOk,
  writtenTo,
} from "../helpers/contact-world.js";
import { type SqliteWorld, totalWrites } from "../helpers/sqlite-world.js";

const ANN = "ann@example.com";
const BOB = "bob@example.com";

let w: SqliteWorld;
afterEach(() => w.close());

/** Delivers a change again, as an at-least-once feed may: the same log entry a second time. */
function redeliver(op: "upsert" | "delete", key: string): void {
  w.system("crm")
    .prepare(
      "INSERT INTO _concord_changelog (tbl, op, pk, at) VALUES ('contacts', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .run(op, key);
}

async function erpStatus() {
  const s = await status(w);
  return { binding: s.bindings.find((b) => b.system === "erp"), errors: s.recentErrors, entity: s.entities[0] };
}

describe("applying a change twice", () => {
  test("is a no-op, for upserts and deletes alike", async () => {
    w = contactWorld({
      systems: ["crm", "erp"],
      seed: {
        crm: [
          [ANN, "Ann"],
          [BOB, "Bob"],
        ],
      },
    });
    await syncOk(w);
    const keys = new Map(people(w, "crm").map((p) => [p.email, p.key]));
    rename(w, "crm", ANN, "Ann Lee");
    remove(w, "crm", BOB);
    const once = await syncOk(w);
    expect(writtenTo(once, "erp")).toEqual({ created: 0, updated: 1, deleted: 1 });

    redeliver("upsert", keys.get(ANN) ?? "");
    redeliver("delete", keys.get(BOB) ?? "");
    const twice = await syncOk(w);

    expect({ read: twice.read, applied: twice.applied, writes: totalWrites(twice) }).toEqual({
      read: 2,
      applied: 0,
      writes: 0,
    });
    expect(await audit(w, "--run", twice.runId)).toEqual([]);
    expect(contents(w, "erp")).toEqual(["ann@example.com=Ann Lee"]);

    // A full snapshot applies every record again: still nothing to do.
    const full = await syncOk(w, "--full");
    expect({ applied: full.applied, writes: totalWrites(full) }).toEqual({ applied: 0, writes: 0 });
    await expectSettled(w);
  });
});

describe("a write the target refuses", () => {
  test.each([
    { constraint: "NOT NULL", erpPhone: "phone TEXT NOT NULL", bobPhone: null },
    { constraint: "UNIQUE", erpPhone: "phone TEXT UNIQUE", bobPhone: "555-0100" },
  ])("($constraint) is recorded while the other records go through; fixing the data lets it through", async (c) => {
    w = contactWorld({
      systems: ["crm", "erp"],
      fields: ["phone: string"],
      columns: { crm: "phone TEXT", erp: c.erpPhone },
      mappings: { crm: "phone: phone", erp: "phone: phone" },
    });
    const add = w.system("crm").prepare("INSERT INTO contacts (email, name, phone) VALUES (?, ?, ?)");
    add.run(ANN, "Ann", "555-0100");
    add.run(BOB, "Bob", c.bobPhone);
    add.run("cy@example.com", "Cy", "555-0102");

    const first = await w.sync();

    expect({ code: first.code, errors: first.errors }).toEqual({ code: 1, errors: 1 });
    expect(writtenTo(first, "erp").created).toBe(2);
    const failed = [ANN, BOB].find((e) => !people(w, "erp").some((p) => p.email === e)) ?? "";
    expect(people(w, "erp").map((p) => p.email)).toEqual([ANN, BOB, "cy@example.com"].filter((e) => e !== failed));
    const before = await erpStatus();
    expect((before.binding?.pendingWrites ?? 0) + (before.binding?.deadLetters ?? 0)).toBe(1);
    expect(before.errors.map((e) => `${e.system} ${e.stage} ${e.message}`)).toContainEqual(
      expect.stringMatching(new RegExp(`^erp write .*${c.constraint} constraint failed`)),
    );
    expect(before.entity?.dirty).toBe(1);

    w.system("crm").prepare("UPDATE contacts SET phone = ? WHERE email = ?").run("555-0199", failed);
    const fixed = await syncOk(w);

    expect(writtenTo(fixed, "erp")).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(people(w, "erp").map((p) => p.email)).toEqual([ANN, BOB, "cy@example.com"]);
    const after = await erpStatus();
    expect(after.binding).toMatchObject({ records: 3, pendingWrites: 0, deadLetters: 0 });
    expect(after.entity?.dirty).toBe(0);
    await expectSettled(w);
  });

  test("a dead letter waits until a person retries it with --retry-dead", async () => {
    w = contactWorld({
      systems: ["crm", "erp"],
      seed: {
        crm: [
          [ANN, "Ann"],
          ["zed@blocked.example", "Zed"],
        ],
      },
    });
    w.system(
      "erp",
      `CREATE TRIGGER no_blocked BEFORE INSERT ON customers WHEN NEW.email_addr LIKE '%@blocked.example'
       BEGIN SELECT RAISE(ABORT, 'blocked domain'); END`,
    );

    const first = await w.sync();
    expect({ code: first.code, errors: first.errors, created: writtenTo(first, "erp").created }).toEqual({
      code: 1,
      errors: 1,
      created: 1,
    });
    expect((await erpStatus()).binding).toMatchObject({ deadLetters: 1, pendingWrites: 0 });

    // The target is fixed, but the record did not change: a plain sync leaves the dead letter alone.
    w.system("erp").exec("DROP TRIGGER no_blocked");
    const plain = await syncOk(w);
    expect(totalWrites(plain)).toBe(0);
    expect((await erpStatus()).binding).toMatchObject({ deadLetters: 1 });

    const retried = await syncOk(w, "--retry-dead");
    expect(writtenTo(retried, "erp")).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(contents(w, "erp")).toEqual(["ann@example.com=Ann", "zed@blocked.example=Zed"]);
    expect((await erpStatus()).binding).toMatchObject({ deadLetters: 0, pendingWrites: 0 });
    await expectSettled(w);
  });

  test("a refused delete is held as a dead letter too, and cleared once it goes through", async () => {
    w = contactWorld({
      systems: ["crm", "erp"],
      seed: {
        crm: [
          [ANN, "Ann"],
          [BOB, "Bob"],
        ],
      },
    });
    await syncOk(w);
    w.system(
      "erp",
      `CREATE TRIGGER keep_bob BEFORE DELETE ON customers WHEN OLD.email_addr = '${BOB}' BEGIN SELECT RAISE(ABORT, 'bob stays'); END`,
    );
    insertPerson(w, "crm", "cy@example.com", "Cy");
    remove(w, "crm", BOB);

    const refused = await w.sync();
    expect({ code: refused.code, erp: writtenTo(refused, "erp") }).toEqual({
      code: 1,
      erp: { created: 1, updated: 0, deleted: 0 },
    });
    expect((await erpStatus()).binding).toMatchObject({ deadLetters: 1 });

    // Fixed in erp; the retry runs alongside a create, as deletes and creates share a run.
    w.system("erp").exec("DROP TRIGGER keep_bob");
    insertPerson(w, "crm", "dee@example.com", "Dee");
    const retried = await syncOk(w, "--retry-dead");

    expect(writtenTo(retried, "erp")).toEqual({ created: 1, updated: 0, deleted: 1 });
    expect(contents(w, "erp")).toEqual(["ann@example.com=Ann", "cy@example.com=Cy", "dee@example.com=Dee"]);
    expect((await erpStatus()).binding).toMatchObject({ deadLetters: 0, pendingWrites: 0 });
    await expectSettled(w);
  });
});

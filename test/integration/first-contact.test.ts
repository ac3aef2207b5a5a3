import { afterEach, describe, expect, test } from "vitest";
import {
  contactWorld,
  contents,
  expectSettled,
  insertPerson,
  installed,
  people,
  remove,
  rename,
  syncOk,
  writtenTo,
} from "../helpers/contact-world.js";
import type { SqliteWorld } from "../helpers/sqlite-world.js";

const CAPTURE = (table: string) => [
  "table _concord_changelog",
  "table _concord_echo_guard",
  `trigger _concord_${table}_del`,
  `trigger _concord_${table}_ins`,
  `trigger _concord_${table}_upd`,
];

let w: SqliteWorld;
afterEach(() => w.close());

function world(): SqliteWorld {
  return contactWorld({
    systems: ["crm", "erp"],
    seed: {
      crm: [
        ["ann@example.com", "Ann"],
        ["bob@example.com", "Bob"],
        ["cy@example.com", "Cy"],
      ],
      erp: [
        ["bob@example.com", "Bob"],
        ["dee@example.com", "Dee"],
      ],
    },
  });
}

describe("first contact", () => {
  test("the first sync installs change capture in every system and loads them from full snapshots", async () => {
    w = world();
    expect(installed(w, "crm")).toEqual([]);
    expect(installed(w, "erp")).toEqual([]);

    const first = await syncOk(w);

    expect(installed(w, "crm")).toEqual(expect.arrayContaining(CAPTURE("contacts")));
    expect(installed(w, "erp")).toEqual(expect.arrayContaining(CAPTURE("customers")));
    // Every row of both systems was read: the snapshot, not a (still empty) change feed.
    expect(first.read).toBe(5);
    expect(writtenTo(first, "crm")).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(writtenTo(first, "erp")).toEqual({ created: 2, updated: 0, deleted: 0 });
    const everyone = ["ann@example.com=Ann", "bob@example.com=Bob", "cy@example.com=Cy", "dee@example.com=Dee"];
    expect(contents(w, "crm")).toEqual(everyone);
    expect(contents(w, "erp")).toEqual(everyone);
    await expectSettled(w);
  });

  test("later syncs read only what changed since the cursor", async () => {
    w = world();
    await syncOk(w);

    rename(w, "crm", "ann@example.com", "Ann Lee");
    insertPerson(w, "erp", "eve@example.com", "Eve");
    const next = await syncOk(w);

    expect(next.read).toBe(2);
    expect(writtenTo(next, "erp")).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(writtenTo(next, "crm")).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(contents(w, "erp")).toContain("ann@example.com=Ann Lee");
    expect(contents(w, "crm")).toContain("eve@example.com=Eve");
    await expectSettled(w);
  });
});

describe("concord teardown", () => {
  test("removes every object Concord installed in that system, and only there", async () => {
    w = world();
    await syncOk(w);
    const erpBefore = installed(w, "erp");

    const r = await w.cli(["teardown", "--system", "crm"]);

    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual({ system: "crm", removed: expect.arrayContaining(CAPTURE("contacts")) as unknown });
    expect(installed(w, "crm")).toEqual([]);
    expect(installed(w, "erp")).toEqual(erpBefore);
    // The owner's own table and rows are untouched.
    expect(contents(w, "crm")).toHaveLength(4);
  });

  test("the next sync starts over with a snapshot and converges without duplicates", async () => {
    w = world();
    await syncOk(w);
    expect((await w.cli(["teardown", "--system", "crm"])).code).toBe(0);

    // While nothing captures crm, its application goes on: none of this reaches a changelog.
    rename(w, "crm", "ann@example.com", "Ann Lee");
    insertPerson(w, "crm", "fay@example.com", "Fay");
    remove(w, "crm", "cy@example.com");
    const again = await syncOk(w);

    expect(installed(w, "crm")).toEqual(expect.arrayContaining(CAPTURE("contacts")));
    // crm was read whole again (4 rows, plus the delete the snapshot revealed); erp only
    // through its feed, which holds nothing.
    expect(again.read).toBe(5);
    expect(writtenTo(again, "erp")).toEqual({ created: 1, updated: 1, deleted: 1 });
    const expected = ["ann@example.com=Ann Lee", "bob@example.com=Bob", "dee@example.com=Dee", "fay@example.com=Fay"];
    expect(contents(w, "crm")).toEqual(expected);
    expect(contents(w, "erp")).toEqual(expected);
    expect(people(w, "erp").map((p) => p.email)).toEqual([...new Set(people(w, "erp").map((p) => p.email))]);
    await expectSettled(w);

    // Capture works again: a plain sync picks up the next edit from the feed.
    rename(w, "crm", "bob@example.com", "Robert");
    const feed = await syncOk(w);
    expect(feed.read).toBe(1);
    expect(contents(w, "erp")).toContain("bob@example.com=Robert");
  });
});

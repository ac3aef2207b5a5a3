import { afterEach, describe, expect, test } from "vitest";
import {
  audit,
  type ContactWorldOptions,
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
import type { SqliteWorld } from "../helpers/sqlite-world.js";

const ANN = "ann@example.com";
const EVERYONE = ["ann@example.com=Ann", "bob@example.com=Bob", "cy@example.com=Cy"];
const WITHOUT_ANN = ["bob@example.com=Bob", "cy@example.com=Cy"];

let w: SqliteWorld;
afterEach(() => w.close());

/** Three systems holding the same three contacts after a first sync. */
async function synced(options: Omit<ContactWorldOptions, "seed"> = {}): Promise<SqliteWorld> {
  w = contactWorld({
    ...options,
    seed: {
      crm: [
        [ANN, "Ann"],
        ["bob@example.com", "Bob"],
        ["cy@example.com", "Cy"],
      ],
    },
  });
  await syncOk(w);
  for (const s of ["crm", "erp", "shop"] as const) expect(contents(w, s)).toEqual(EVERYONE);
  return w;
}

async function detachedIn(system: string): Promise<number> {
  return (await status(w)).bindings.find((b) => b.system === system)?.detached ?? -1;
}

describe("deletes.action: delete", () => {
  test("by default a delete from any both-way system tombstones the record and deletes it everywhere", async () => {
    await synced();
    remove(w, "erp", ANN);

    const s = await syncOk(w);

    expect(writtenTo(s, "crm")).toEqual({ created: 0, updated: 0, deleted: 1 });
    expect(writtenTo(s, "shop")).toEqual({ created: 0, updated: 0, deleted: 1 });
    for (const system of ["crm", "erp", "shop"] as const) expect(contents(w, system)).toEqual(WITHOUT_ANN);
    expect((await status(w)).entities).toEqual([{ entity: "contact", live: 2, deleted: 1, dirty: 0 }]);
    const journal = await audit(w, "--run", s.runId);
    expect(journal.filter((e) => e.kind === "delete").map((e) => e.system)).toEqual(["erp"]);
    expect(
      journal
        .filter((e) => e.kind === "deleted")
        .map((e) => e.system)
        .sort(),
    ).toEqual(["crm", "shop"]);
    await expectSettled(w);
  });

  test("with an explicit `from`, a listed system's delete deletes everywhere", async () => {
    await synced({ entity: ["deletes: { from: [crm], action: delete }"] });
    remove(w, "crm", ANN);

    await syncOk(w);

    for (const system of ["crm", "erp", "shop"] as const) expect(contents(w, system)).toEqual(WITHOUT_ANN);
    await expectSettled(w);
  });
});

describe("a delete from a system not in `from`", () => {
  test("detaches that system only: the record lives on elsewhere and is not created there again", async () => {
    await synced({ entity: ["deletes: { from: [crm] }"] });
    remove(w, "erp", ANN);

    const s = await syncOk(w);

    expect(writtenTo(s, "crm")).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(contents(w, "crm")).toEqual(EVERYONE);
    expect(contents(w, "shop")).toEqual(EVERYONE);
    expect(contents(w, "erp")).toEqual(WITHOUT_ANN);
    expect(await detachedIn("erp")).toBe(1);
    const detach = (await audit(w, "--run", s.runId)).find((e) => e.kind === "detach");
    expect(detach).toMatchObject({ system: "erp", cause: "delete:not-in-from" });
    await expectSettled(w);

    // Later edits reach the systems still attached, never erp.
    rename(w, "crm", ANN, "Ann Lee");
    const edit = await syncOk(w);
    expect(writtenTo(edit, "shop").updated).toBe(1);
    expect(writtenTo(edit, "erp")).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(contents(w, "erp")).toEqual(WITHOUT_ANN);
    await expectSettled(w);
  });

  test("re-attaches when that system later creates a matching record", async () => {
    await synced({ entity: ["deletes: { from: [crm] }"] });
    remove(w, "erp", ANN);
    await syncOk(w);
    rename(w, "crm", ANN, "Ann Lee");
    await syncOk(w);

    const key = insertPerson(w, "erp", ANN, "Ann Lee");
    const back = await syncOk(w);

    const link = (await audit(w, "--run", back.runId)).find((e) => e.kind === "link");
    expect(link).toMatchObject({ system: "erp", key, cause: "re-attach" });
    expect(await detachedIn("erp")).toBe(0);
    expect(people(w, "erp").filter((p) => p.email === ANN)).toEqual([{ key, email: ANN, name: "Ann Lee" }]);
    expect((await status(w)).entities[0]).toMatchObject({ live: 3, deleted: 0 });
    await expectSettled(w);

    // Attached again: the next edit reaches erp's new row.
    rename(w, "shop", ANN, "Ann Lee-Smith");
    await syncOk(w);
    expect(people(w, "erp").filter((p) => p.email === ANN)).toEqual([{ key, email: ANN, name: "Ann Lee-Smith" }]);
  });
});

describe("deletes.action: unlink", () => {
  test("detaches the deleting system only; the golden record and the other systems keep it", async () => {
    await synced({ entity: ["deletes: { action: unlink }"] });
    remove(w, "shop", ANN);

    const s = await syncOk(w);

    expect(contents(w, "crm")).toEqual(EVERYONE);
    expect(contents(w, "erp")).toEqual(EVERYONE);
    expect(contents(w, "shop")).toEqual(WITHOUT_ANN);
    expect(await detachedIn("shop")).toBe(1);
    expect((await status(w)).entities[0]).toMatchObject({ live: 3, deleted: 0 });
    expect((await audit(w, "--run", s.runId)).find((e) => e.kind === "detach")).toMatchObject({
      system: "shop",
      cause: "delete:unlink",
    });
    await expectSettled(w);
  });
});

describe("deletes.action: ignore", () => {
  test("writes the record back to the system that deleted it, and nowhere else", async () => {
    await synced({ entity: ["deletes: { action: ignore }"] });
    rename(w, "crm", ANN, "Ann Lee");
    await syncOk(w);
    remove(w, "erp", ANN);

    const s = await syncOk(w);

    expect(writtenTo(s, "erp")).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(writtenTo(s, "crm")).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(writtenTo(s, "shop")).toEqual({ created: 0, updated: 0, deleted: 0 });
    const expected = ["ann@example.com=Ann Lee", "bob@example.com=Bob", "cy@example.com=Cy"];
    for (const system of ["crm", "erp", "shop"] as const) expect(contents(w, system)).toEqual(expected);
    await expectSettled(w);
  });
});

describe("deletes seen by full snapshots", () => {
  test("`sync --full` finds a row deleted behind the change feed's back", async () => {
    await synced();
    // The triggers are gone (an admin dropped them); the delete leaves no trace in the changelog.
    w.system("erp").exec('DROP TRIGGER "_concord_customers_del"');
    remove(w, "erp", ANN);

    const s = await syncOk(w, "--full");

    expect(writtenTo(s, "crm").deleted).toBe(1);
    expect(writtenTo(s, "shop").deleted).toBe(1);
    for (const system of ["crm", "erp", "shop"] as const) expect(contents(w, system)).toEqual(WITHOUT_ANN);
    await expectSettled(w);
  });

  test("the first sync after a teardown finds what was deleted meanwhile", async () => {
    await synced();
    expect((await w.cli(["teardown", "--system", "shop"])).code).toBe(0);
    remove(w, "shop", "bob@example.com");

    await syncOk(w);

    for (const system of ["crm", "erp", "shop"] as const) {
      expect(contents(w, system)).toEqual(["ann@example.com=Ann", "cy@example.com=Cy"]);
    }
    await expectSettled(w);
  });

  test("a snapshot delete from a system not in `from` detaches it, as the feed's does", async () => {
    await synced({ entity: ["deletes: { from: [crm] }"] });
    expect((await w.cli(["teardown", "--system", "erp"])).code).toBe(0);
    remove(w, "erp", ANN);

    await syncOk(w, "--full");

    expect(contents(w, "crm")).toEqual(EVERYONE);
    expect(contents(w, "shop")).toEqual(EVERYONE);
    expect(contents(w, "erp")).toEqual(WITHOUT_ANN);
    expect(await detachedIn("erp")).toBe(1);
    await expectSettled(w);
    // A further full snapshot does not count the detached record as deleted again, nor create it.
    const full = await syncOk(w, "--full");
    expect(writtenTo(full, "erp")).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(contents(w, "erp")).toEqual(WITHOUT_ANN);
  });
});

describe("a key the source gives to a new record", () => {
  test("is a delete and a create, not an edit of the deleted record", async () => {
    await synced();
    // SQLite hands the highest rowid out again: Dee gets the key Cy had.
    remove(w, "crm", "cy@example.com");
    const key = insertPerson(w, "crm", "dee@example.com", "Dee");
    expect(key).toBe("3");

    const s = await syncOk(w);

    const expected = ["ann@example.com=Ann", "bob@example.com=Bob", "dee@example.com=Dee"];
    for (const system of ["crm", "erp", "shop"] as const) expect(contents(w, system)).toEqual(expected);
    expect((await status(w)).entities[0]).toMatchObject({ live: 3, deleted: 1 });
    const journal = await audit(w, "--run", s.runId);
    const deleted = journal.find((e) => e.kind === "delete");
    const created = journal.find((e) => e.kind === "create");
    expect(deleted).toMatchObject({ system: "crm", key: "3" });
    expect(created).toMatchObject({ system: "crm", key: "3" });
    expect(created?.uid).not.toBe(deleted?.uid);
    await expectSettled(w);
  });
});

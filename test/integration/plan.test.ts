import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { PlannedWrite } from "../../src/cli/commands/plan.js";
import {
  contactWorld,
  contents,
  dump,
  dumpHub,
  expectSettled,
  insertPerson,
  installed,
  remove,
  rename,
  syncOk,
} from "../helpers/contact-world.js";
import type { SqliteWorld, SyncJson } from "../helpers/sqlite-world.js";

const SYSTEMS = ["crm", "erp", "shop"] as const;

let w: SqliteWorld;
afterEach(() => w.close());

/** Every table of every system (changelogs included) and of the hub, as sorted rows. */
function everything(): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const s of SYSTEMS) out[s] = dump(w.system(s));
  out.hub = dumpHub(w);
  return out;
}

type PlanJson = SyncJson & { planned: PlannedWrite[] };

describe("concord plan", () => {
  test("lists what sync would write, writes nothing anywhere, and sync then does just that", async () => {
    w = contactWorld({
      seed: {
        crm: [
          ["ann@example.com", "Ann"],
          ["bob@example.com", "Bob"],
          ["cy@example.com", "Cy"],
        ],
      },
    });
    await syncOk(w);
    rename(w, "crm", "ann@example.com", "Ann Lee");
    insertPerson(w, "erp", "dee@example.com", "Dee");
    remove(w, "shop", "cy@example.com");
    const before = everything();

    const plan = await w.cli(["plan"]);
    const human = await w.cli(["plan"], { raw: true });

    expect(plan.code, plan.stderr).toBe(0);
    const planned = (plan.json as PlanJson).planned;
    const brief = planned.map((p) => `${p.op} ${p.label} in ${p.system} ${JSON.stringify(p.fields)}`).sort();
    expect(brief).toEqual([
      'create contact dee@example.com in crm {"email":"dee@example.com","name":"Dee"}',
      'create contact dee@example.com in shop {"email":"dee@example.com","name":"Dee"}',
      "delete contact cy@example.com in crm {}",
      "delete contact cy@example.com in erp {}",
      'update contact ann@example.com in erp {"name":"Ann Lee"}',
      'update contact ann@example.com in shop {"name":"Ann Lee"}',
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("update contact ann@example.com in erp");
    expect(human.stdout).toContain("6 write(s) planned; nothing was written");
    expect(everything()).toEqual(before);

    const sync = await syncOk(w);
    expect(sync.written).toEqual((plan.json as PlanJson).written);
    const expected = ["ann@example.com=Ann Lee", "bob@example.com=Bob", "dee@example.com=Dee"];
    for (const s of SYSTEMS) expect(contents(w, s)).toEqual(expected);
    await expectSettled(w);
    const quiet = await w.cli(["plan"]);
    expect((quiet.json as PlanJson).planned).toEqual([]);
  });

  test("before the first sync it installs nothing and stores nothing, yet shows the initial load", async () => {
    w = contactWorld({ seed: { crm: [["ann@example.com", "Ann"]], erp: [["bob@example.com", "Bob"]] } });
    const systemsBefore = SYSTEMS.map((s) => dump(w.system(s)));

    const plan = await w.cli(["plan"]);

    expect(plan.code, plan.stderr).toBe(0);
    const brief = (plan.json as PlanJson).planned.map((p) => `${p.op} ${p.label} in ${p.system}`).sort();
    expect(brief).toEqual([
      "create contact ann@example.com in erp",
      "create contact ann@example.com in shop",
      "create contact bob@example.com in crm",
      "create contact bob@example.com in shop",
    ]);
    expect(SYSTEMS.map((s) => dump(w.system(s)))).toEqual(systemsBefore);
    for (const s of SYSTEMS) expect(installed(w, s)).toEqual([]);
    // No hub data either (a hub file, if one was made, holds at most its schema).
    const hub = fs.existsSync(path.join(w.dir, ".concord", "hub.db")) ? dumpHub(w) : {};
    const filled = Object.entries(hub).filter(
      ([t, rows]) => t !== "sqlite_master" && t !== "schema_migrations" && rows.length > 0,
    );
    expect(filled).toEqual([]);

    // The real first sync is still a first contact.
    const first = await syncOk(w);
    expect(first.read).toBe(2);
    for (const s of SYSTEMS) expect(contents(w, s)).toEqual(["ann@example.com=Ann", "bob@example.com=Bob"]);
  });
});

import { afterEach, describe, expect, test } from "vitest";
import type { RunSummary } from "../../src/core/types.js";
import {
  audit,
  contactWorld,
  contents,
  dump,
  dumpHub,
  expectSettled,
  insertPerson,
  rename,
  syncOk,
  writtenTo,
} from "../helpers/contact-world.js";
import type { SqliteWorld } from "../helpers/sqlite-world.js";

const SYSTEMS = ["crm", "erp", "shop"] as const;
const ANN = "ann@example.com";

let w: SqliteWorld;
afterEach(() => w.close());

type RollbackJson = RunSummary & { skipped: string[]; planned?: string[] };

describe("concord audit", () => {
  test("filters the journal by record, run, system and time", async () => {
    w = contactWorld({
      systems: ["crm", "erp"],
      seed: {
        crm: [
          [ANN, "Ann"],
          ["bob@example.com", "Bob"],
        ],
      },
    });
    const first = await syncOk(w);
    rename(w, "crm", ANN, "Ann Lee");
    const second = await syncOk(w);
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    rename(w, "erp", "bob@example.com", "Robert");
    const third = await syncOk(w);

    const ofRun = await audit(w, "--run", second.runId);
    expect(new Set(ofRun.map((e) => e.runId))).toEqual(new Set([second.runId]));
    expect(ofRun.map((e) => [e.kind, e.system, e.field, e.before, e.after])).toEqual([
      ["golden", "crm", "name", "Ann", "Ann Lee"],
      ["write", "erp", undefined, { name: "Ann" }, { name: "Ann Lee" }],
    ]);
    const annUid = ofRun[0]?.uid ?? "";

    const ofUid = await audit(w, "--uid", annUid);
    expect(ofUid.every((e) => e.uid === annUid)).toBe(true);
    expect(new Set(ofUid.map((e) => e.runId))).toEqual(new Set([first.runId, second.runId]));

    const ofErp = await audit(w, "--system", "erp");
    expect(ofErp.every((e) => e.system === "erp")).toBe(true);
    expect(ofErp.filter((e) => e.kind === "golden").map((e) => [e.runId, e.after])).toEqual([[third.runId, "Robert"]]);

    const recent = await audit(w, "--since", since);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((e) => e.at >= since && e.runId === third.runId)).toBe(true);

    const both = await audit(w, "--system", "crm", "--run", third.runId);
    expect(both.map((e) => [e.kind, e.after])).toEqual([["write", { name: "Robert" }]]);

    const human = await w.cli(["audit", "--run", second.runId], { raw: true });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Ann Lee");
  });
});

describe("concord rollback", () => {
  async function runToUndo(): Promise<string> {
    w = contactWorld({
      seed: {
        crm: [
          [ANN, "Ann"],
          ["bob@example.com", "Bob"],
        ],
      },
    });
    await syncOk(w);
    rename(w, "crm", ANN, "Ann Lee");
    insertPerson(w, "crm", "cy@example.com", "Cy");
    const run = await syncOk(w);
    for (const s of SYSTEMS)
      expect(contents(w, s)).toEqual(["ann@example.com=Ann Lee", "bob@example.com=Bob", "cy@example.com=Cy"]);
    return run.runId;
  }

  test("--dry-run lists what it would undo and writes nothing", async () => {
    const runId = await runToUndo();
    const before = { systems: SYSTEMS.map((s) => dump(w.system(s))), hub: dumpHub(w) };

    const dry = await w.cli(["rollback", "--run", runId, "--dry-run"]);

    expect(dry.code, dry.stderr).toBe(0);
    const planned = ((dry.json as RollbackJson).planned ?? []).map((p) => p.replace(/ [0-9a-f-]{36} /, " UID ")).sort();
    expect(planned).toEqual([
      "delete contact UID in crm",
      "delete contact UID in erp",
      "delete contact UID in shop",
      "update contact UID in crm",
      "update contact UID in erp",
      "update contact UID in shop",
    ]);
    expect({ systems: SYSTEMS.map((s) => dump(w.system(s))), hub: dumpHub(w) }).toEqual(before);
  });

  test("restores the before-values in every system and deletes the records the run created", async () => {
    const runId = await runToUndo();

    const undo = await w.cli(["rollback", "--run", runId]);

    expect(undo.code, undo.stderr).toBe(0);
    const summary = undo.json as RollbackJson;
    for (const s of SYSTEMS) {
      expect(writtenTo(summary, s)).toEqual({ created: 0, updated: 1, deleted: 1 });
      expect(contents(w, s)).toEqual(["ann@example.com=Ann", "bob@example.com=Bob"]);
    }
    expect(summary.skipped).toEqual([]);
    const journal = await audit(w, "--run", summary.runId);
    expect(journal.filter((e) => e.kind === "golden").map((e) => [e.field, e.before, e.after, e.cause])).toEqual([
      ["name", "Ann Lee", "Ann", `rollback:${runId}`],
    ]);
    await expectSettled(w);
  });

  test("leaves a value that changed again since the run, and says so", async () => {
    const runId = await runToUndo();
    rename(w, "erp", ANN, "Ann Lee-Smith");
    await syncOk(w);

    const undo = await w.cli(["rollback", "--run", runId]);

    expect(undo.code, undo.stderr).toBe(0);
    expect((undo.json as RollbackJson).skipped).toEqual([expect.stringMatching(/name: changed again since run/)]);
    for (const s of SYSTEMS) expect(contents(w, s)).toEqual(["ann@example.com=Ann Lee-Smith", "bob@example.com=Bob"]);
    await expectSettled(w);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DryRunHubStore } from "../../src/hub/dry-run-hub-store.js";
import type { HubBatch, HubStore } from "../../src/hub/hub-store.js";
import { openHubStore } from "../../src/hub/open-hub-store.js";
import { SqliteHubStore } from "../../src/hub/sqlite/sqlite-hub-store.js";
import { allPages, snapshotHub } from "./dry-run-hub-store-helpers.js";
import { describeHubStoreContract } from "./hub-store.case.js";
import {
  at,
  conflict,
  contact,
  duplicate,
  entry,
  link,
  parked,
  recordError,
  run,
  uid,
  writeFailure,
} from "./hub-store-fixtures.js";

const folders: string[] = [];

function tempFile(): string {
  const folder = mkdtempSync(join(tmpdir(), "concord-dry-run-"));
  folders.push(folder);
  return join(folder, "hub.db");
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

// No reopen(): a dry run keeps nothing, so the contract's close-and-reopen durability case is skipped.
describeHubStoreContract("dry run over sqlite", async () => {
  const store = new DryRunHubStore(await openHubStore(`sqlite:${tempFile()}`));
  return { store, cleanup: () => store.close() };
});

const seed: HubBatch = {
  goldens: [1, 2, 3, 4, 5, 6].map((n) => contact(n, { dirty: n % 2 === 1 })),
  links: [
    link(1, "crm", "c-1"),
    link(2, "crm", "c-2"),
    link(3, "crm", "c-3"),
    link(4, "crm", "c-4"),
    link(5, "crm", "c-5"),
    link(6, "crm", "c-6", { state: "detached" }),
    link(4, "erp", "E-4"),
  ],
  matchKeys: [
    { entity: "contact", uid: uid(1), keys: ["email#person1@example.com", "name#zoë"] },
    { entity: "contact", uid: uid(2), keys: ["email#person2@example.com", "name#zoë"] },
  ],
  journal: [entry(1), entry(2), entry(3)],
  conflicts: [conflict("cf-1", 1)],
  duplicates: [duplicate("dup-1", 1)],
  errors: [recordError(1)],
  cursors: [{ system: "crm", cursor: "41" }],
  park: [parked("p-1", 1), parked("p-2", 2)],
  writeFailures: [writeFailure(1, "erp"), writeFailure(2, "erp")],
  meta: [{ key: "config.hash", value: "sha256:abc" }],
};

describe("DryRunHubStore over a hub that holds data", () => {
  let file: string;
  let before: ReturnType<typeof snapshotHub>;
  let hub: HubStore;

  beforeEach(async () => {
    file = tempFile();
    const seeded = await openHubStore(`sqlite:${file}`);
    await seeded.commit(seed);
    await seeded.startRun(run("run-1", 0));
    await seeded.finishRun({ ...run("run-1", 0), status: "ok", finishedAt: at(1) });
    await seeded.close();
    before = snapshotHub(file);
    hub = new DryRunHubStore(new SqliteHubStore(file));
  });

  afterEach(async () => {
    await hub.close();
  });

  /** Closes the dry run and checks that the hub file, bytes and rows, is as it was before. */
  async function expectHubUntouched(): Promise<void> {
    await hub.close();
    expect(snapshotHub(file)).toEqual(before);
  }

  it("replaces and cleans goldens, and pages dirty records across both sources", async () => {
    const renamed = contact(2, { dirty: true, fields: { email: "new2@example.com" } });
    await hub.commit({
      goldens: [renamed, contact(8), contact(7, { dirty: false })],
      clean: [{ entity: "contact", uid: uid(3) }],
    });
    await hub.commit({ goldens: [contact(5, { deleted: true, dirty: false })] });

    for (const limit of [1, 2, 3, 10]) {
      expect((await allPages((a, n) => hub.listDirty("contact", a, n), limit)).flat()).toEqual([
        uid(1),
        uid(2),
        uid(8),
      ]);
      expect((await allPages((a, n) => hub.listUids("contact", a, n), limit)).flat()).toEqual(
        [1, 2, 3, 4, 5, 6, 7, 8].map(uid),
      );
    }
    expect(await hub.getGoldens("contact", [uid(8), uid(3), uid(2), uid(1), uid(99), uid(2)])).toStrictEqual([
      contact(1),
      renamed,
      contact(3, { dirty: false }),
      contact(8),
    ]);
    expect(await hub.countGoldens("contact")).toEqual({ live: 7, deleted: 1, dirty: 3 });
    await expectHubUntouched();
  });

  it("moves, detaches and removes links, and refuses keys still held in either source", async () => {
    await hub.commit({ unlinks: [{ entity: "contact", uid: uid(4), system: "crm" }], links: [link(5, "crm", "c-4")] });
    await hub.commit({ links: [link(3, "crm", "c-3", { state: "detached" }), link(7, "crm", "c-0")] });

    const crmKeys = ["c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6"];
    expect((await hub.getLinksByKeys("contact", "crm", crmKeys)).map((l) => `${l.key}:${l.uid}:${l.state}`)).toEqual([
      `c-0:${uid(7)}:active`,
      `c-1:${uid(1)}:active`,
      `c-2:${uid(2)}:active`,
      `c-3:${uid(3)}:detached`,
      `c-4:${uid(5)}:active`,
      `c-6:${uid(6)}:detached`,
    ]);
    expect(await hub.getLinksByUids("contact", [uid(5), uid(4)])).toStrictEqual([
      link(4, "erp", "E-4"),
      link(5, "crm", "c-4"),
    ]);
    for (const limit of [1, 2, 3, 10]) {
      const pages = await allPages((a, n) => hub.listLinkKeys("contact", "crm", a, n), limit);
      expect(pages.flat()).toEqual(["c-0", "c-1", "c-2", "c-4"]);
    }
    expect(await hub.linkStats()).toEqual([
      { entity: "contact", system: "crm", active: 4, detached: 2 },
      { entity: "contact", system: "erp", active: 1, detached: 0 },
    ]);

    await expect(hub.commit({ links: [link(8, "crm", "c-1")] })).rejects.toMatchObject({ code: "hub" });
    await expect(hub.commit({ links: [link(8, "crm", "c-4")] })).rejects.toMatchObject({ code: "hub" });
    await hub.commit({ links: [link(8, "crm", "c-5")] });
    expect(await hub.getLinksByKeys("contact", "crm", ["c-5"])).toStrictEqual([link(8, "crm", "c-5")]);
    await expectHubUntouched();
  });

  it("hides a record's underlying match keys once the overlay replaced them", async () => {
    await hub.commit({ matchKeys: [{ entity: "contact", uid: uid(1), keys: ["email#ada@example.com"] }] });
    const found = await hub.findByMatchKeys("contact", [
      "name#zoë",
      "email#person1@example.com",
      "email#ada@example.com",
    ]);
    expect(found).toEqual([
      { key: "email#ada@example.com", uid: uid(1) },
      { key: "name#zoë", uid: uid(2) },
    ]);
    await expectHubUntouched();
  });

  it("continues the journal's numbering and merges queues, cursors, meta and runs", async () => {
    const resolved = conflict("cf-1", 1, { winner: "crm", status: "resolved", resolvedAt: at(30) });
    const dead = writeFailure(1, "erp", { attempts: 5, dead: true, updatedAt: at(40) });
    await hub.startRun(run("run-2", 20));
    await hub.commit({
      journal: [entry(4, { runId: "run-2" }), entry(5, { runId: "run-2" })],
      conflicts: [resolved, conflict("cf-2", 2)],
      duplicates: [duplicate("dup-1", 1, { status: "dismissed" })],
      errors: [recordError(2, { runId: "run-2" })],
      cursors: [{ system: "crm", cursor: "42" }],
      park: [parked("p-3", 3)],
      unpark: ["p-1"],
      writeFailures: [dead],
      clearWriteFailures: [{ entity: "contact", uid: uid(2), system: "erp" }],
      meta: [{ key: "config.hash", value: "sha256:def" }],
    });
    await hub.finishRun({ ...run("run-2", 20), status: "ok", finishedAt: at(21) });

    const journal = await hub.queryJournal({});
    expect(journal.map((e) => [e.seq, e.uid])).toEqual([1, 2, 3, 4, 5].map((n) => [n, uid(n)]));
    expect((await hub.queryJournal({ afterSeq: 2, limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
    expect((await hub.queryJournal({ runId: "run-2", afterSeq: 4 })).map((e) => e.seq)).toEqual([5]);
    expect((await hub.queryJournal({ since: at(2), limit: 3 })).map((e) => e.seq)).toEqual([2, 3, 4]);

    expect(await hub.getConflict("cf-1")).toStrictEqual(resolved);
    expect((await hub.listConflicts({ status: "open" })).map((c) => c.id)).toEqual(["cf-2"]);
    expect(await hub.listDuplicates({ status: "open" })).toEqual([]);
    expect(await hub.listErrors({})).toStrictEqual([recordError(2, { runId: "run-2" }), recordError(1)]);
    expect(await hub.listErrors({ limit: 1 })).toStrictEqual([recordError(2, { runId: "run-2" })]);
    expect(await hub.listErrors({ runId: "run-1" })).toStrictEqual([recordError(1)]);
    expect(await hub.listParked()).toStrictEqual([parked("p-2", 2), parked("p-3", 3)]);
    expect(await hub.getWriteFailures("contact", "erp", [uid(1), uid(2)])).toStrictEqual([dead]);
    expect(await hub.listWriteFailures({ dead: false })).toEqual([]);
    expect(await hub.getCursor("crm")).toBe("42");
    expect(await hub.getMeta("config.hash")).toBe("sha256:def");
    expect((await hub.listRuns(10)).map((r) => `${r.id}:${r.status}`)).toEqual(["run-2:ok", "run-1:ok"]);
    await expectHubUntouched();
  });

  it("keeps what it returns and what it was given apart from its state", async () => {
    const golden = contact(9);
    await hub.commit({ goldens: [golden] });
    (golden.fields as Record<string, unknown>).email = "changed@example.com";
    const [read] = await hub.getGoldens("contact", [uid(9)]);
    expect(read?.fields.email).toBe("person9@example.com");
    if (read !== undefined) (read.fields as Record<string, unknown>).email = "again@example.com";
    expect((await hub.getGoldens("contact", [uid(9)]))[0]?.fields.email).toBe("person9@example.com");
    await expectHubUntouched();
  });
});

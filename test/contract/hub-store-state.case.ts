import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/core/types.js";
import type { HubBatch } from "../../src/hub/hub-store.js";
import {
  at,
  conflict,
  contact,
  duplicate,
  entry,
  type HubStoreContext,
  link,
  parked,
  recordError,
  run,
  uid,
  writeFailure,
} from "./hub-store-fixtures.js";

const finished = (r: RunRecord, status: RunRecord["status"], minute: number): RunRecord => ({
  ...r,
  status,
  finishedAt: at(minute),
  summary: {
    runId: r.id,
    read: 120,
    applied: 80,
    written: { erp: { created: 3, updated: 70, deleted: 1 }, shop: { created: 0, updated: 6, deleted: 0 } },
    conflicts: 2,
    errors: 1,
    halted: status === "halted",
    haltReasons: status === "halted" ? ["erp: 60% of records changed (max 50%)"] : [],
    durationMs: 1534,
  },
});

// One batch touching every member, for the atomicity and durability cases.
const everything: HubBatch = {
  goldens: [contact(1), contact(2, { dirty: false })],
  links: [link(1, "crm", "c-1"), link(2, "crm", "c-2")],
  matchKeys: [{ entity: "contact", uid: uid(1), keys: ["email#person1@example.com"] }],
  journal: [entry(1), entry(2)],
  conflicts: [conflict("cf-1", 1)],
  duplicates: [duplicate("dup-1", 1)],
  errors: [recordError(1)],
  cursors: [{ system: "crm", cursor: '{"lsn":"0/16B3748"}' }],
  park: [parked("p-1", 1)],
  writeFailures: [writeFailure(1, "erp")],
  meta: [{ key: "config.hash", value: "sha256:abc" }],
};

/** Cursors, meta, runs, atomicity, migrations and durability. */
export function stateCases(ctx: HubStoreContext): void {
  describe("cursors and meta", () => {
    it("stores and replaces cursors per system and meta per key", async () => {
      const s = ctx.store();
      expect(await s.getCursor("crm")).toBeNull();
      expect(await s.getMeta("config.hash")).toBeNull();
      await s.commit({
        cursors: [
          { system: "crm", cursor: "41" },
          { system: "erp", cursor: '{"file":"binlog.000003","pos":1542}' },
        ],
        meta: [{ key: "config.hash", value: "sha256:abc" }],
      });
      await s.commit({
        cursors: [{ system: "crm", cursor: "42" }],
        meta: [{ key: "config.hash", value: "sha256:def" }],
      });
      expect(await s.getCursor("crm")).toBe("42");
      expect(await s.getCursor("erp")).toBe('{"file":"binlog.000003","pos":1542}');
      expect(await s.getCursor("shop")).toBeNull();
      expect(await s.getMeta("config.hash")).toBe("sha256:def");
    });
  });

  describe("leases", () => {
    it("lets one owner at a time hold a lease, renews it for its holder, frees it on release", async () => {
      const s = ctx.store();
      expect(await s.leaseHolder("run")).toBeUndefined();
      expect(await s.tryLease("run", "worker-a", 60_000)).toBe(true);
      expect(await s.leaseHolder("run")).toBe("worker-a");
      expect(await s.tryLease("run", "worker-b", 60_000)).toBe(false);
      expect(await s.tryLease("run", "worker-a", 60_000)).toBe(true);
      expect(await s.tryLease("other", "worker-b", 60_000)).toBe(true);
      await s.releaseLease("run", "worker-b");
      expect(await s.tryLease("run", "worker-b", 60_000)).toBe(false);
      await s.releaseLease("run", "worker-a");
      expect(await s.tryLease("run", "worker-b", 60_000)).toBe(true);
    });

    it("gives an expired lease to the next owner who asks", async () => {
      const s = ctx.store();
      expect(await s.tryLease("run", "crashed", 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      expect(await s.leaseHolder("run")).toBeUndefined();
      expect(await s.tryLease("run", "next", 60_000)).toBe(true);
      expect(await s.tryLease("run", "crashed", 60_000)).toBe(false);
    });
  });

  describe("runs", () => {
    it("starts, finishes and reads runs, newest first", async () => {
      const s = ctx.store();
      const [r1, r2, r3] = [run("run-1", 0), run("run-2", 10), run("run-3", 20)];
      await s.startRun(r1);
      await s.startRun(r2);
      expect(await s.getRun("run-1")).toStrictEqual(r1);
      const done = finished(r1, "ok", 5);
      await s.finishRun(done);
      await s.finishRun(finished(r2, "halted", 12));
      await s.startRun(r3);
      expect(await s.getRun("run-1")).toStrictEqual(done);
      expect(await s.getRun("run-404")).toBeUndefined();
      expect((await s.listRuns(10)).map((r) => r.id)).toEqual(["run-3", "run-2", "run-1"]);
      expect(await s.listRuns(2)).toStrictEqual([r3, finished(r2, "halted", 12)]);
      // A run recorded only when it finishes (the daemon's, once it did something).
      const late = finished(run("run-4", 30), "ok", 31);
      await s.finishRun(late);
      expect(await s.getRun("run-4")).toStrictEqual(late);
    });
  });

  describe("atomicity", () => {
    it("applies nothing of a batch that fails", async () => {
      const s = ctx.store();
      await s.commit({ links: [link(9, "crm", "taken")], cursors: [{ system: "crm", cursor: "1" }] });
      const failing: HubBatch = { ...everything, links: [...(everything.links ?? []), link(3, "crm", "taken")] };
      await expect(s.commit(failing)).rejects.toMatchObject({ code: "hub" });

      expect(await s.getGoldens("contact", [uid(1), uid(2)])).toEqual([]);
      expect(await s.getLinksByUids("contact", [uid(1), uid(2), uid(3)])).toEqual([]);
      expect(await s.findByMatchKeys("contact", ["email#person1@example.com"])).toEqual([]);
      expect(await s.queryJournal({})).toEqual([]);
      expect(await s.listConflicts({})).toEqual([]);
      expect(await s.listDuplicates({})).toEqual([]);
      expect(await s.listErrors({})).toEqual([]);
      expect(await s.getCursor("crm")).toBe("1");
      expect(await s.listParked()).toEqual([]);
      expect(await s.listWriteFailures({})).toEqual([]);
      expect(await s.getMeta("config.hash")).toBeNull();

      // The store stays usable after a failed batch.
      await s.commit(everything);
      expect(await s.getCursor("crm")).toBe('{"lsn":"0/16B3748"}');
    });
  });

  describe("schema and durability", () => {
    it("migrates again without harm", async () => {
      const s = ctx.store();
      await s.commit(everything);
      await s.migrate();
      await s.migrate();
      expect(await s.getGoldens("contact", [uid(1)])).toStrictEqual([contact(1)]);
    });

    it("keeps everything across close and reopen", async (test) => {
      const { store, reopen } = ctx.underTest();
      if (reopen === undefined) {
        test.skip("this store's factory offers no reopen()");
        return;
      }
      await store.commit(everything);
      await store.startRun(run("run-1", 0));
      await store.close();
      const again = await reopen();
      try {
        await again.migrate();
        expect(await again.getGoldens("contact", [uid(1)])).toStrictEqual([contact(1)]);
        expect(await again.getLinksByKeys("contact", "crm", ["c-2"])).toStrictEqual([link(2, "crm", "c-2")]);
        expect(await again.listDirty("contact", null, 10)).toEqual([uid(1)]);
        expect(await again.queryJournal({})).toHaveLength(2);
        expect(await again.getCursor("crm")).toBe('{"lsn":"0/16B3748"}');
        expect(await again.getRun("run-1")).toStrictEqual(run("run-1", 0));
        expect(await again.listParked()).toStrictEqual([parked("p-1", 1)]);
        expect(await again.getMeta("config.hash")).toBe("sha256:abc");
      } finally {
        await again.close();
      }
    });
  });
}

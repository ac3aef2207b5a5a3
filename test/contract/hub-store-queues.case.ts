import { describe, expect, it } from "vitest";
import {
  at,
  conflict,
  duplicate,
  type HubStoreContext,
  parked,
  recordError,
  sortBy,
  uid,
  writeFailure,
} from "./hub-store-fixtures.js";

const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id).sort();

/** What waits for a person or a retry: conflicts, duplicates, errors, parked changes, write failures. */
export function queueCases(ctx: HubStoreContext): void {
  describe("conflicts", () => {
    it("inserts, replaces by id and filters by status, uid and entity", async () => {
      const s = ctx.store();
      const open = conflict("cf-1", 1);
      const newest = conflict("cf-2", 2, { rule: "newest", winner: "erp", status: "resolved", resolvedAt: at(3) });
      const onOrder = conflict("cf-3", 1001, { entity: "order", field: "total", value: "10", goldenValue: null });
      await s.commit({ conflicts: [open, newest, onOrder] });
      expect(await s.getConflict("cf-1")).toStrictEqual(open);
      expect(await s.getConflict("cf-2")).toStrictEqual(newest);
      expect(await s.getConflict("cf-404")).toBeUndefined();

      const resolved = { ...open, winner: "crm", status: "resolved" as const, resolvedAt: at(30) };
      await s.commit({ conflicts: [resolved] });
      expect(await s.getConflict("cf-1")).toStrictEqual(resolved);

      expect(ids(await s.listConflicts({}))).toEqual(["cf-1", "cf-2", "cf-3"]);
      expect(ids(await s.listConflicts({ status: "open" }))).toEqual(["cf-3"]);
      expect(ids(await s.listConflicts({ status: "resolved", entity: "contact" }))).toEqual(["cf-1", "cf-2"]);
      expect(ids(await s.listConflicts({ uid: uid(2) }))).toEqual(["cf-2"]);
      expect(await s.listConflicts({ uid: uid(1), entity: "order" })).toEqual([]);
    });
  });

  describe("duplicate candidates", () => {
    it("inserts, replaces by id and filters by status and entity", async () => {
      const s = ctx.store();
      const first = duplicate("dup-1", 1);
      const orders = duplicate("dup-2", 1001, { entity: "order", reason: "number#so-1" });
      await s.commit({ duplicates: [first, orders] });
      expect(await s.getDuplicate("dup-1")).toStrictEqual(first);
      expect(await s.getDuplicate("dup-404")).toBeUndefined();

      await s.commit({ duplicates: [{ ...first, status: "merged" }, duplicate("dup-3", 5)] });
      expect(await s.getDuplicate("dup-1")).toStrictEqual({ ...first, status: "merged" });
      expect(ids(await s.listDuplicates({}))).toEqual(["dup-1", "dup-2", "dup-3"]);
      expect(ids(await s.listDuplicates({ status: "open" }))).toEqual(["dup-2", "dup-3"]);
      expect(ids(await s.listDuplicates({ status: "open", entity: "contact" }))).toEqual(["dup-3"]);
      expect(ids(await s.listDuplicates({ status: "dismissed" }))).toEqual([]);
    });
  });

  describe("record errors", () => {
    it("stores errors as data, newest first, filtered by run and system", async () => {
      const s = ctx.store();
      const keyless = recordError(2, { stage: "map-in", system: "crm" });
      const { key: _key, uid: _uid, ...noKey } = keyless;
      await s.commit({ errors: [recordError(1), noKey] });
      await s.commit({ errors: [recordError(3, { runId: "run-2", stage: "write" })] });

      expect(await s.listErrors({})).toStrictEqual([
        recordError(3, { runId: "run-2", stage: "write" }),
        noKey,
        recordError(1),
      ]);
      expect(await s.listErrors({ runId: "run-1" })).toStrictEqual([noKey, recordError(1)]);
      expect(await s.listErrors({ system: "crm" })).toStrictEqual([noKey]);
      expect(await s.listErrors({ runId: "run-1", system: "erp" })).toStrictEqual([recordError(1)]);
      expect(await s.listErrors({ limit: 1 })).toHaveLength(1);
    });
  });

  describe("parked changes", () => {
    it("parks changes, lists them oldest first and unparks them by id", async () => {
      const s = ctx.store();
      const [p1, p2, p3] = [parked("p-1", 1), parked("p-2", 2), parked("p-3", 3)];
      await s.commit({ park: [p2, p1] });
      await s.commit({ park: [p3], unpark: ["p-2", "p-404"] });
      expect(await s.listParked()).toStrictEqual([p1, p3]);
      await s.commit({ unpark: ["p-1", "p-3"] });
      expect(await s.listParked()).toStrictEqual([]);
    });
  });

  describe("write failures", () => {
    it("upserts by (entity, uid, system), reads by uids, lists by dead and system, clears", async () => {
      const s = ctx.store();
      await s.commit({
        writeFailures: [writeFailure(1, "erp"), writeFailure(2, "erp"), writeFailure(1, "shop")],
      });
      const dead = writeFailure(1, "erp", { attempts: 8, lastError: "HTTP 500", dead: true, updatedAt: at(50) });
      await s.commit({ writeFailures: [dead, { ...writeFailure(3, "erp"), entity: "order" }] });

      const got = await s.getWriteFailures("contact", "erp", [uid(1), uid(2), uid(3)]);
      expect(sortBy(got, (f) => f.uid)).toStrictEqual([dead, writeFailure(2, "erp")]);
      expect(await s.getWriteFailures("contact", "shop", [uid(2)])).toStrictEqual([]);
      expect(await s.getWriteFailures("contact", "erp", [])).toStrictEqual([]);

      const key = (f: { entity: string; uid: string; system: string }): string => `${f.entity}/${f.uid}/${f.system}`;
      expect((await s.listWriteFailures({ dead: true })).map(key)).toEqual([key(dead)]);
      expect((await s.listWriteFailures({ dead: false })).map(key).sort()).toEqual(
        [`contact/${uid(1)}/shop`, `contact/${uid(2)}/erp`, `order/${uid(3)}/erp`].sort(),
      );
      expect((await s.listWriteFailures({ system: "shop" })).map(key)).toEqual([`contact/${uid(1)}/shop`]);
      expect((await s.listWriteFailures({ system: "erp", dead: false })).map(key).sort()).toEqual(
        [`contact/${uid(2)}/erp`, `order/${uid(3)}/erp`].sort(),
      );

      await s.commit({
        clearWriteFailures: [
          { entity: "contact", uid: uid(1), system: "erp" },
          { entity: "contact", uid: uid(9), system: "erp" },
        ],
      });
      expect(await s.getWriteFailures("contact", "erp", [uid(1), uid(2)])).toStrictEqual([writeFailure(2, "erp")]);
      expect(await s.listWriteFailures({})).toHaveLength(3);
    });
  });
}

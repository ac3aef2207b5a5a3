import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/types.js";
import type { JournalQuery } from "../../src/hub/hub-store.js";
import { at, entry, type HubStoreContext, uid } from "./hub-store-fixtures.js";

function omit(e: JournalEntry, ...keys: (keyof JournalEntry)[]): JournalEntry {
  const copy: Partial<Record<keyof JournalEntry, unknown>> = { ...e };
  for (const key of keys) delete copy[key];
  return copy as JournalEntry;
}

// Each entry's `cause` names it, so a query's result reads as a list of names.
const journal: readonly JournalEntry[] = [
  omit(entry(1, { cause: "a", kind: "create" }), "field", "before", "after"),
  entry(1, { cause: "b", at: at(2), before: null, after: { street: "1 rue X", zip: null } }),
  entry(2, { cause: "c", system: "erp", key: "E-2", before: 12.5, after: true }),
  entry(1, { cause: "d", runId: "run-2", at: at(10), kind: "write", system: "shop" }),
  entry(1001, { cause: "e", runId: "run-2", at: at(11), entity: "order", field: "total", before: "1.5", after: "2" }),
  omit(entry(3, { cause: "f", runId: "run-3", at: at(20), kind: "merge", after: uid(1) }), "key", "field", "before"),
  entry(1, { cause: "g", runId: "run-3", at: at(21), kind: "detach", system: "erp", key: "E-1" }),
];

/** The journal: append, every filter, order, paging. */
export function journalCases(ctx: HubStoreContext): void {
  describe("journal", () => {
    const causes = async (q: JournalQuery): Promise<string> =>
      (await ctx.store().queryJournal(q)).map((e) => e.cause).join("");

    it("appends entries with increasing seq and returns them as written, oldest first", async () => {
      const s = ctx.store();
      await s.commit({ journal: journal.slice(0, 4) });
      await s.commit({ journal: journal.slice(4) });
      const got = await s.queryJournal({});
      expect(got.map(({ seq: _seq, ...rest }) => rest)).toStrictEqual(journal);
      const seqs = got.map((e) => e.seq ?? Number.NaN);
      expect(seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] ?? Number.POSITIVE_INFINITY))).toBe(true);
    });

    it("filters by uid, run, system, entity and time", async () => {
      await ctx.store().commit({ journal });
      expect(await causes({ uid: uid(1) })).toBe("abdg");
      expect(await causes({ runId: "run-2" })).toBe("de");
      expect(await causes({ system: "erp" })).toBe("cg");
      expect(await causes({ entity: "order" })).toBe("e");
      expect(await causes({ since: at(10) })).toBe("defg");
      expect(await causes({ since: "2024-05-01T10:10:30.000Z" })).toBe("efg");
      expect(await causes({ uid: uid(1), runId: "run-3" })).toBe("g");
      expect(await causes({ uid: uid(1), system: "crm", since: at(2) })).toBe("b");
      expect(await causes({ runId: "run-404" })).toBe("");
    });

    it("pages with afterSeq and limit", async () => {
      const s = ctx.store();
      await s.commit({ journal });
      const first = await s.queryJournal({ limit: 3 });
      expect(first.map((e) => e.cause).join("")).toBe("abc");
      const after = first.at(-1)?.seq;
      expect(after).toBeTypeOf("number");
      const next = await s.queryJournal({ afterSeq: after ?? 0, limit: 3 });
      expect(next.map((e) => e.cause).join("")).toBe("def");
      const mine = await s.queryJournal({ uid: uid(1), afterSeq: next.at(-1)?.seq ?? 0, limit: 3 });
      expect(mine.map((e) => e.cause).join("")).toBe("g");
    });
  });
}

import { describe, expect, it } from "vitest";
import { contact, type HubStoreContext, order, sortBy, uid } from "./hub-store-fixtures.js";

/** Golden records: round trip, replace, dirty paging, uid paging, counts. */
export function goldenCases(ctx: HubStoreContext): void {
  describe("golden records", () => {
    it("stores records whole and reads them back by entity and uid", async () => {
      const s = ctx.store();
      const ada = contact(1);
      const merged = contact(2, { deleted: true, mergedInto: uid(1), dirty: false, meta: {} });
      const so = order(1);
      await s.commit({ goldens: [ada, merged, so] });

      const got = await s.getGoldens("contact", [uid(2), uid(1), uid(99)]);
      expect(sortBy(got, (g) => g.uid)).toStrictEqual([ada, merged]);
      expect(await s.getGoldens("order", [so.uid, uid(1)])).toStrictEqual([so]);
      expect(await s.getGoldens("contact", [so.uid])).toStrictEqual([]);
      expect(await s.getGoldens("contact", [])).toStrictEqual([]);
    });

    it("replaces a record whole: dropped fields, meta and mergedInto do not linger", async () => {
      const s = ctx.store();
      await s.commit({ goldens: [contact(1, { deleted: true, mergedInto: uid(2) })] });
      const replaced = contact(1, {
        fields: { email: "new@example.com", tier: null },
        meta: { email: { system: "shop", at: "2024-06-01T00:00:00.000Z" } },
        dirty: false,
        updatedAt: "2024-06-01T00:00:00.000Z",
      });
      await s.commit({ goldens: [replaced] });
      expect(await s.getGoldens("contact", [uid(1)])).toStrictEqual([replaced]);
    });

    it("reads a thousand and more uids in one call", async () => {
      const s = ctx.store();
      const many = Array.from({ length: 1200 }, (_, i) => contact(i + 1, { fields: { n: i } }));
      await s.commit({ goldens: many });
      const uids = [...many.map((g) => g.uid), uid(5000)];
      const got = await s.getGoldens("contact", uids);
      expect(sortBy(got, (g) => g.uid)).toStrictEqual(many);
    });

    it("lists dirty records in uid order, page by page, tombstones included", async () => {
      const s = ctx.store();
      const goldens = [1, 2, 3, 4, 5, 6, 7].map((n) => contact(n, { dirty: n % 2 === 1 }));
      await s.commit({
        goldens: [...goldens, contact(9, { deleted: true, dirty: true }), order(1, { dirty: true })],
      });
      expect(await s.listDirty("contact", null, 2)).toEqual([uid(1), uid(3)]);
      expect(await s.listDirty("contact", uid(3), 2)).toEqual([uid(5), uid(7)]);
      expect(await s.listDirty("contact", uid(7), 2)).toEqual([uid(9)]);
      expect(await s.listDirty("contact", uid(9), 2)).toEqual([]);
      expect(await s.listDirty("order", null, 10)).toEqual([order(1).uid]);
      expect(await s.listDirty("invoice", null, 10)).toEqual([]);
    });

    it("marks records clean, also records written in the same batch", async () => {
      const s = ctx.store();
      await s.commit({ goldens: [1, 2, 3].map((n) => contact(n, { dirty: true })) });
      await s.commit({
        goldens: [contact(4, { dirty: true })],
        clean: [
          { entity: "contact", uid: uid(2) },
          { entity: "contact", uid: uid(4) },
          { entity: "contact", uid: uid(99) },
          { entity: "order", uid: uid(1) },
        ],
      });
      expect(await s.listDirty("contact", null, 10)).toEqual([uid(1), uid(3)]);
      const [two] = await s.getGoldens("contact", [uid(2)]);
      expect(two).toStrictEqual(contact(2, { dirty: false }));
    });

    it("lists every uid of an entity in uid order, tombstones included", async () => {
      const s = ctx.store();
      await s.commit({
        goldens: [
          contact(3),
          contact(1, { deleted: true }),
          contact(2, { mergedInto: uid(1), deleted: true }),
          order(1),
        ],
      });
      expect(await s.listUids("contact", null, 2)).toEqual([uid(1), uid(2)]);
      expect(await s.listUids("contact", uid(2), 2)).toEqual([uid(3)]);
      expect(await s.listUids("contact", uid(3), 2)).toEqual([]);
      expect(await s.listUids("order", null, 5)).toEqual([order(1).uid]);
    });

    it("counts live, deleted and dirty records per entity", async () => {
      const s = ctx.store();
      await s.commit({
        goldens: [
          contact(1, { dirty: true }),
          contact(2, { dirty: false }),
          contact(3, { deleted: true, dirty: true }),
          contact(4, { deleted: true, dirty: false }),
          contact(5, { dirty: false }),
          order(1, { dirty: true }),
        ],
      });
      expect(await s.countGoldens("contact")).toEqual({ live: 3, deleted: 2, dirty: 2 });
      expect(await s.countGoldens("order")).toEqual({ live: 1, deleted: 0, dirty: 1 });
      expect(await s.countGoldens("invoice")).toEqual({ live: 0, deleted: 0, dirty: 0 });
    });
  });
}

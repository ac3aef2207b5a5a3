import { describe, expect, it } from "vitest";
import type { Link } from "../../src/core/types.js";
import { type HubStoreContext, link, sortBy, uid } from "./hub-store-fixtures.js";

const byUidSystem = (l: Link): string => `${l.uid}/${l.system}`;

/** Links (with shadows, re-attach, uniqueness) and match keys. */
export function linkCases(ctx: HubStoreContext): void {
  describe("links", () => {
    it("stores links and finds them by key (per system) and by uid", async () => {
      const s = ctx.store();
      const crm1 = link(1, "crm", "c-1");
      const erp1 = link(1, "erp", "E-1", { state: "detached", shadow: {} });
      const crm2 = link(2, "crm", "c-2");
      const shop2 = link(2, "shop", "42");
      // The same key in another entity is another record.
      const orderCrm = link(1001, "crm", "c-1", { entity: "order", shadow: { number: "SO-1", total: "99.9" } });
      await s.commit({ links: [crm1, erp1, crm2, shop2, orderCrm] });

      const byKey = await s.getLinksByKeys("contact", "crm", ["c-2", "c-1", "c-404"]);
      expect(sortBy(byKey, (l) => l.key)).toStrictEqual([crm1, crm2]);
      expect(await s.getLinksByKeys("contact", "erp", ["c-1"])).toStrictEqual([]);
      expect(await s.getLinksByKeys("contact", "erp", ["E-1"])).toStrictEqual([erp1]);
      expect(await s.getLinksByKeys("order", "crm", ["c-1"])).toStrictEqual([orderCrm]);
      expect(await s.getLinksByKeys("contact", "crm", [])).toStrictEqual([]);

      const byUid = await s.getLinksByUids("contact", [uid(1), uid(2), uid(3)]);
      expect(sortBy(byUid, byUidSystem)).toStrictEqual([crm1, erp1, crm2, shop2]);
      expect(await s.getLinksByUids("order", [uid(1001)])).toStrictEqual([orderCrm]);
      expect(await s.getLinksByUids("contact", [])).toStrictEqual([]);
    });

    it("replaces a link whole, moving its key on re-attach", async () => {
      const s = ctx.store();
      await s.commit({ links: [link(1, "erp", "E-1", { state: "detached" })] });
      const reattached = link(1, "erp", "E-77", { shadow: { email: "new@example.com" } });
      await s.commit({ links: [reattached] });
      expect(await s.getLinksByKeys("contact", "erp", ["E-1"])).toStrictEqual([]);
      expect(await s.getLinksByKeys("contact", "erp", ["E-77"])).toStrictEqual([reattached]);
      expect(await s.getLinksByUids("contact", [uid(1)])).toStrictEqual([reattached]);
    });

    it("lets the links of one batch swap or hand on their keys", async () => {
      const s = ctx.store();
      await s.commit({ links: [link(1, "crm", "A"), link(2, "crm", "B"), link(3, "crm", "C")] });
      const swapped = [link(1, "crm", "B"), link(2, "crm", "A"), link(3, "crm", "D")];
      await s.commit({ links: swapped });
      const got = await s.getLinksByKeys("contact", "crm", ["A", "B", "C", "D"]);
      expect(sortBy(got, byUidSystem)).toStrictEqual(swapped);
    });

    it("applies unlinks before links: a freed key may be taken in the same batch", async () => {
      const s = ctx.store();
      await s.commit({ links: [link(1, "crm", "c-1"), link(1, "shop", "7")] });
      const taker = link(2, "crm", "c-1");
      await s.commit({ unlinks: [{ entity: "contact", uid: uid(1), system: "crm" }], links: [taker] });
      expect(await s.getLinksByKeys("contact", "crm", ["c-1"])).toStrictEqual([taker]);
      expect(await s.getLinksByUids("contact", [uid(1)])).toStrictEqual([link(1, "shop", "7")]);
    });

    it("refuses a key another record's link holds", async () => {
      const s = ctx.store();
      await s.commit({ links: [link(1, "crm", "c-1")] });
      await expect(s.commit({ links: [link(2, "crm", "c-1")] })).rejects.toMatchObject({ code: "hub" });
      await expect(s.commit({ links: [link(2, "crm", "x"), link(3, "crm", "x")] })).rejects.toMatchObject({
        code: "hub",
      });
      expect(await s.getLinksByKeys("contact", "crm", ["c-1", "x"])).toStrictEqual([link(1, "crm", "c-1")]);
    });

    it("lists the keys of a system's active links in key order, page by page", async () => {
      const s = ctx.store();
      await s.commit({
        links: [
          link(1, "crm", "k-3"),
          link(2, "crm", "k-1"),
          link(3, "crm", "k-2", { state: "detached" }),
          link(4, "crm", "k-4"),
          link(5, "erp", "k-0"),
          link(1005, "crm", "k-0", { entity: "order" }),
        ],
      });
      expect(await s.listLinkKeys("contact", "crm", null, 2)).toEqual(["k-1", "k-3"]);
      expect(await s.listLinkKeys("contact", "crm", "k-3", 2)).toEqual(["k-4"]);
      expect(await s.listLinkKeys("contact", "crm", "k-4", 2)).toEqual([]);
      expect(await s.listLinkKeys("contact", "shop", null, 2)).toEqual([]);
    });

    it("counts active and detached links per entity and system", async () => {
      const s = ctx.store();
      expect(await s.linkStats()).toEqual([]);
      await s.commit({
        links: [
          link(1, "crm", "1"),
          link(2, "crm", "2"),
          link(3, "crm", "3", { state: "detached" }),
          link(1, "erp", "E1", { state: "detached" }),
          link(1001, "crm", "1", { entity: "order" }),
        ],
      });
      const stats = sortBy(await s.linkStats(), (l) => `${l.entity}/${l.system}`);
      expect(stats).toEqual([
        { entity: "contact", system: "crm", active: 2, detached: 1 },
        { entity: "contact", system: "erp", active: 0, detached: 1 },
        { entity: "order", system: "crm", active: 1, detached: 0 },
      ]);
    });
  });

  describe("match keys", () => {
    it("replaces a record's match keys and finds records by them", async () => {
      const s = ctx.store();
      const name = "name#zoë|o'hara|1985-12-10";
      await s.commit({
        matchKeys: [
          { entity: "contact", uid: uid(1), keys: ["email#ada@example.com", name, name] },
          { entity: "contact", uid: uid(2), keys: ["email#bob@example.com", name] },
          { entity: "order", uid: uid(1001), keys: ["number#so-1", "email#ada@example.com"] },
        ],
      });
      const found = await s.findByMatchKeys("contact", [name, "email#ada@example.com", "number#so-1"]);
      expect(sortBy(found, (f) => `${f.key}/${f.uid}`)).toEqual([
        { key: "email#ada@example.com", uid: uid(1) },
        { key: name, uid: uid(1) },
        { key: name, uid: uid(2) },
      ]);

      await s.commit({
        matchKeys: [
          { entity: "contact", uid: uid(1), keys: ["email#ada.l@example.com"] },
          { entity: "contact", uid: uid(2), keys: [] },
        ],
      });
      expect(await s.findByMatchKeys("contact", [name, "email#ada@example.com", "email#bob@example.com"])).toEqual([]);
      expect(await s.findByMatchKeys("contact", ["email#ada.l@example.com"])).toEqual([
        { key: "email#ada.l@example.com", uid: uid(1) },
      ]);
      expect(await s.findByMatchKeys("order", ["number#so-1"])).toEqual([{ key: "number#so-1", uid: uid(1001) }]);
      expect(await s.findByMatchKeys("contact", [])).toEqual([]);
    });
  });
}

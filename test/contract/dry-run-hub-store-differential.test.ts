import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc, test } from "@fast-check/vitest";
import { afterAll, describe, expect } from "vitest";
import type { GoldenRecord, Link } from "../../src/core/types.js";
import { DryRunHubStore } from "../../src/hub/dry-run-hub-store.js";
import type { HubBatch, HubStore } from "../../src/hub/hub-store.js";
import { openHubStore } from "../../src/hub/open-hub-store.js";
import { SqliteHubStore } from "../../src/hub/sqlite/sqlite-hub-store.js";
import { allPages, snapshotHub } from "./dry-run-hub-store-helpers.js";
import { contact, link } from "./hub-store-fixtures.js";

// Uids and keys that SQLite orders by UTF-8 bytes, where JavaScript's `<` would differ
// (U+E000 against a surrogate pair), and whose prefixes share a page boundary.
const uids = ["u-1", "u-10", "u-2", "U-3", "u-\uE000", "u-\u{1F600}", "u-5", "u-50"];
const keys = ["k-1", "k-10", "k-2", "K-3", "k-\uE000", "k-\u{1F600}", "k-4"];
const systems = ["crm", "erp"];
const matchKeyPool = ["email#a", "email#b", "name#c", "name#d"];

const golden = fc
  .record({ uid: fc.constantFrom(...uids), dirty: fc.boolean(), deleted: fc.boolean(), v: fc.nat(9) })
  .map(({ uid, dirty, deleted, v }): GoldenRecord => contact(1, { uid, dirty, deleted, fields: { v } }));
const linkArb = fc
  .record({
    uid: fc.constantFrom(...uids),
    system: fc.constantFrom(...systems),
    key: fc.constantFrom(...keys),
    state: fc.constantFrom("active" as const, "detached" as const),
    v: fc.nat(9),
  })
  .map(({ uid, system, key, state, v }): Link => link(1, system, key, { uid, state, shadow: { v } }));
const ref = fc.record({ entity: fc.constant("contact"), uid: fc.constantFrom(...uids) });
const batch: fc.Arbitrary<HubBatch> = fc.record({
  goldens: fc.array(golden, { maxLength: 4 }),
  links: fc.array(linkArb, { maxLength: 3 }),
  unlinks: fc.array(
    ref.chain((r) => fc.constantFrom(...systems).map((system) => ({ ...r, system }))),
    { maxLength: 2 },
  ),
  matchKeys: fc.array(
    ref.chain((r) => fc.subarray(matchKeyPool).map((k) => ({ ...r, keys: k }))),
    { maxLength: 2 },
  ),
  clean: fc.array(ref, { maxLength: 2 }),
});

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function freshHub(): Promise<{ file: string; store: HubStore }> {
  const folder = mkdtempSync(join(tmpdir(), "concord-dry-run-"));
  folders.push(folder);
  const file = join(folder, "hub.db");
  return { file, store: await openHubStore(`sqlite:${file}`) };
}

/** Commits and says whether the store took the batch (a taken key refuses it). */
async function outcome(store: HubStore, b: HubBatch): Promise<string> {
  return store.commit(b).then(
    () => "ok",
    (err: unknown) => `refused: ${(err as { code?: string }).code ?? "?"}`,
  );
}

/** Everything the overlay must read as the reference store does. */
async function readAll(store: HubStore): Promise<unknown> {
  const pages: Record<string, unknown> = {};
  for (const limit of [1, 2, 3, 100]) {
    pages[`dirty/${limit}`] = await allPages((a, n) => store.listDirty("contact", a, n), limit);
    pages[`uids/${limit}`] = await allPages((a, n) => store.listUids("contact", a, n), limit);
    for (const system of systems) {
      pages[`keys/${system}/${limit}`] = await allPages((a, n) => store.listLinkKeys("contact", system, a, n), limit);
    }
  }
  return {
    pages,
    goldens: await store.getGoldens("contact", uids),
    counts: await store.countGoldens("contact"),
    byUids: await store.getLinksByUids("contact", uids),
    byKeys: await Promise.all(systems.map((s) => store.getLinksByKeys("contact", s, keys))),
    stats: await store.linkStats(),
    matches: await store.findByMatchKeys("contact", matchKeyPool),
  };
}

describe("DryRunHubStore against the store it stands for", () => {
  test.prop([fc.array(batch, { maxLength: 3 }), fc.array(batch, { minLength: 1, maxLength: 4 })], { numRuns: 60 })(
    "reads as a hub that took the same batches, and leaves the underlying hub as it was",
    async (seeds, overlaid) => {
      const underlying = await freshHub();
      const reference = await freshHub();
      for (const b of seeds) {
        expect(await outcome(underlying.store, b)).toBe(await outcome(reference.store, b));
      }
      await underlying.store.close();
      const before = snapshotHub(underlying.file);
      const dry = new DryRunHubStore(new SqliteHubStore(underlying.file));
      try {
        for (const b of overlaid) expect(await outcome(dry, b)).toBe(await outcome(reference.store, b));
        expect(await readAll(dry)).toStrictEqual(await readAll(reference.store));
      } finally {
        await dry.close();
        await reference.store.close();
      }
      expect(snapshotHub(underlying.file)).toEqual(before);
    },
  );
});

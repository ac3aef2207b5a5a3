import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { HubBatch, HubStore } from "../../src/hub/hub-store.js";
import { openHubStore } from "../../src/hub/open-hub-store.js";
import { postgresHubMigrations } from "../../src/hub/postgres/postgres-hub-migrations.js";
import { PostgresHubStore } from "../../src/hub/postgres/postgres-hub-store.js";
import {
  createTestDatabase,
  postgresSkipReason,
  type TestDatabase,
  withPgClient,
} from "../helpers/postgres-database.js";
import { describeHubStoreContract } from "./hub-store.case.js";
import { contact, entry, link, uid } from "./hub-store-fixtures.js";

const db = await createTestDatabase("hub");
afterAll(async () => {
  await db?.drop();
});

const database = (): TestDatabase => {
  if (db === undefined) throw new Error(postgresSkipReason());
  return db;
};

// One database per file; each test gets its own hub schema in it, which is much faster than a
// database per test and exercises `?schema=` on every test.
let schemas = 0;
const freshUrl = (): string => `${database().url}?schema=hub_${++schemas}`;
const schemaOf = (url: string): string => new URL(url).searchParams.get("schema") ?? "concord";

describe.skipIf(db === undefined)(db === undefined ? `skipped: ${postgresSkipReason()}` : "postgres hub", () => {
  describeHubStoreContract("postgres", async () => {
    const url = freshUrl();
    const store = await openHubStore(url);
    return { store, cleanup: () => store.close(), reopen: () => Promise.resolve(new PostgresHubStore(url)) };
  });

  describe("PostgresHubStore", () => {
    const opened: HubStore[] = [];
    const open = async (url: string): Promise<HubStore> => {
      const store = await openHubStore(url);
      opened.push(store);
      return store;
    };
    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });

    it("lets two processes commit overlapping batches at once; each record ends whole from one of them", async () => {
      const url = freshUrl();
      const [a, b] = [await open(url), await open(url)];
      const batch = (writer: string, numbers: number[]): HubBatch => ({
        goldens: numbers.map((n) => contact(n, { fields: { writer, n } })),
        links: numbers.map((n) => link(n, "crm", `c-${n}`, { shadow: { writer } })),
        matchKeys: numbers.map((n) => ({ entity: "contact", uid: uid(n), keys: [`writer#${writer}`] })),
        journal: numbers.map((n) => entry(n, { cause: writer })),
      });
      const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      // A: small batches (per-record locks), ascending. B: one batch too big for per-record
      // locks, then small batches in descending order, all overlapping A's records.
      const fromA = [1, 121, 241, 361, 481].map((start) => a.commit(batch("a", range(start, start + 119))));
      const fromB = [b.commit(batch("b", range(300, 720)))];
      for (const start of [840, 780, 720]) fromB.push(b.commit(batch("b", range(start, start + 119).reverse())));
      await Promise.all([...fromA, ...fromB]);

      expect(await a.countGoldens("contact")).toEqual({ live: 959, deleted: 0, dirty: 959 });
      const all = range(1, 959).map(uid);
      const goldens = await b.getGoldens("contact", all);
      const links = await b.getLinksByUids("contact", all);
      const linkWriter = new Map(links.map((l) => [l.uid, l.shadow["writer"]]));
      const mismatched = goldens.filter((g) => linkWriter.get(g.uid) !== g.fields["writer"]);
      expect(mismatched).toEqual([]);
      const byKey = await b.findByMatchKeys("contact", ["writer#a", "writer#b"]);
      expect(byKey).toHaveLength(959);
      const keyWriter = new Map(byKey.map((k) => [k.uid, k.key.slice("writer#".length)]));
      expect(goldens.filter((g) => keyWriter.get(g.uid) !== g.fields["writer"])).toEqual([]);
      expect(await a.queryJournal({})).toHaveLength(600 + 421 + 360);
    });

    it("gives a lease to exactly one of several processes asking at once", async () => {
      const url = freshUrl();
      const stores = [await open(url), await open(url), await open(url)];
      const taken = await Promise.all(stores.map((s, i) => s.tryLease("run", `worker-${i}`, 60_000)));
      expect(taken.filter(Boolean)).toHaveLength(1);
    });

    it("keeps each hub in the schema named by ?schema=, quoted, beside other URL parameters", async () => {
      const odd = 'Odd "Hub"';
      const plain = await open(database().url);
      const alpha = await open(`${database().url}?application_name=concord-test&schema=alpha`);
      const quoted = await open(`${database().url}?schema=${encodeURIComponent(odd)}`);
      await plain.commit({ goldens: [contact(1)] });
      await alpha.commit({ goldens: [contact(2)] });
      await quoted.commit({ goldens: [contact(3)] });

      expect(await plain.getGoldens("contact", [uid(1), uid(2), uid(3)])).toStrictEqual([contact(1)]);
      expect(await alpha.getGoldens("contact", [uid(1), uid(2), uid(3)])).toStrictEqual([contact(2)]);
      expect(await quoted.getGoldens("contact", [uid(1), uid(2), uid(3)])).toStrictEqual([contact(3)]);
      const schemasWithHub = await withPgClient(database().url, async (client) => {
        const result = await client.query<{ s: string }>(
          `SELECT table_schema AS "s" FROM information_schema.tables
           WHERE table_name = 'golden' AND table_schema IN ('concord', 'alpha', $1, 'public') ORDER BY 1`,
          [odd],
        );
        return result.rows.map((r) => r.s);
      });
      expect(schemasWithHub).toEqual([odd, "alpha", "concord"]);
    });

    it("migrates once when several processes open a new hub at the same moment", async () => {
      const url = freshUrl();
      const stores = await Promise.all([open(url), open(url), open(url)]);
      await stores[0]?.commit({ goldens: [contact(1)] });
      expect(await stores[2]?.getGoldens("contact", [uid(1)])).toStrictEqual([contact(1)]);
      const versions = await withPgClient(database().url, async (client) => {
        const schema = schemaOf(url);
        const result = await client.query<{ version: number }>(
          `SELECT "version" FROM "${schema}"."schema_migrations" ORDER BY 1`,
        );
        return result.rows.map((r) => r.version);
      });
      expect(versions).toEqual(postgresHubMigrations.map((m) => m.version));
    });

    it("keeps JSON values exactly as written: key order, NUL and escapes", async () => {
      const s = await open(freshUrl());
      const fields = { zeta: "\u0000nul", alpha: 'quote " back \\ slash', nested: { b: 1, a: [null, "é"] } };
      const odd = contact(1, { fields });
      await s.commit({ goldens: [odd], journal: [entry(1, { before: "\u0000", after: null })] });
      const [got] = await s.getGoldens("contact", [uid(1)]);
      expect(got).toStrictEqual(odd);
      expect(Object.keys(got?.fields ?? {})).toEqual(["zeta", "alpha", "nested"]);
      const [line] = await s.queryJournal({});
      expect(line).toMatchObject({ before: "\u0000", after: null });
    });

    it("refuses a hub whose schema is newer than it knows, and leaves it as it is", async () => {
      const url = freshUrl();
      const schema = schemaOf(url);
      const store = await openHubStore(url);
      await store.commit({ goldens: [contact(1)] });
      await store.close();
      await withPgClient(database().url, (client) =>
        client.query(`INSERT INTO "${schema}"."schema_migrations" VALUES (999, 'from the future', now()::text)`),
      );

      await expect(openHubStore(url)).rejects.toMatchObject({
        code: "hub",
        message: expect.stringMatching(/version 999 is newer/) as unknown,
      });
      const unmigrated = new PostgresHubStore(url);
      await expect(unmigrated.getGoldens("contact", [uid(1)])).rejects.toMatchObject({ code: "hub" });
      await unmigrated.close();
    });

    it("refuses to work on a hub that was never migrated", async () => {
      const store = new PostgresHubStore(freshUrl());
      await expect(store.commit({ goldens: [contact(1)] })).rejects.toMatchObject({
        code: "hub",
        message: expect.stringMatching(/migrate/) as unknown,
      });
      await store.migrate();
      await store.commit({ goldens: [contact(1)] });
      expect(await store.getGoldens("contact", [uid(1)])).toStrictEqual([contact(1)]);
      await store.close();
    });

    it("applies a batch bigger than one statement's chunk whole or not at all", async () => {
      const url = freshUrl();
      const s = await open(url);
      const numbers = Array.from({ length: 11_000 }, (_, i) => i + 1);
      const big: HubBatch = {
        goldens: numbers.map((n) => contact(n, { fields: { n } })),
        links: numbers.map((n) => link(n, "crm", `c-${n}`, { shadow: { n } })),
        journal: numbers.map((n) => entry(n)),
      };
      const clash = link(20_000, "crm", "c-1");
      await expect(s.commit({ ...big, links: [...(big.links ?? []), clash] })).rejects.toMatchObject({ code: "hub" });
      expect(await s.countGoldens("contact")).toEqual({ live: 0, deleted: 0, dirty: 0 });
      await s.commit(big);
      expect(await s.countGoldens("contact")).toEqual({ live: 11_000, deleted: 0, dirty: 11_000 });
      expect(await s.listLinkKeys("contact", "crm", "c-1099", 3)).toEqual(["c-10990", "c-10991", "c-10992"]);
      // Statistics are in place before the next batch: without them, the planner would join it to
      // links through the wrong index.
      await s.commit({ links: [link(20_000, "crm", "c-new")] });
      const linkStatistics = await withPgClient(database().url, (client) =>
        client.query(`SELECT 1 FROM pg_stats WHERE schemaname = $1 AND tablename = 'links'`, [schemaOf(url)]),
      );
      expect(linkStatistics.rowCount).toBeGreaterThan(0);
      // Entries keep the batch's order across chunks.
      expect((await s.queryJournal({})).map((e) => e.uid)).toEqual(numbers.map(uid));
    });

    it("reports a connection lost in the middle of a commit as retryable, and recovers", async () => {
      const url = freshUrl();
      const s = await open(url);
      await s.commit({ meta: [{ key: "k", value: "1" }] });
      const schema = schemaOf(url);
      await withPgClient(database().url, async (blocker) => {
        await blocker.query("BEGIN");
        await blocker.query(`LOCK TABLE "${schema}"."meta" IN ACCESS EXCLUSIVE MODE`);
        const pending = s.commit({ meta: [{ key: "k", value: "2" }] }).catch((e: unknown) => e);
        await waitFor(async () => {
          const waiting = await blocker.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'concord-hub' AND wait_event_type = 'Lock'`,
          );
          return (waiting.rowCount ?? 0) > 0;
        });
        expect(await pending).toMatchObject({ code: "hub", retryable: true });
        await blocker.query("ROLLBACK");
      });
      await s.commit({ meta: [{ key: "k", value: "3" }] });
      expect(await s.getMeta("k")).toBe("3");
    });
  });
});

describe("openHubStore with a postgres URL", () => {
  it("names host and port of an unreachable server, never the password", async () => {
    for (const scheme of ["postgres", "postgresql"]) {
      const err: unknown = await openHubStore(`${scheme}://concord:s3cret@127.0.0.1:1/hub`).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "hub", retryable: true });
      expect((err as Error).message).toContain("127.0.0.1:1/hub");
      expect(inspect(err, { depth: 5 })).not.toContain("s3cret");
    }
  });

  it("refuses an unreadable URL without echoing it", async () => {
    const err: unknown = await openHubStore("postgres://concord:s3cret@[bad/hub").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "config" });
    expect((err as Error).message).not.toContain("s3cret");
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not met within 5 s");
}

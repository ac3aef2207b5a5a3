import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, test } from "vitest";
import { runUntil } from "../helpers/cli-child.js";
import { contactWorld, expectSettled, people, status, type SystemName, syncOk } from "../helpers/contact-world.js";
import type { SqliteWorld } from "../helpers/sqlite-world.js";

/** Enough rows that a sync into two targets takes seconds: kills land inside it. */
const N = 6000;
/** Edits between the two rounds: crm renames, inserts and deletes. */
const RENAMES = 2000;
const INSERTS = 300;
const DELETES = 200;
const SYSTEMS: readonly SystemName[] = ["crm", "erp", "shop"];

let w: SqliteWorld;
let hub: Database.Database | undefined;
/** What was killed when, so that a failure can be reproduced. */
const log: string[] = [];

afterEach(() => {
  hub?.close();
  hub = undefined;
  w.close();
  log.length = 0;
});

/** Rows in a hub table, read on the side while a child process writes the hub (0 until it exists). */
function hubCount(table: string): number {
  try {
    if (hub === undefined) {
      const file = path.join(w.dir, ".concord", "hub.db");
      if (!fs.existsSync(file)) return 0;
      hub = new Database(file, { readonly: true, fileMustExist: true });
    }
    return hub.prepare<[], number>(`SELECT count(*) FROM "${table}"`).pluck().get() ?? 0;
  } catch {
    return 0; // not migrated yet
  }
}

function count(system: SystemName, where = "1"): number {
  const table = system === "crm" ? "contacts" : "customers";
  return w.system(system).prepare<[], number>(`SELECT count(*) FROM "${table}" WHERE ${where}`).pluck().get() ?? 0;
}

const emails = (n: number) => Array.from({ length: n }, (_, i) => `p${i + 1}@example.com`);
const between = (lo: number, hi: number) => Math.floor(lo + Math.random() * (hi - lo));

/** A kill point: a name and, given the state at spawn time, when to kill. */
type KillPoint = [name: string, makeCondition: () => (elapsedMs: number) => boolean];

/** Grows past a random point between its value now and `end`; a random time instead when already there. */
function grows(read: () => number, end: number): () => (elapsedMs: number) => boolean {
  return () => {
    const base = read();
    if (base >= end) return working(between(0, 1500))();
    const target = between(base + 1, end);
    return () => read() >= target;
  };
}

/** `ms` after the run started (its row is in the hub): not during the process's start-up. */
function working(ms: number): () => (elapsedMs: number) => boolean {
  return () => {
    const runs = hubCount("runs");
    let startedAt: number | undefined;
    return (elapsed) => {
      if (startedAt === undefined && hubCount("runs") > runs) startedAt = elapsed;
      return startedAt !== undefined && elapsed >= startedAt + ms;
    };
  };
}

/** Runs `concord sync` in a child process once per kill point, killing it there. */
async function killedSyncs(points: readonly KillPoint[]): Promise<number> {
  let kills = 0;
  for (const [name, make] of points) {
    const outcome = await runUntil(w.dir, ["sync", "--json", "-c", "concord.yaml"], make());
    log.push(`${name}: ${outcome.killed ? "killed" : "finished"} after ${outcome.afterMs} ms`);
    if (outcome.killed) kills += 1;
    else expect(outcome.code, `${log.join("\n")}\n${outcome.stderr}`).toBe(0);
  }
  return kills;
}

/** Every system holds exactly one row per record, with the expected values, and nothing is pending. */
async function expectConverged(expected: ReadonlyMap<string, string>): Promise<void> {
  const why = log.join("\n");
  for (const system of SYSTEMS) {
    const rows = people(w, system);
    const held = new Set(rows.map((r) => r.email));
    const missing = [...expected.keys()].filter((e) => !held.has(e));
    const extra = [...held].filter((e) => !expected.has(e));
    expect(
      { missing: missing.slice(0, 5), missingCount: missing.length, extra: extra.slice(0, 5) },
      `${system}\n${why}`,
    ).toEqual({
      missing: [],
      missingCount: 0,
      extra: [],
    });
    expect(rows.length, `${system} rows\n${why}`).toBe(expected.size);
    expect(new Set(rows.map((r) => r.email)).size, `${system} duplicates\n${why}`).toBe(expected.size);
    const wrong = rows.filter((r) => expected.get(r.email) !== r.name).slice(0, 5);
    expect(wrong, `${system} values\n${why}`).toEqual([]);
  }
  const s = await status(w);
  expect(s.entities, why).toEqual([
    { entity: "contact", live: expected.size, deleted: expect.any(Number) as unknown, dirty: 0 },
  ]);
  expect({ duplicates: s.openDuplicates, parked: s.parked, errors: s.recentErrors }, why).toEqual({
    duplicates: 0,
    parked: 0,
    errors: [],
  });
  for (const b of s.bindings) {
    expect(b, why).toMatchObject({ records: expected.size, detached: 0, pendingWrites: 0, deadLetters: 0 });
  }
  await expectSettled(w);
}

describe("a sync killed mid-way", () => {
  test("loses nothing and duplicates nothing, however often it is killed", { timeout: 240_000 }, async () => {
    w = contactWorld();
    const expected = new Map<string, string>();
    const insert = w.system("crm").prepare("INSERT INTO contacts (email, name) VALUES (?, ?)");
    w.system("crm").transaction(() => {
      for (let i = 1; i <= N; i++) {
        insert.run(`p${i}@example.com`, `Person ${i}`);
        expected.set(`p${i}@example.com`, `Person ${i}`);
      }
    })();

    // The initial load into erp and shop, killed while reading crm, while writing each target, and at a random time.
    const firstKills = await killedSyncs([
      ["reading crm", grows(() => hubCount("golden"), N)],
      ["writing erp", grows(() => count("erp"), N)],
      ["writing shop", grows(() => count("shop"), N)],
      ["a random time", working(between(0, 2000))],
      ["writing erp again", grows(() => count("erp"), N)],
    ]);
    expect(firstKills, log.join("\n")).toBeGreaterThanOrEqual(3);
    await syncOk(w);
    await expectConverged(expected);

    // Edits in two systems, then a run that reads them from the change feeds, killed again.
    const edits = w.system("crm");
    edits.transaction(() => {
      const rename = edits.prepare("UPDATE contacts SET name = ? WHERE email = ?");
      for (let i = 1; i <= RENAMES; i++) {
        rename.run(`Edited ${i}`, `p${i}@example.com`);
        expected.set(`p${i}@example.com`, `Edited ${i}`);
      }
      for (let i = 1; i <= INSERTS; i++) {
        insert.run(`new${i}@example.com`, `New ${i}`);
        expected.set(`new${i}@example.com`, `New ${i}`);
      }
      const remove = edits.prepare("DELETE FROM contacts WHERE email = ?");
      for (let i = N - DELETES + 1; i <= N; i++) {
        remove.run(`p${i}@example.com`);
        expected.delete(`p${i}@example.com`);
      }
    })();
    const erpRename = w.system("erp").prepare("UPDATE customers SET full_name = ? WHERE email_addr = ?");
    for (let i = 3001; i <= 3100; i++) {
      erpRename.run(`Erp edit ${i}`, `p${i}@example.com`);
      expected.set(`p${i}@example.com`, `Erp edit ${i}`);
    }
    const journalBase = hubCount("journal");

    const secondKills = await killedSyncs([
      ["applying the feeds", grows(() => hubCount("journal"), journalBase + RENAMES)],
      ["writing erp's renames", grows(() => count("erp", "full_name LIKE 'Edited %'"), RENAMES)],
      ["a random time", working(between(0, 1500))],
    ]);
    expect(secondKills, log.join("\n")).toBeGreaterThanOrEqual(1);
    await syncOk(w);
    await expectConverged(expected);
  });

  test("never deletes, on retry, a record created since under a deleted record's key", async () => {
    const expected = new Map(emails(20).map((e, i) => [e, `Person ${i + 1}`]));
    w = contactWorld({ seed: { crm: [...expected] } });
    await syncOk(w);
    // shop's application does slow work on every write: the run spends a while there after erp.
    w.system(
      "shop",
      `CREATE TRIGGER slow_audit AFTER INSERT ON customers BEGIN
         SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT x FROM c);
       END`,
    );
    // Three contacts come, then the three last go: erp (SQLite rowids) gives the new ones the old keys.
    const crm = w.system("crm");
    for (let i = 1; i <= 3; i++) {
      crm.prepare("INSERT INTO contacts (email, name) VALUES (?, ?)").run(`new${i}@example.com`, `New ${i}`);
      expected.set(`new${i}@example.com`, `New ${i}`);
    }
    for (const e of emails(20).slice(17)) {
      crm.prepare("DELETE FROM contacts WHERE email = ?").run(e);
      expected.delete(e);
    }

    // Killed once erp has its writes, before the run acknowledged them in the hub.
    const outcome = await runUntil(
      w.dir,
      ["sync", "--json", "-c", "concord.yaml"],
      () => count("erp", "email_addr LIKE 'new%'") > 0,
    );
    log.push(`killed after erp's writes: ${outcome.killed} after ${outcome.afterMs} ms`);
    expect(outcome.killed, outcome.stderr).toBe(true);

    await syncOk(w);
    await expectConverged(expected);
  });
});

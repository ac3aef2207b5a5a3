import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { benchConfig, contact, sqliteContactsDdl } from "./contacts.js";
import type { BenchDatabase } from "./engine.js";
import type { Flow } from "./flows.js";

/**
 * How often Concord's daemon polls a source that cannot push (MariaDB), and the reference relay
 * its changelog: both wait the same, so that the ratio compares the work, not the period.
 */
export const SOURCE_POLL_MS = 100;

/** The databases and files of one benchmark: made fresh, removed by `dispose`. */
export interface BenchWorld {
  readonly flow: Flow;
  readonly dir: string;
  /** Holds `contacts` with the seeded rows. */
  readonly source: BenchDatabase;
  /** Holds an empty `contacts` for Concord to fill. */
  readonly target: BenchDatabase;
  /** Concord's SQLite target, with an empty `contacts`. */
  readonly sqlitePath: string;
  readonly configFile: string;
  /**
   * Adds another Concord setup on `table` (seeded like `contacts`, its own hub and SQLite file),
   * the source read with `capture`; answers its config file and SQLite path.
   */
  addSetup(table: string, rows: number, capture: string): Promise<{ configFile: string; sqlitePath: string }>;
  dispose(): Promise<void>;
}

/** Cleanups of the worlds still alive, run on Ctrl-C. */
const live = new Set<() => Promise<void>>();

/** Creates a world: fresh source and target databases, temp files, the config; seeds `rows` contacts. */
export async function createWorld(name: string, rows: number, flow: Flow): Promise<BenchWorld> {
  const dir = mkdtempSync(join(tmpdir(), `concord-bench-${name}-`));
  const databases: BenchDatabase[] = [];
  const cleanup = async () => {
    live.delete(cleanup);
    for (const db of databases.splice(0)) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(cleanup);
  try {
    const source = await flow.source.createDatabase(`bench_${name}_src`);
    databases.push(source);
    const target = await flow.target.createDatabase(`bench_${name}_dst`);
    databases.push(target);
    const addSetup = async (table: string, count: number, capture: string | undefined) => {
      await flow.source.createContacts(source.url, table, false);
      await flow.source.seedContacts(source.url, table, count);
      await flow.target.createContacts(target.url, table, true);
      const sqlitePath = join(dir, `${table}.db`);
      createSqliteContacts(sqlitePath, table, 0);
      const configFile = join(dir, `${table}.yaml`);
      const sourceSystem = flow.source.system(source.url, {
        ...(capture === undefined ? {} : { capture }),
        pollEvery: `${SOURCE_POLL_MS}ms`,
      });
      const config = benchConfig({
        hubPath: join(dir, `${table}-hub.db`),
        source: sourceSystem,
        target: flow.target.system(target.url, {}),
        targetName: `${flow.target.name === "postgres" ? "pg" : flow.target.name}_target`,
        sqlitePath,
        table,
      });
      writeFileSync(configFile, config);
      return { configFile, sqlitePath };
    };
    const main = await addSetup("contacts", rows, undefined);
    return { flow, dir, source, target, ...main, addSetup, dispose: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Removes every world still alive (on Ctrl-C). */
export async function disposeAllWorlds(): Promise<void> {
  for (const cleanup of [...live]) await cleanup();
}

/** Creates a SQLite file with a contacts table holding contacts 1..rows. */
export function createSqliteContacts(path: string, table: string, rows: number): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(sqliteContactsDdl(table));
    const insert = db.prepare(`INSERT INTO "${table}" VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i <= to; i++) insert.run(...contact(i));
    });
    for (let from = 1; from <= rows; from += 10_000) batch(from, Math.min(rows, from + 9_999));
  } finally {
    db.close();
  }
}

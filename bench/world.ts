import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Database from "better-sqlite3";
import { from as copyFrom } from "pg-copy-streams";
import {
  createTestDatabase,
  postgresSkipReason,
  type TestDatabase,
  withPgClient,
} from "../test/helpers/postgres-database.js";
import { benchConfig, CONTACT_COLUMNS, contact, copyLines, pgContactsDdl, sqliteContactsDdl } from "./contacts.js";

/** The databases and files of one benchmark: made fresh, removed by `dispose`. */
export interface BenchWorld {
  readonly dir: string;
  /** Holds `contacts` with the seeded rows. */
  readonly source: TestDatabase;
  /** Holds an empty `contacts` for Concord to fill. */
  readonly target: TestDatabase;
  /** Concord's SQLite target, with an empty `contacts`. */
  readonly sqlitePath: string;
  readonly configFile: string;
  dispose(): Promise<void>;
}

/** Cleanups of the worlds still alive, run on Ctrl-C. */
const live = new Set<() => Promise<void>>();

/** Creates a world: fresh source and target databases, temp files, the config; seeds `rows` contacts. */
export async function createWorld(name: string, rows: number): Promise<BenchWorld> {
  const dir = mkdtempSync(join(tmpdir(), `concord-bench-${name}-`));
  const databases: TestDatabase[] = [];
  const cleanup = async () => {
    live.delete(cleanup);
    for (const db of databases.splice(0)) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(cleanup);
  try {
    const source = await freshDatabase(`bench_${name}_src`, databases);
    const target = await freshDatabase(`bench_${name}_dst`, databases);
    const world: BenchWorld = {
      dir,
      source,
      target,
      sqlitePath: join(dir, "target.db"),
      configFile: join(dir, "concord.yaml"),
      dispose: cleanup,
    };
    await withPgClient(source.url, (c) => c.query(pgContactsDdl("contacts", false)));
    await copyContacts(source.url, "contacts", rows);
    await withPgClient(target.url, (c) => c.query(pgContactsDdl("contacts", true)));
    createSqliteContacts(world.sqlitePath, "contacts", 0);
    writeFileSync(world.configFile, benchConfig(join(dir, "hub.db"), source.url, target.url, world.sqlitePath));
    return world;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Removes every world still alive (on Ctrl-C). */
export async function disposeAllWorlds(): Promise<void> {
  for (const cleanup of [...live]) await cleanup();
}

/** Loads contacts 1..rows into a PostgreSQL table with COPY, then analyzes it. */
export async function copyContacts(url: string, table: string, rows: number): Promise<void> {
  const chunk = 10_000;
  function* lines(): Generator<string> {
    for (let from = 1; from <= rows; from += chunk) yield copyLines(from, Math.min(rows, from + chunk - 1));
  }
  await withPgClient(url, async (client) => {
    const columns = ["id", ...CONTACT_COLUMNS].map((c) => `"${c}"`).join(", ");
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY "${table}" (${columns}) FROM STDIN`)));
    await client.query(`ANALYZE "${table}"`);
  });
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

/** A fresh database, added to `made` so that it is dropped with the world. */
async function freshDatabase(prefix: string, made: TestDatabase[]): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  if (db === undefined) throw new Error(postgresSkipReason());
  made.push(db);
  return db;
}

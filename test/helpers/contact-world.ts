import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import type { JournalEntry } from "../../src/core/types.js";
import type { Status } from "../../src/engine/status.js";
import { SqliteWorld, type SyncJson, totalWrites } from "./sqlite-world.js";

/**
 * One contact entity bound to up to three SQLite systems whose tables and columns are named
 * differently, as in real life: crm.contacts(id, email, name), erp.customers(cust_no,
 * email_addr, full_name), shop.customers(id, email, name). Integration tests build on it.
 */
export const SYSTEMS = {
  crm: { table: "contacts", key: "id", email: "email", name: "name" },
  erp: { table: "customers", key: "cust_no", email: "email_addr", name: "full_name" },
  shop: { table: "customers", key: "id", email: "email", name: "name" },
} as const;

/** A system of the contact world. */
export type SystemName = keyof typeof SYSTEMS;

/** A contact as one system holds it. */
export interface Person {
  readonly key: string;
  readonly email: string;
  readonly name: string | null;
}

/** How to build a contact world. */
export interface ContactWorldOptions {
  readonly systems?: readonly SystemName[];
  /** Rows each system holds before Concord first syncs: [email, name]. */
  readonly seed?: Partial<Record<SystemName, readonly (readonly [string, string | null])[]>>;
  /** YAML lines added under `entities.contact` (two-space indent is added), e.g. `deletes: { action: unlink }`. */
  readonly entity?: readonly string[];
  /** Extra binding keys per system, e.g. `create: false`. */
  readonly binding?: Partial<Record<SystemName, string>>;
  /** Extra columns per system's table, e.g. `code TEXT UNIQUE`. */
  readonly columns?: Partial<Record<SystemName, string>>;
  /** Extra field mappings per system, e.g. `ssn: tax_id`. */
  readonly mappings?: Partial<Record<SystemName, string>>;
  /** Extra canonical fields, e.g. `ssn: { type: string, sensitive: true }`. */
  readonly fields?: readonly string[];
  /** The `limits:` value, e.g. `{ maxDeletesPerRun: 2 }`. */
  readonly limits?: string;
}

/** Builds the world: tables, seed rows and concord.yaml. */
export function contactWorld(options: ContactWorldOptions = {}): SqliteWorld {
  const systems = options.systems ?? ["crm", "erp", "shop"];
  const w = new SqliteWorld();
  for (const s of systems) {
    const t = SYSTEMS[s];
    const extra = options.columns?.[s];
    w.system(
      s,
      `CREATE TABLE "${t.table}" ("${t.key}" INTEGER PRIMARY KEY, "${t.email}" TEXT, "${t.name}" TEXT${extra === undefined ? "" : `, ${extra}`})`,
    );
    for (const [email, name] of options.seed?.[s] ?? []) insertPerson(w, s, email, name);
  }
  const lines = [
    "systems:",
    ...systems.map((s) => `  ${s}: { connector: sqlite, path: ./${s}.db }`),
    "entities:",
    "  contact:",
    "    fields:",
    "      email: { type: string, required: true, format: email }",
    "      name: string",
    ...(options.fields ?? []).map((f) => `      ${f}`),
    "    match: [email]",
    ...(options.entity ?? []).map((l) => `    ${l}`),
    "    systems:",
    ...systems.map((s) => {
      const t = SYSTEMS[s];
      const mappings = [
        `email: ${t.email}`,
        `name: ${t.name}`,
        ...(options.mappings?.[s] === undefined ? [] : [options.mappings[s]]),
      ];
      const extra = options.binding?.[s];
      return `      ${s}: { table: ${t.table}, key: ${t.key}, fields: { ${mappings.join(", ")} }${extra === undefined ? "" : `, ${extra}`} }`;
    }),
    ...(options.limits === undefined ? [] : [`limits: ${options.limits}`]),
  ];
  w.config(`${lines.join("\n")}\n`);
  return w;
}

/** Inserts a contact in a system, as its application would; returns the new key. */
export function insertPerson(w: SqliteWorld, system: SystemName, email: string, name: string | null): string {
  const t = SYSTEMS[system];
  const info = w
    .system(system)
    .prepare(`INSERT INTO "${t.table}" ("${t.email}", "${t.name}") VALUES (?, ?)`)
    .run(email, name);
  return String(info.lastInsertRowid);
}

/** Renames the contact with this e-mail in a system. */
export function rename(w: SqliteWorld, system: SystemName, email: string, name: string | null): void {
  const t = SYSTEMS[system];
  const info = w
    .system(system)
    .prepare(`UPDATE "${t.table}" SET "${t.name}" = ? WHERE "${t.email}" = ?`)
    .run(name, email);
  expect(info.changes, `${system} has ${email}`).toBe(1);
}

/** Deletes the contact with this e-mail in a system. */
export function remove(w: SqliteWorld, system: SystemName, email: string): void {
  const t = SYSTEMS[system];
  const info = w.system(system).prepare(`DELETE FROM "${t.table}" WHERE "${t.email}" = ?`).run(email);
  expect(info.changes, `${system} has ${email}`).toBe(1);
}

/** Every contact a system holds, ordered by e-mail then key. */
export function people(w: SqliteWorld, system: SystemName): Person[] {
  const t = SYSTEMS[system];
  return w
    .system(system)
    .prepare<[], Person>(
      `SELECT CAST("${t.key}" AS TEXT) AS key, "${t.email}" AS email, "${t.name}" AS name FROM "${t.table}" ORDER BY 2, "${t.key}"`,
    )
    .all();
}

/** What a system holds, without its keys: `email=name` lines, for comparing systems. */
export function contents(w: SqliteWorld, system: SystemName): string[] {
  return people(w, system).map((p) => `${p.email}=${p.name ?? "∅"}`);
}

/** Names of the objects (tables, triggers, indexes) Concord installed in a system. */
export function installed(w: SqliteWorld, system: string): string[] {
  return w
    .system(system)
    .prepare<[], { what: string }>(
      "SELECT type || ' ' || name AS what FROM sqlite_master WHERE name LIKE '\\_concord\\_%' ESCAPE '\\' ORDER BY 1",
    )
    .all()
    .map((r) => r.what);
}

/** Every table of a database (sqlite_master included), each as sorted JSON rows: for byte-for-byte comparisons. */
export function dump(db: Database.Database): Record<string, string[]> {
  const out: Record<string, string[]> = { sqlite_master: [] };
  const tables = db
    .prepare<[], { name: string; sql: string | null }>("SELECT name, sql FROM sqlite_master ORDER BY name")
    .all();
  out.sqlite_master = tables.map((t) => JSON.stringify(t));
  for (const { name } of db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()) {
    const rows = db
      .prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`)
      .raw()
      .all();
    out[name] = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).sort();
  }
  return out;
}

/** The hub's tables, read through a connection of its own that is closed again. */
export function dumpHub(w: SqliteWorld): Record<string, string[]> {
  const db = new Database(path.join(w.dir, ".concord", "hub.db"), { readonly: true, fileMustExist: true });
  try {
    return dump(db);
  } finally {
    db.close();
  }
}

/** `concord audit --json ARGS`: the journal entries. */
export async function audit(w: SqliteWorld, ...args: string[]): Promise<JournalEntry[]> {
  const r = await w.cli(["audit", "--limit", "10000", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.json as JournalEntry[];
}

/** `concord status --json`. */
export async function status(w: SqliteWorld): Promise<Status> {
  const r = await w.cli(["status"]);
  expect(r.code, r.stderr).toBe(0);
  return r.json as Status;
}

/** A sync that must succeed (exit 0, no errors, not halted). */
export async function syncOk(w: SqliteWorld, ...args: string[]): Promise<SyncJson> {
  const s = await w.sync(...args);
  expect({ code: s.code, errors: s.errors, halted: s.halted, haltReasons: s.haltReasons }).toEqual({
    code: 0,
    errors: 0,
    halted: false,
    haltReasons: [],
  });
  return s;
}

/** The no-loop guarantee: a further sync reads nothing new and writes nothing. */
export async function expectSettled(w: SqliteWorld): Promise<void> {
  const s = await syncOk(w);
  expect({ read: s.read, applied: s.applied, writes: totalWrites(s) }).toEqual({ read: 0, applied: 0, writes: 0 });
}

/** Written counts of one system in a sync (zeros when the system is not listed). */
export function writtenTo(s: SyncJson, system: string): { created: number; updated: number; deleted: number } {
  return s.written[system] ?? { created: 0, updated: 0, deleted: 0 };
}

import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Fields, GoldenRecord, JournalEntry } from "../../src/core/types.js";
import { openEngine, writesOf, type Engine } from "../helpers/engine.js";
import { SqliteWorld } from "../helpers/sqlite-world.js";

/**
 * yjs-style convergence: random creates, edits and deletes in three systems with different
 * schemas, synced at random points; afterwards every system holds the golden values, a further
 * sync writes nothing, and the journal replays to the hub's state.
 */

const CONFIG = `
hub: sqlite:./hub.db
systems:
  crm:  { connector: sqlite, path: ./crm.db }
  erp:  { connector: sqlite, path: ./erp.db }
  shop: { connector: sqlite, path: ./shop.db }
entities:
  contact:
    fields:
      email: { type: string, required: true, format: email }
      firstName: string
      lastName: string
      tier: { type: enum, values: [free, pro] }
    match: [email]
    resolve: newest
    priority: [crm, erp, shop]
    systems:
      crm:  { table: contacts, key: id, fields: { email: email, firstName: first_name, lastName: last_name, tier: { column: plan, map: { F: free, P: pro } } } }
      erp:  { table: customers, key: cust_no, fields: { email: email_addr, firstName: fname, lastName: lname, tier: { column: tier_code, map: { "1": free, "2": pro } } } }
      shop: { table: buyers, key: id, fields: { email: mail, firstName: first, lastName: last } }
`;

/** Native layout of each system: table, key, and canonical field → column (with value codes). */
const NATIVE = {
  crm: {
    table: "contacts",
    key: "id",
    cols: { email: "email", firstName: "first_name", lastName: "last_name", tier: "plan" },
    codes: { free: "F", pro: "P" },
  },
  erp: {
    table: "customers",
    key: "cust_no",
    cols: { email: "email_addr", firstName: "fname", lastName: "lname", tier: "tier_code" },
    codes: { free: "1", pro: "2" },
  },
  shop: { table: "buyers", key: "id", cols: { email: "mail", firstName: "first", lastName: "last" }, codes: {} },
} as const;
type SystemName = keyof typeof NATIVE;
const SYSTEMS = Object.keys(NATIVE) as SystemName[];

const DDL: Record<SystemName, string> = {
  crm: "CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, first_name TEXT, last_name TEXT, plan TEXT)",
  erp: "CREATE TABLE customers (cust_no INTEGER PRIMARY KEY AUTOINCREMENT, email_addr TEXT, fname TEXT, lname TEXT, tier_code TEXT)",
  shop: "CREATE TABLE buyers (id INTEGER PRIMARY KEY AUTOINCREMENT, mail TEXT, first TEXT, last TEXT)",
};

type Op =
  | {
      kind: "create";
      system: SystemName;
      email: number;
      first: string;
      last: string;
      tier: "free" | "pro";
      sloppy: boolean;
    }
  | { kind: "edit"; system: SystemName; pick: number; field: "firstName" | "lastName" | "tier"; value: string }
  | { kind: "delete"; system: SystemName; pick: number }
  | { kind: "sync"; full: boolean };

const system = fc.constantFrom(...SYSTEMS);
const name = fc.constantFrom("Ann", "Bob", "Cy");
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      system,
      email: fc.nat(7),
      first: name,
      last: name,
      tier: fc.constantFrom("free" as const, "pro" as const),
      sloppy: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      system,
      pick: fc.nat(50),
      field: fc.constantFrom("firstName" as const, "lastName" as const, "tier" as const),
      value: fc.oneof(name, fc.constantFrom("free", "pro")),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), system, pick: fc.nat(50) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("sync" as const), full: fc.boolean() }) },
);

function apply(world: SqliteWorld, o: Exclude<Op, { kind: "sync" }>): void {
  const n = NATIVE[o.system];
  const db = world.system(o.system);
  const keys = db.prepare(`SELECT "${n.key}" AS k FROM "${n.table}" ORDER BY 1`).all() as { k: number }[];
  if (o.kind === "create") {
    const email = `person${o.email}@example.com`;
    const values: Record<string, string> = {
      [n.cols.email]: o.sloppy ? ` ${email.toUpperCase()}` : email,
      [n.cols.firstName]: o.first,
      [n.cols.lastName]: o.last,
    };
    if ("tier" in n.cols) values[n.cols.tier] = (n.codes as Record<string, string>)[o.tier] ?? o.tier;
    const cols = Object.keys(values);
    db.prepare(
      `INSERT INTO "${n.table}" (${cols.map((c) => `"${c}"`).join(",")}) VALUES (${cols.map(() => "?").join(",")})`,
    ).run(...Object.values(values));
    return;
  }
  const row = keys[o.pick % Math.max(1, keys.length)];
  if (row === undefined) return;
  if (o.kind === "delete") {
    db.prepare(`DELETE FROM "${n.table}" WHERE "${n.key}" = ?`).run(row.k);
    return;
  }
  const column = (n.cols as Record<string, string>)[o.field];
  if (column === undefined) return;
  const isTier = o.field === "tier";
  if (isTier !== (o.value === "free" || o.value === "pro")) return;
  const value = isTier ? ((n.codes as Record<string, string>)[o.value] ?? o.value) : o.value;
  db.prepare(`UPDATE "${n.table}" SET "${column}" = ? WHERE "${n.key}" = ?`).run(value, row.k);
}

/** Canonical fields of every row of a system, by key. */
function canonicalRows(world: SqliteWorld, s: SystemName): Map<string, Fields> {
  const n = NATIVE[s];
  const decode = Object.fromEntries(Object.entries(n.codes).map(([k, v]) => [v, k]));
  const out = new Map<string, Fields>();
  for (const row of world.rows(s, n.table, n.key)) {
    const fields: Fields = {};
    for (const [field, column] of Object.entries(n.cols)) {
      const raw = row[column];
      fields[field] =
        field === "tier"
          ? (decode[String(raw)] ?? null)
          : field === "email" && typeof raw === "string"
            ? raw.trim()
            : ((raw as string | null) ?? null);
    }
    out.set(String(row[n.key]), fields);
  }
  return out;
}

async function allGoldens(engine: Engine): Promise<GoldenRecord[]> {
  const uids = await engine.rt.hub.listUids("contact", null, 100_000);
  return engine.rt.hub.getGoldens("contact", uids);
}

/** Folds the journal's golden-side entries into records, as an auditor would. */
function replay(entries: readonly JournalEntry[]): Map<string, { fields: Fields; deleted: boolean }> {
  const state = new Map<string, { fields: Fields; deleted: boolean }>();
  for (const e of entries) {
    const current = state.get(e.uid);
    if (e.kind === "create") state.set(e.uid, { fields: { ...(e.after as Fields) }, deleted: false });
    else if (e.kind === "golden" && current !== undefined && e.field !== undefined)
      current.fields[e.field] = e.after ?? null;
    else if (e.kind === "delete" && current !== undefined) current.deleted = true;
    else if (e.kind === "restore" && current !== undefined) current.deleted = false;
  }
  return state;
}

describe("convergence (property)", () => {
  let world: SqliteWorld | undefined;
  afterEach(() => {
    world?.close();
    world = undefined;
  });

  it("random edits in three systems converge, and a second sync writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        world?.close();
        world = new SqliteWorld("concord-prop-");
        for (const s of SYSTEMS) world.system(s, DDL[s]);
        const engine = await openEngine(world.config(CONFIG));
        try {
          for (const o of ops) {
            if (o.kind === "sync") await engine.sync({ full: o.full });
            else apply(world, o);
          }
          await engine.sync();
          const quiet = await engine.sync();
          expect(writesOf(quiet)).toBe(0);
          expect(quiet.errors).toBe(0);

          const goldens = (await allGoldens(engine)).filter((g) => !g.deleted);
          const links = await engine.rt.hub.getLinksByUids(
            "contact",
            goldens.map((g) => g.uid),
          );
          for (const s of SYSTEMS) {
            const rows = canonicalRows(world, s);
            const active = links.filter((l) => l.system === s && l.state === "active");
            // Every live golden record is in every system, once, with the golden values.
            expect(active.length).toBe(goldens.length);
            expect(rows.size).toBe(goldens.length);
            for (const link of active) {
              const golden = goldens.find((g) => g.uid === link.uid);
              const row = rows.get(link.key);
              expect(row).toBeDefined();
              for (const [field, value] of Object.entries(row ?? {})) {
                const expected = golden?.fields[field] ?? null;
                expect([s, link.key, field, value]).toEqual([
                  s,
                  link.key,
                  field,
                  field === "email" && typeof expected === "string" ? expected.trim() : expected,
                ]);
              }
            }
          }
          const journal = await engine.rt.hub.queryJournal({});
          const replayed = replay(journal);
          for (const g of await allGoldens(engine)) {
            expect(replayed.get(g.uid)).toEqual({ fields: g.fields, deleted: g.deleted });
          }
        } finally {
          await engine.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});

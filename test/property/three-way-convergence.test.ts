import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { totalWrites } from "../helpers/sqlite-world.js";
import { contactsEverywhere, ordersEverywhere, type ThreeWay, threeWay } from "../helpers/three-way.js";

/**
 * The convergence property across PostgreSQL (trigger capture), PostgreSQL (logical capture) and
 * SQLite, with orders that reference contacts: random creates, edits and moves of orders between
 * customers in all three, synced at random points, end with every system holding the same
 * contacts and the same orders pointing at the same people, and a further sync writes nothing.
 */

type System = "crm" | "erp" | "shop";
type Op =
  | { kind: "contact"; system: System; email: number; name: string }
  | { kind: "order"; system: System; number: number; customer: number; cents: number }
  | { kind: "rename"; system: System; pick: number; name: string }
  | { kind: "total"; system: System; pick: number; cents: number }
  | { kind: "move"; system: System; pick: number; customer: number }
  | { kind: "sync"; full: boolean };

const system = fc.constantFrom<System>("crm", "erp", "shop");
const name = fc.constantFrom("Ann", "Bob", "Cy");
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("contact" as const), system, email: fc.nat(4), name }),
  fc.record({
    kind: fc.constant("order" as const),
    system,
    number: fc.nat(4),
    customer: fc.nat(20),
    cents: fc.nat(100_000),
  }),
  fc.record({ kind: fc.constant("rename" as const), system, pick: fc.nat(20), name }),
  fc.record({ kind: fc.constant("total" as const), system, pick: fc.nat(20), cents: fc.nat(100_000) }),
  fc.record({ kind: fc.constant("move" as const), system, pick: fc.nat(20), customer: fc.nat(20) }),
  fc.record({ kind: fc.constant("sync" as const), full: fc.boolean() }),
);

/** Native layout per system: tables, keys and columns. */
const LAYOUT = {
  crm: {
    people: "contacts",
    pkey: "id",
    email: "email",
    first: "first_name",
    last: "last_name",
    orders: "orders",
    okey: "id",
    number: "order_no",
    ref: "contact_id",
    total: "amount",
    cents: false,
  },
  erp: {
    people: "customers",
    pkey: "cust_no",
    email: "email_addr",
    first: "fname",
    last: "lname",
    orders: "sales_orders",
    okey: "so_id",
    number: "so_number",
    ref: "cust_no",
    total: "total",
    cents: false,
  },
  shop: {
    people: "customers",
    pkey: "id",
    email: "email",
    first: "first",
    last: "last",
    orders: "orders",
    okey: "id",
    number: "number",
    ref: "customer_id",
    total: "total_cents",
    cents: true,
  },
} as const;

/** Runs SQL on a system: PostgreSQL with $n placeholders, SQLite with ?. */
async function query(t: ThreeWay, s: System, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (s === "shop") {
    const stmt = t.world.system("shop").prepare(sql.replace(/\$\d+/g, "?"));
    return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
  }
  return (await t[s].query(sql, params)).rows as Record<string, unknown>[];
}

async function keys(t: ThreeWay, s: System, table: string, key: string): Promise<unknown[]> {
  return (await query(t, s, `SELECT ${key} AS k FROM ${table} ORDER BY ${key}`)).map((r) => r["k"]);
}

async function apply(t: ThreeWay, o: Exclude<Op, { kind: "sync" }>): Promise<void> {
  const l = LAYOUT[o.system];
  const amount = (cents: number) => (l.cents ? cents : (cents / 100).toFixed(2));
  const people = await keys(t, o.system, l.people, l.pkey);
  const orders = await keys(t, o.system, l.orders, l.okey);
  const pick = <T>(list: T[], n: number) => (list.length === 0 ? undefined : list[n % list.length]);
  switch (o.kind) {
    case "contact":
      return void (await query(
        t,
        o.system,
        `INSERT INTO ${l.people} (${l.email}, ${l.first}, ${l.last}) VALUES ($1, $2, 'X')`,
        [`p${o.email}@example.com`, o.name],
      ));
    case "order": {
      const customer = pick(people, o.customer);
      if (customer === undefined) return;
      return void (await query(
        t,
        o.system,
        `INSERT INTO ${l.orders} (${l.number}, ${l.ref}, ${l.total}) VALUES ($1, $2, $3)`,
        [`SO-${o.number}`, customer, amount(o.cents)],
      ));
    }
    case "rename": {
      const key = pick(people, o.pick);
      if (key !== undefined)
        await query(t, o.system, `UPDATE ${l.people} SET ${l.first} = $1 WHERE ${l.pkey} = $2`, [o.name, key]);
      return;
    }
    case "total": {
      const key = pick(orders, o.pick);
      if (key !== undefined)
        await query(t, o.system, `UPDATE ${l.orders} SET ${l.total} = $1 WHERE ${l.okey} = $2`, [amount(o.cents), key]);
      return;
    }
    case "move": {
      const key = pick(orders, o.pick);
      const customer = pick(people, o.customer);
      if (key !== undefined && customer !== undefined) {
        await query(t, o.system, `UPDATE ${l.orders} SET ${l.ref} = $1 WHERE ${l.okey} = $2`, [customer, key]);
      }
    }
  }
}

const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

describe("three-way convergence with references (property)", () => {
  it("random edits in PostgreSQL, PostgreSQL and SQLite converge, references included", async (ctx) => {
    const probe = await threeWay("prop_probe");
    if (typeof probe === "string") return ctx.skip(probe);
    await probe.close();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const made = await threeWay("prop");
        if (typeof made === "string") throw new Error(made);
        const t = made;
        try {
          for (const o of ops) {
            if (o.kind === "sync") {
              const s = await t.world.sync(...(o.full ? ["--full"] : []));
              expect(s.errors).toBe(0);
            } else {
              await apply(t, o);
            }
          }
          const last = await t.world.sync();
          expect(last.errors).toBe(0);
          const quiet = await t.world.sync();
          expect(totalWrites(quiet)).toBe(0);
          const orders = await ordersEverywhere(t);
          expect(sorted(orders.erp)).toEqual(sorted(orders.crm));
          expect(sorted(orders.shop)).toEqual(sorted(orders.crm));
          const contacts = await contactsEverywhere(t);
          expect(sorted(contacts.erp)).toEqual(sorted(contacts.crm));
          expect(sorted(contacts.shop)).toEqual(sorted(contacts.crm));
        } finally {
          await t.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});

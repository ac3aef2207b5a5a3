import { LAST_NAMES, FIRST_NAMES, type Random } from "./demo-data.js";
import type { DemoWorld } from "./demo-world.js";

/** One kind of edit a person might make in one of the systems. */
interface Edit {
  readonly weight: number;
  /** Makes the edit; returns what was done in words, or undefined if it found nothing to edit. */
  apply(world: DemoWorld, rnd: Random): string | undefined;
}

const otherName = (rnd: Random, names: readonly string[], current: string | undefined) =>
  rnd.pick(names.filter((n) => n !== current));

const EDITS: readonly Edit[] = [
  {
    weight: 3,
    apply(world, rnd) {
      const id = pickId(world, rnd, "crm", "contacts", "id");
      if (id === undefined) return undefined;
      const row = world.get<{ last_name: string }>("crm", "SELECT last_name FROM contacts WHERE id = ?", id);
      const name = otherName(rnd, LAST_NAMES, row?.last_name);
      world.run("crm", "UPDATE contacts SET last_name = ? WHERE id = ?", name, id);
      return `crm: a sales rep renamed contact #${id} to ${name}`;
    },
  },
  {
    weight: 2,
    apply(world, rnd) {
      const id = pickId(world, rnd, "billing", "customers", "cust_no");
      if (id === undefined) return undefined;
      const code = rnd.pick(["2", "3"]);
      world.run("billing", "UPDATE customers SET tier_code = ? WHERE cust_no = ?", code, id);
      return `billing: customer #${id} moved to tier code ${code} (${code === "2" ? "pro" : "enterprise"})`;
    },
  },
  {
    weight: 2,
    apply(world, rnd) {
      const id = pickId(world, rnd, "support", "users", "user_id");
      if (id === undefined) return undefined;
      const row = world.get<{ given_name: string }>("support", "SELECT given_name FROM users WHERE user_id = ?", id);
      const name = otherName(rnd, FIRST_NAMES, row?.given_name);
      world.run("support", "UPDATE users SET given_name = ? WHERE user_id = ?", name, id);
      return `support: an agent corrected user #${id}'s first name to ${name}`;
    },
  },
  {
    weight: 2,
    apply(world, rnd) {
      // The same person edited in two systems before a sync: a conflict.
      const shared = world.get<{ email: string; id: number }>(
        "crm",
        "SELECT email, id FROM contacts WHERE plan != 'FREE' ORDER BY random() LIMIT 1",
      );
      if (shared === undefined) return undefined;
      const billing = world.get<{ cust_no: number }>(
        "billing",
        "SELECT cust_no FROM customers WHERE lower(trim(email_addr)) = ?",
        shared.email,
      );
      if (billing === undefined) return undefined;
      const a = rnd.pick(LAST_NAMES);
      const b = otherName(rnd, LAST_NAMES, a);
      world.run("crm", "UPDATE contacts SET last_name = ? WHERE id = ?", a, shared.id);
      world.run("billing", "UPDATE customers SET lname = ? WHERE cust_no = ?", b, billing.cust_no);
      return `crm and billing both edited ${shared.email}'s last name (${a} vs ${b})`;
    },
  },
  {
    weight: 1,
    apply(world, rnd) {
      const id = pickId(world, rnd, "support", "users", "user_id");
      if (id === undefined) return undefined;
      world.run(
        "support",
        "UPDATE users SET mail = replace(lower(trim(mail)), '@example.com', '@example.org') WHERE user_id = ?",
        id,
      );
      return `support: an agent overwrote user #${id}'s e-mail (only crm may change e-mails)`;
    },
  },
  {
    weight: 1,
    apply(world, rnd) {
      const id = pickId(world, rnd, "crm", "contacts", "id", "id NOT IN (SELECT contact_id FROM orders)");
      if (id === undefined) return undefined;
      world.run("crm", "DELETE FROM contacts WHERE id = ?", id);
      return `crm: contact #${id} was deleted`;
    },
  },
  {
    weight: 1,
    apply(world) {
      const p = world.newPerson();
      world.supportInsert(p);
      return `support: a new user ${p.email} signed up`;
    },
  },
  {
    weight: 1,
    apply(world, rnd) {
      const id = pickId(world, rnd, "crm", "contacts", "id", "plan != 'FREE'");
      if (id === undefined) return undefined;
      const no = `SO-${2000 + rnd.int(8000)}`;
      world.run(
        "crm",
        "INSERT INTO orders (order_no, contact_id, amount) VALUES (?, ?, ?)",
        no,
        id,
        `${rnd.int(500)}.${rnd.int(100)}`,
      );
      return `crm: order ${no} placed for contact #${id}`;
    },
  },
];

function pickId(
  world: DemoWorld,
  rnd: Random,
  system: string,
  table: string,
  key: string,
  where?: string,
): number | undefined {
  const ids = world.ids(system, table, key, where);
  return ids.length === 0 ? undefined : rnd.pick(ids);
}

/** Makes `count` random edits; returns them in words. */
export function randomEdits(world: DemoWorld, rnd: Random, count: number): string[] {
  const pool = EDITS.flatMap((e) => Array.from({ length: e.weight }, () => e));
  const done: string[] = [];
  for (let i = 0; i < count * 3 && done.length < count; i++) {
    const said = rnd.pick(pool).apply(world, rnd);
    if (said !== undefined) done.push(said);
  }
  return done;
}

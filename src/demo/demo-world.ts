import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { DEMO_CONFIG, DEMO_SCHEMAS } from "./demo-config.js";
import { makePerson, pad, type Person, type Random, sloppyEmail } from "./demo-data.js";

const TIER_CODE = { free: "1", pro: "2", enterprise: "3" } as const;
const PLAN = { free: "FREE", pro: "PRO", enterprise: "ENT" } as const;

/**
 * The demo's three systems, as the applications that own them would write: plain SQL on their
 * own databases, knowing nothing of Concord.
 */
export class DemoWorld {
  readonly dbs: Record<"crm" | "billing" | "support", Database.Database>;
  private people = 0;

  private constructor(
    readonly dir: string,
    private readonly rnd: Random,
  ) {
    this.dbs = {
      crm: new Database(path.join(dir, "crm.db")),
      billing: new Database(path.join(dir, "billing.db")),
      support: new Database(path.join(dir, "support.db")),
    };
    for (const db of Object.values(this.dbs)) db.pragma("journal_mode = WAL");
  }

  /** Creates a fresh demo folder with the config and seeded databases. */
  static create(dir: string, rnd: Random): DemoWorld {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "concord.yaml"), DEMO_CONFIG);
    const world = new DemoWorld(dir, rnd);
    for (const [name, sql] of Object.entries(DEMO_SCHEMAS)) world.db(name).exec(sql);
    world.seed();
    return world;
  }

  close(): void {
    for (const db of Object.values(this.dbs)) db.close();
  }

  private db(name: string): Database.Database {
    const db = this.dbs[name as keyof typeof this.dbs];
    if (db === undefined) throw new Error(`no demo system ${name}`);
    return db;
  }

  private seed(): void {
    const people = Array.from({ length: 12 }, () => makePerson(this.rnd, this.people++));
    people.slice(0, 9).forEach((p) => this.crmInsert(p));
    // Billing knows the paying customers, some of them also in the CRM.
    people
      .slice(3)
      .filter((p) => p.tier !== "free")
      .forEach((p) => this.billingInsert(p));
    // Support's agents typed e-mails by hand: other case, stray spaces.
    [...people.slice(0, 6), ...people.slice(9)].forEach((p) =>
      this.supportInsert({ ...p, email: sloppyEmail(this.rnd, p.email) }),
    );
    const crmIds = this.ids("crm", "contacts", "id", "plan != 'FREE'");
    for (const [n, id] of crmIds.slice(0, 4).entries()) {
      this.db("crm")
        .prepare("INSERT INTO orders (order_no, contact_id, amount) VALUES (?, ?, ?)")
        .run(`SO-${1000 + n}`, id, `${10 + n * 7}.50`);
    }
  }

  crmInsert(p: Person): void {
    this.db("crm")
      .prepare("INSERT INTO contacts (email, first_name, last_name, birth_date, plan) VALUES (?, ?, ?, ?, ?)")
      .run(p.email, p.first, p.last, `${p.birth.y}-${pad(p.birth.m)}-${pad(p.birth.d)}`, PLAN[p.tier]);
  }

  billingInsert(p: Person): void {
    this.db("billing")
      .prepare("INSERT INTO customers (email_addr, fname, lname, dob, tier_code, tax_id) VALUES (?, ?, ?, ?, ?, ?)")
      .run(
        p.email,
        p.first,
        p.last,
        `${pad(p.birth.m)}/${pad(p.birth.d)}/${p.birth.y}`,
        TIER_CODE[p.tier],
        `TX-${1000 + this.rnd.int(9000)}`,
      );
  }

  supportInsert(p: Person): void {
    this.db("support")
      .prepare("INSERT INTO users (mail, given_name, family_name) VALUES (?, ?, ?)")
      .run(p.email, p.first, p.last);
  }

  /** Makes a new person (for edits that create records). */
  newPerson(): Person {
    return makePerson(this.rnd, this.people++);
  }

  ids(system: string, table: string, key: string, where = "1 = 1"): number[] {
    return this.db(system)
      .prepare(`SELECT "${key}" AS k FROM "${table}" WHERE ${where} ORDER BY 1`)
      .all()
      .map((r) => Number((r as { k: number }).k));
  }

  run(system: string, sql: string, ...params: unknown[]): void {
    this.db(system)
      .prepare(sql)
      .run(...params);
  }

  get<T>(system: string, sql: string, ...params: unknown[]): T | undefined {
    return this.db(system)
      .prepare(sql)
      .get(...params) as T | undefined;
  }
}

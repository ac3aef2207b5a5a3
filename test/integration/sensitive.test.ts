import { afterEach, describe, expect, test } from "vitest";
import type { Conflict, JournalEntry } from "../../src/core/types.js";
import { contactWorld, dumpHub, expectSettled } from "../helpers/contact-world.js";
import type { CliResult, SqliteWorld } from "../helpers/sqlite-world.js";

const ANN = "ann@example.com";
const SSN_FIRST = "123-45-6789";
const SSN_ERP = "987-65-4321";
const SSN_CRM = "555-12-3456";
const SALARY = "forty-two-thousand-31337";
const SECRETS = [SSN_FIRST, SSN_ERP, SSN_CRM, SALARY];
const HASH = { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown };

/** Every CLI call of the test, so that all their output can be searched for secrets at the end. */
const outputs: CliResult[] = [];
let w: SqliteWorld;
afterEach(() => {
  w.close();
  outputs.length = 0;
});
async function run(args: string[], raw = false): Promise<CliResult> {
  const r = await w.cli(args, { raw });
  outputs.push(r);
  return r;
}

function ssnOf(system: "crm" | "erp" | "shop", column: string): unknown {
  const table = system === "crm" ? "contacts" : "customers";
  const email = system === "erp" ? "email_addr" : "email";
  return w.system(system).prepare(`SELECT "${column}" FROM "${table}" WHERE "${email}" = ?`).pluck().get(ANN);
}

function world(): SqliteWorld {
  return contactWorld({
    fields: [
      "ssn: { type: string, sensitive: true, shareWith: [erp] }",
      "salary: { type: number, sensitive: true, shareWith: [erp] }",
    ],
    entity: ["resolve: manual"],
    columns: { crm: "ssn TEXT, salary TEXT", erp: "tax_id TEXT, pay REAL", shop: "ssn TEXT" },
    mappings: { crm: "ssn: ssn, salary: salary", erp: "ssn: tax_id, salary: pay", shop: "ssn: ssn" },
  });
}

describe("a sensitive field", () => {
  test("is written only to its shareWith systems and never shown, by any command", async () => {
    w = world();
    w.system("crm").prepare("INSERT INTO contacts (email, name, ssn) VALUES (?, ?, ?)").run(ANN, "Ann", SSN_FIRST);
    w.system("crm").prepare("INSERT INTO contacts (email, name) VALUES (?, ?)").run("bob@example.com", "Bob");

    // A dry run before anything: the planned values are hashed, and shop is not to get the ssn.
    const plan = await run(["plan"]);
    const planned = (plan.json as { planned: { system: string; fields: Record<string, unknown> }[] }).planned;
    const annTo = (system: string) => planned.find((p) => p.system === system && p.fields.email === ANN)?.fields;
    expect(annTo("erp")).toMatchObject({ ssn: HASH });
    expect(annTo("shop")).toEqual({ email: ANN, name: "Ann" });
    await run(["plan"], true);

    expect((await run(["sync"])).code).toBe(0);
    expect(ssnOf("erp", "tax_id")).toBe(SSN_FIRST);
    expect(ssnOf("shop", "ssn")).toBeNull();

    // erp (shared) changes it: crm, which is not in shareWith, keeps what it had; shop still nothing.
    w.system("erp").prepare("UPDATE customers SET tax_id = ? WHERE email_addr = ?").run(SSN_ERP, ANN);
    expect((await run(["sync"], true)).code).toBe(0);
    expect(ssnOf("crm", "ssn")).toBe(SSN_FIRST);
    expect(ssnOf("shop", "ssn")).toBeNull();

    // crm changes it too, on top of erp's change: a manual conflict, shown hashed.
    w.system("crm").prepare("UPDATE contacts SET ssn = ? WHERE email = ?").run(SSN_CRM, ANN);
    await run(["plan"]);
    await run(["plan"], true);
    expect((await run(["sync"])).code).toBe(0);
    const conflicts = (await run(["conflicts"])).json as Conflict[];
    expect(conflicts).toEqual([
      expect.objectContaining({ field: "ssn", system: "crm", value: HASH, goldenValue: HASH }),
    ]);
    await run(["conflicts"], true);
    const id = conflicts[0]?.id ?? "";
    expect((await run(["conflicts", "resolve", id, "--pick", "crm"])).code).toBe(0);
    expect(ssnOf("erp", "tax_id")).toBe(SSN_CRM);
    expect(ssnOf("shop", "ssn")).toBeNull();

    // The journal holds hashes only, and equal values give equal hashes.
    const journal = (await run(["audit", "--limit", "1000"])).json as JournalEntry[];
    const ssnValues = journal.flatMap((e) => [
      ...(e.field === "ssn" ? [e.before, e.after] : []),
      ...[e.before, e.after].map((v) => (v !== null && typeof v === "object" && "ssn" in v ? v.ssn : undefined)),
    ]);
    const shown = ssnValues.filter((v) => v !== undefined && v !== null);
    expect(shown.length).toBeGreaterThanOrEqual(4);
    for (const v of shown) expect(v).toEqual(HASH);
    const createdFrom = journal.find((e) => e.kind === "create" && e.key !== undefined && hasSsn(e.after));
    const createdIn = journal.find((e) => e.kind === "created" && e.system === "erp" && hasSsn(e.after));
    expect(ssnIn(createdIn?.after)).toEqual(ssnIn(createdFrom?.after));
    await run(["audit"], true);

    await run(["status"]);
    await run(["status"], true);
    await expectSettled(w);
    expect(dumpHub(w).journal?.join("\n")).not.toMatch(new RegExp(SECRETS.map(escape).join("|")));
    expectNoSecretIn(outputs);
  });

  test("a value that fails validation is reported without the value", async () => {
    w = world();
    w.system("crm").prepare("INSERT INTO contacts (email, name, salary) VALUES (?, ?, ?)").run(ANN, "Ann", SALARY);

    const sync = await run(["sync"]);
    expect(sync.code).toBe(1);
    await run(["sync"], true);
    const status = (await run(["status"])).json as { recentErrors: { message: string }[] };
    expect(status.recentErrors.map((e) => e.message).join("\n")).toMatch(/salary/);
    await run(["status"], true);

    expect(dumpHub(w).record_errors?.join("\n")).not.toContain(SALARY);
    expectNoSecretIn(outputs);
  });
});

function hasSsn(v: unknown): boolean {
  return v !== null && typeof v === "object" && "ssn" in v;
}

function ssnIn(v: unknown): unknown {
  return v !== null && typeof v === "object" && "ssn" in v ? v.ssn : undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}

function expectNoSecretIn(results: readonly CliResult[]): void {
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    for (const secret of SECRETS) {
      expect(r.stdout, `stdout shows ${secret}`).not.toContain(secret);
      expect(r.stderr, `stderr shows ${secret}`).not.toContain(secret);
    }
  }
}

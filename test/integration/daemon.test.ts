import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWorld } from "../helpers/sqlite-world.js";

const TSX_LOADER = fileURLToPath(new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
const ENTRY = fileURLToPath(new URL("../helpers/cli-entry.ts", import.meta.url));

const CONFIG = `
hub: sqlite:./hub.db
systems:
  crm: { connector: sqlite, path: ./crm.db, pollEvery: 50ms }
  erp: { connector: sqlite, path: ./erp.db, pollEvery: 50ms }
entities:
  contact:
    fields: { email: { type: string, format: email }, name: string }
    match: [email]
    systems:
      crm: { table: contacts, key: id, fields: { email: email, name: name } }
      erp: { table: customers, key: no, fields: { email: mail, name: full_name } }
`;

/** Waits until `check` holds, polling; fails with `what` after `ms`. Not a timing assertion. */
async function eventually(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("concord run (the daemon)", () => {
  let w: SqliteWorld;
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    w.close();
  });

  it("propagates edits continuously, stops cleanly on SIGTERM, and loses nothing made while down", async () => {
    w = new SqliteWorld();
    w.system(
      "crm",
      "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT); INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann')",
    );
    w.system("erp", "CREATE TABLE customers (no INTEGER PRIMARY KEY, mail TEXT, full_name TEXT)");
    w.config(CONFIG);
    const erpNames = () => w.rows<{ full_name: string }>("erp", "customers", "no").map((r) => r.full_name);

    child = spawn(process.execPath, ["--import", TSX_LOADER, ENTRY, "run", "-c", "concord.yaml"], { cwd: w.dir });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));

    await eventually("the first record reaches erp", () => erpNames().includes("Ann"));
    w.system("crm").prepare("UPDATE contacts SET name = 'Ann Lee' WHERE id = 1").run();
    w.system("crm").prepare("INSERT INTO contacts VALUES (2, 'bob@example.com', 'Bob')").run();
    await eventually("the edits reach erp", () => erpNames().join() === "Ann Lee,Bob");
    w.system("erp").prepare("UPDATE customers SET full_name = 'Robert' WHERE mail = 'bob@example.com'").run();
    await eventually("erp's edit reaches crm", () =>
      w.rows<{ name: string }>("crm", "contacts", "id").some((r) => r.name === "Robert"),
    );

    // Idle for a while (polling every 50 ms): quiet passes leave no run record behind.
    const runs = () => w.system("hub").prepare("SELECT count(*) AS n FROM runs").get() as { n: number };
    const before = runs().n;
    await new Promise((r) => setTimeout(r, 1000));
    expect(runs().n).toBe(before);
    const idle = (await w.cli(["status"])).json as { lastPass?: string };
    expect(idle.lastPass).toBeDefined();

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain("stopping after the run in progress");

    // Edits made while the daemon is down are in the change feed, and the next pass takes them.
    w.system("crm").prepare("UPDATE contacts SET name = 'Ann Leigh' WHERE id = 1").run();
    const s = await w.sync();
    expect(s.written["erp"]).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(erpNames()).toEqual(["Ann Leigh", "Robert"]);
    const again = await w.sync();
    expect(again.written["erp"]).toEqual({ created: 0, updated: 0, deleted: 0 });
  });
});

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type SyncJson, SqliteWorld, totalWrites } from "../helpers/sqlite-world.js";

const TSX_LOADER = fileURLToPath(new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
const ENTRY = fileURLToPath(new URL("../helpers/cli-entry.ts", import.meta.url));

/** `concord sync --json` in a process of its own, so that two really run at once. */
async function syncProcess(cwd: string): Promise<SyncJson> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", TSX_LOADER, ENTRY, "sync", "--json", "-c", "concord.yaml"],
    { cwd },
  );
  return JSON.parse(stdout) as SyncJson;
}

const CONFIG = `
hub: sqlite:./hub.db
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: string, name: string }
    match: [email]
    systems:
      crm: { table: contacts, key: id, fields: { email: email, name: name } }
      erp: { table: customers, key: no, fields: { email: mail, name: full_name } }
`;

describe("two runs on one hub", () => {
  let w: SqliteWorld;
  afterEach(() => w.close());

  it("take turns, even from two processes: both finish, and together they write each record once", async () => {
    w = new SqliteWorld();
    const crm = w.system("crm", "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT)");
    const insert = crm.prepare("INSERT INTO contacts (email, name) VALUES (?, ?)");
    crm.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`p${i}@example.com`, `P${i}`);
    })();
    w.system("erp", "CREATE TABLE customers (no INTEGER PRIMARY KEY, mail TEXT, full_name TEXT)");
    w.config(CONFIG);

    const [a, b] = await Promise.all([syncProcess(w.dir), syncProcess(w.dir)]);
    expect([a.errors, b.errors]).toEqual([0, 0]);
    expect((a.written["erp"]?.created ?? 0) + (b.written["erp"]?.created ?? 0)).toBe(3000);
    const rows = w.system("erp").prepare("SELECT count(*) AS n, count(DISTINCT mail) AS d FROM customers").get();
    expect(rows).toEqual({ n: 3000, d: 3000 });
    expect(totalWrites(await w.sync())).toBe(0);
  });
});

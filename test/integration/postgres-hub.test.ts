import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "../helpers/postgres-database.js";
import { SqliteWorld, totalWrites } from "../helpers/sqlite-world.js";

let hubDb: TestDatabase | undefined;
beforeAll(async () => {
  hubDb = await createTestDatabase("hub_e2e");
});
afterAll(async () => hubDb?.drop());

describe("a PostgreSQL hub", () => {
  it("runs syncs, conflicts, audit and rollback like the embedded one", async (ctx) => {
    if (hubDb === undefined) return ctx.skip(postgresSkipReason());
    const w = new SqliteWorld();
    try {
      w.system(
        "crm",
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT); INSERT INTO contacts VALUES (1, 'ann@example.com', 'Ann')",
      );
      w.system(
        "erp",
        "CREATE TABLE customers (no INTEGER PRIMARY KEY, mail TEXT, full_name TEXT); INSERT INTO customers VALUES (7, 'ANN@example.com', 'Ann L.')",
      );
      w.config(`
hub: "\${HUB_URL}"
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: string, name: string }
    match: [email]
    resolve: manual
    systems:
      crm: { table: contacts, key: id, fields: { email: email, name: name } }
      erp: { table: customers, key: no, fields: { email: mail, name: full_name } }
`);
      const env = { HUB_URL: `${hubDb.url}?schema=concord_hub` };
      const sync = async () =>
        (await w.cli(["sync"], { env })).json as {
          runId: string;
          conflicts: number;
          written: Record<string, { created: number; updated: number; deleted: number }>;
        };
      const first = await sync();
      expect(first.conflicts).toBe(2);
      const open = (await w.cli(["conflicts"], { env })).json as { id: string; field: string }[];
      expect(open.map((c) => c.field).sort()).toEqual(["email", "name"]);
      for (const c of open)
        expect((await w.cli(["conflicts", "resolve", c.id, "--pick", "crm"], { env })).code).toBe(0);
      expect(w.rows("erp", "customers")).toEqual([{ no: 7, mail: "ann@example.com", full_name: "Ann" }]);

      w.system("crm").prepare("UPDATE contacts SET name = 'Ann Lee' WHERE id = 1").run();
      const edit = await sync();
      expect(edit.written["erp"]).toEqual({ created: 0, updated: 1, deleted: 0 });
      const journal = (await w.cli(["audit", "--run", edit.runId], { env })).json as { kind: string; field?: string }[];
      expect(journal.filter((e) => e.kind === "golden").map((e) => e.field)).toEqual(["name"]);
      expect((await w.cli(["rollback", "--run", edit.runId], { env })).code).toBe(0);
      expect(w.rows("erp", "customers")).toEqual([{ no: 7, mail: "ann@example.com", full_name: "Ann" }]);
      expect(w.rows("crm", "contacts")).toEqual([{ id: 1, email: "ann@example.com", name: "Ann" }]);
      expect(totalWrites((await w.cli(["sync"], { env })).json as never)).toBe(0);
    } finally {
      w.close();
    }
  });
});

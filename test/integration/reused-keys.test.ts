import { afterEach, describe, expect, it } from "vitest";
import { sqliteConnector } from "../../src/connectors/sqlite/index.js";
import { SqliteWorld, totalWrites } from "../helpers/sqlite-world.js";

const CONFIG = `
hub: sqlite:./hub.db
systems:
  crm: { connector: sqlite, path: ./crm.db }
  erp: { connector: sqlite, path: ./erp.db }
entities:
  contact:
    fields: { email: string }
    match: [email]
    systems:
      crm: { table: contacts, key: id, fields: { email: email } }
      erp: { table: customers, key: no, fields: { email: mail } }
`;

describe("a key the target hands out again", () => {
  let w: SqliteWorld;
  afterEach(() => w.close());

  // The state a crash leaves when it strikes between Concord's delete in a target and the hub
  // recording it: the row is gone, the hub still links its key. SQLite (without AUTOINCREMENT)
  // then gives the highest rowid to the next insert.
  it("releases the stale link, so the new record is linked and never deleted in its place", async () => {
    w = new SqliteWorld();
    w.system(
      "crm",
      `CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT);
      INSERT INTO contacts VALUES (1, 'a@example.com'), (2, 'b@example.com'), (3, 'c@example.com')`,
    );
    w.system("erp", "CREATE TABLE customers (no INTEGER PRIMARY KEY, mail TEXT)");
    w.config(CONFIG);
    await w.sync();
    expect(w.rows("erp", "customers", "no")).toEqual([
      { no: 1, mail: "a@example.com" },
      { no: 2, mail: "b@example.com" },
      { no: 3, mail: "c@example.com" },
    ]);

    // c is deleted in crm; the hub takes it in (reading and writing crm only)...
    w.system("crm").exec("DELETE FROM contacts WHERE id = 3");
    expect((await w.sync("--system", "crm")).errors).toBe(0);
    // ...and Concord's delete reaches erp, but the run dies before the hub records it.
    const erp = sqliteConnector.create(sqliteConnector.optionsSchema.parse({ path: `${w.dir}/erp.db` }), {
      system: "erp",
      baseDir: w.dir,
      resources: [{ name: "customers", key: "no", columns: ["no", "mail"] }],
    });
    await erp.open();
    expect(await erp.writer?.write("customers", [{ op: "delete", key: "3" }])).toEqual([{ ok: true, key: "3" }]);
    await erp.close();

    // A new contact: erp gives it key 3 again.
    w.system("crm").exec("INSERT INTO contacts VALUES (4, 'd@example.com')");
    const s = await w.sync();
    expect(s.errors).toBe(0);
    expect(w.rows("erp", "customers", "no")).toEqual([
      { no: 1, mail: "a@example.com" },
      { no: 2, mail: "b@example.com" },
      { no: 3, mail: "d@example.com" },
    ]);
    expect(totalWrites(await w.sync())).toBe(0);
    expect(w.rows("erp", "customers", "no")).toHaveLength(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureOf, drain } from "../contract/connector-harness.js";
import { type MysqlFixture, mysqlFixture, q } from "../contract/mysql-harness.js";
import { createMysqlTestDatabase, mysqlAvailable, mysqlSkipReason } from "../helpers/mysql-database.js";

const available = await mysqlAvailable();
const suite = available ? "mysql poll capture" : `mysql poll capture [skipped: ${mysqlSkipReason()}]`;

describe.skipIf(!available)(suite, () => {
  let fx: MysqlFixture;
  let n = 0;
  const items = async (cursorDdl = "changed DATETIME(6) NULL"): Promise<string> => {
    const table = `items_${++n}`;
    await fx.app.query(`CREATE TABLE ${q(table)} (id INT PRIMARY KEY, name VARCHAR(20), ${cursorDdl})`);
    return table;
  };

  beforeAll(async () => {
    const db = await createMysqlTestDatabase("poll");
    if (!db) throw new Error(mysqlSkipReason());
    fx = await mysqlFixture(db, { capture: "poll", cursorColumn: "changed" });
  });
  afterAll(() => fx?.cleanup());

  it("tells rows with the same cursor value apart by key, across pages", async () => {
    const table = await items();
    const capture = captureOf(await fx.connect([{ name: table, key: "id", columns: ["id", "name"] }]));
    await capture.install();
    expect(await capture.isInstalled()).toBe(true);
    await fx.app.query(
      `INSERT INTO ${q(table)} VALUES (3, 'c', '2024-01-01 00:00:01'), (1, 'a', '2024-01-01 00:00:01'),
        (2, 'b', '2024-01-01 00:00:01'), (4, 'd', '2024-01-01 00:00:00'), (5, 'no time', NULL)`,
    );
    const { changes, pages } = await drain(capture, null, 2);
    expect(changes.map((c) => [c.key, c.row?.name, c.sourceTime])).toEqual([
      ["4", "d", "2024-01-01T00:00:00.000Z"],
      ["1", "a", "2024-01-01T00:00:01.000Z"],
      ["2", "b", "2024-01-01T00:00:01.000Z"],
      ["3", "c", "2024-01-01T00:00:01.000Z"],
    ]);
    expect(pages.every((p) => p.changes.length <= 2)).toBe(true);
    // A row that moves past the cursor comes again, with its new state; a delete goes unseen.
    await fx.app.query(`UPDATE ${q(table)} SET name = 'a2', changed = '2024-01-01 00:00:02' WHERE id = 1`);
    await fx.app.query(`DELETE FROM ${q(table)} WHERE id = 2`);
    const later = await drain(capture, pages.at(-1)?.cursor ?? null);
    expect(later.changes.map((c) => [c.op, c.key, c.row?.name])).toEqual([["upsert", "1", "a2"]]);
  });

  it("follows each table's own cursor column and reads the oldest change first across tables", async () => {
    const [late, early] = [await items(), await items()];
    const versioned = await items("version INT NULL");
    const resources = [late, early, versioned].map((name) => ({ name, key: "id", columns: ["id", "name"] }));
    await expect(captureOf(await fx.connect(resources)).install()).rejects.toThrow(
      `table "${versioned}" has no cursor column "changed"`,
    );
    const capture = captureOf(await fx.connect(resources, { cursorColumns: { [versioned]: "version" } }));
    await capture.install();
    const cursor = await capture.currentCursor();
    await fx.app.query(`INSERT INTO ${q(versioned)} VALUES (1, 'v1', 1)`);
    await fx.app.query(`INSERT INTO ${q(late)} VALUES (1, 'late', '2030-01-01 00:00:00')`);
    await fx.app.query(`INSERT INTO ${q(early)} VALUES (1, 'early', '2020-01-01 00:00:00')`);
    const { changes } = await drain(capture, cursor);
    // Times in time order; a version number cannot be compared with a time, so it comes after them.
    expect(changes.map((c) => c.resource)).toEqual([early, late, versioned]);
    expect(changes[2]?.sourceTime).toBeUndefined();
  });

  it("reports Concord's own writes back (the engine's shadow compare makes them no-ops)", async () => {
    const table = await items(
      "changed DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)",
    );
    const connector = await fx.connect([{ name: table, key: "id", columns: ["id", "name"] }]);
    const capture = captureOf(connector);
    await capture.install();
    const cursor = await capture.currentCursor();
    expect(await connector.writer?.write(table, [{ op: "insert", ref: "p1", row: { id: 9, name: "ours" } }])).toEqual([
      { ok: true, key: "9" },
    ]);
    expect((await drain(capture, cursor)).changes.map((c) => [c.key, c.row?.name])).toEqual([["9", "ours"]]);
    expect(await capture.teardown()).toEqual(["table _concord_created"]);
  });
});

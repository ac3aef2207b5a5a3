import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeCapture, Connector, ResourceSpec } from "../../src/connectors/connector.js";
import { connectors } from "../../src/connectors/registry.js";
import { mysqlConnector } from "../../src/connectors/mysql/index.js";
import { captureOf, drain } from "../contract/connector-harness.js";
import { type MysqlFixture, mysqlFixture, q } from "../contract/mysql-harness.js";
import {
  createMysqlTestDatabase,
  mysqlAvailable,
  mysqlConnectionOptions,
  mysqlSkipReason,
} from "../helpers/mysql-database.js";

const available = await mysqlAvailable();
const suite = available ? "mysql trigger capture" : `mysql trigger capture [skipped: ${mysqlSkipReason()}]`;

/** The error a promise rejects with, or undefined. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe.skipIf(!available)(suite, () => {
  let fx: MysqlFixture;
  let n = 0;
  /** A fresh contacts table and a connector (trigger capture) with capture installed. */
  const contacts = async (): Promise<{ table: string; connector: Connector; capture: ChangeCapture }> => {
    const table = `contacts_${++n}`;
    await fx.app.query(`CREATE TABLE ${q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))`);
    const connector = await fx.connect([{ name: table, key: "id", columns: ["id", "name"] }]);
    const capture = captureOf(connector);
    await capture.install();
    return { table, connector, capture };
  };

  beforeAll(async () => {
    const db = await createMysqlTestDatabase("trigger");
    if (!db) throw new Error(mysqlSkipReason());
    fx = await mysqlFixture(db);
  });
  afterAll(() => fx?.cleanup());

  it("is registered under its kind", () => {
    expect(connectors.get("mysql")).toBe(mysqlConnector);
  });

  it("reads a change whose transaction commits after a later one, exactly once", async () => {
    const { table, capture } = await contacts();
    const start = await capture.currentCursor();
    const slow = await mysql.createConnection(mysqlConnectionOptions(fx.db.database));
    const fast = await mysql.createConnection(mysqlConnectionOptions(fx.db.database));
    try {
      await slow.beginTransaction();
      await slow.query(`INSERT INTO ${q(table)} (name) VALUES ('slow')`); // takes the lower seq
      await fast.beginTransaction();
      await fast.query(`INSERT INTO ${q(table)} (name) VALUES ('fast')`);
      await fast.commit();
      const first = await capture.changes(start);
      expect(first.changes.map((c) => c.row?.name)).toEqual(["fast"]);
      expect(first.cursor).toMatch(/~/); // the slow one's seq is kept as a gap
      expect((await capture.changes(first.cursor)).changes).toEqual([]);
      await slow.commit();
      const second = await capture.changes(first.cursor);
      expect(second.changes.map((c) => c.row?.name)).toEqual(["slow"]);
      expect(second.cursor).toMatch(/^\d+$/); // nothing missing any more
      expect((await capture.changes(second.cursor)).changes).toEqual([]);
    } finally {
      await slow.end();
      await fast.end();
    }
  });

  it("a snapshot after currentCursor plus the changes after it miss nothing still uncommitted", async () => {
    const { table, capture, connector } = await contacts();
    const slow = await mysql.createConnection(mysqlConnectionOptions(fx.db.database));
    try {
      await slow.beginTransaction();
      await slow.query(`INSERT INTO ${q(table)} (name) VALUES ('slow')`);
      await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('committed')`);
      const cursor = await capture.currentCursor();
      const snapshot: unknown[] = [];
      for await (const rows of connector.reader?.snapshot(table) ?? []) snapshot.push(...rows.map((r) => r.name));
      expect(snapshot).toEqual(["committed"]);
      await slow.commit();
      expect((await drain(capture, cursor)).changes.map((c) => c.row?.name)).toEqual(["slow"]);
    } finally {
      await slow.end();
    }
  });

  it("goes past a rolled-back transaction's seq without waiting for it", async () => {
    const { table, capture } = await contacts();
    const start = await capture.currentCursor();
    const other = await mysql.createConnection(mysqlConnectionOptions(fx.db.database));
    try {
      await other.beginTransaction();
      await other.query(`INSERT INTO ${q(table)} (name) VALUES ('never')`);
      await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('a')`);
      await other.rollback();
      await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('b')`);
      const { changes, pages } = await drain(capture, start);
      expect(changes.map((c) => c.row?.name)).toEqual(["a", "b"]);
      expect(pages.at(-1)?.more).toBe(false);
    } finally {
      await other.end();
    }
  });

  it("skips Concord's writes to a table but captures what they set off in others", async () => {
    const audit = `audit_${++n}`;
    const table = `people_${n}`;
    await fx.app.query(`CREATE TABLE ${q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))`);
    await fx.app.query(`CREATE TABLE ${q(audit)} (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(80))`);
    await fx.app.query(
      `CREATE TRIGGER ${q(`app_${table}`)} AFTER INSERT ON ${q(table)} FOR EACH ROW
       INSERT INTO ${q(audit)} (what) VALUES (CONCAT('created ', NEW.name))`,
    );
    const connector = await fx.connect([
      { name: table, key: "id", columns: ["id", "name"] },
      { name: audit, key: "id", columns: ["id", "what"] },
    ]);
    const capture = captureOf(connector);
    await capture.install();
    const cursor = await capture.currentCursor();
    expect(await connector.writer?.write(table, [{ op: "insert", ref: "r1", row: { name: "ours" } }])).toEqual([
      { ok: true, key: "1" },
    ]);
    await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('theirs')`);
    const { changes } = await drain(capture, cursor);
    // The application's trigger was created first, so it runs (and logs) before Concord's.
    expect(changes.map((c) => [c.resource, c.op, c.key])).toEqual([
      [audit, "upsert", "1"],
      [audit, "upsert", "2"],
      [table, "upsert", "2"],
    ]);
    // The writer's connection went back to the pool unmarked: a write to the table through it is captured.
    const [[origin]] = await fx.app.query<mysql.RowDataPacket[]>("SELECT @concord_origin AS v");
    expect(origin?.["v"]).toBeNull();
  });

  it("replaces triggers that no longer fit the binding (its key changed)", async () => {
    const table = `keyed_${++n}`;
    await fx.app.query(`CREATE TABLE ${q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) UNIQUE)`);
    const byId = captureOf(await fx.connect([{ name: table, key: "id", columns: ["id", "code"] }]));
    await byId.install();
    const byCode = captureOf(await fx.connect([{ name: table, key: "code", columns: ["id", "code"] }]));
    expect(await byCode.isInstalled()).toBe(false);
    await byCode.install();
    expect(await byCode.isInstalled()).toBe(true);
    const cursor = await byCode.currentCursor();
    await fx.app.query(`INSERT INTO ${q(table)} (code) VALUES ('C-1')`);
    expect((await drain(byCode, cursor)).changes.map((c) => [c.op, c.key])).toEqual([["upsert", "C-1"]]);
  });

  it("acknowledge prunes the changelog below the cursor, and a cursor from before a reinstall is refused", async () => {
    // A database of its own: the changelog is per database.
    const db = await createMysqlTestDatabase("trigger_prune");
    if (!db) throw new Error(mysqlSkipReason());
    const own = await mysqlFixture(db);
    try {
      await own.app.query("CREATE TABLE contacts (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))");
      const capture = captureOf(await own.connect([{ name: "contacts", key: "id", columns: ["id", "name"] }]));
      await capture.install();
      for (const name of ["a", "b", "c"]) await own.app.query("INSERT INTO contacts (name) VALUES (?)", [name]);
      const logSize = async () => {
        const [[row]] = await own.app.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM _concord_changelog");
        return Number(row?.["n"]);
      };
      const first = await capture.changes(null, { limit: 2 });
      expect(first.cursor).toBe("2");
      await capture.acknowledge(first.cursor);
      expect(await logSize()).toBe(2); // the entry at the cursor stays: it tells how far the feed went
      // The pruned seq 1 may show as a gap for a minute: a gap that never fills costs a re-read, nothing more.
      expect(await capture.currentCursor()).toMatch(/^3(~|$)/);
      await capture.acknowledge("3");
      expect(await logSize()).toBe(1);
      expect(await capture.currentCursor()).toMatch(/^3(~|$)/);
      expect((await capture.changes("3")).changes).toEqual([]);
      await capture.teardown();
      await capture.install();
      const error = await rejection(capture.changes("3"));
      expect(error).toMatchObject({
        code: "connector",
        message: expect.stringContaining("ahead of the change feed") as string,
      });
    } finally {
      await own.cleanup();
    }
  });

  it("never breaks the application's writes of rows with a NULL key, and does not capture them", async () => {
    const table = `notes_${++n}`;
    await fx.app.query(
      `CREATE TABLE ${q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, ref VARCHAR(20) UNIQUE, body TEXT)`,
    );
    const capture = captureOf(await fx.connect([{ name: table, key: "ref", columns: ["ref", "body"] }]));
    await capture.install();
    const cursor = await capture.currentCursor();
    await fx.app.query(`INSERT INTO ${q(table)} (ref, body) VALUES (NULL, 'no key')`);
    await fx.app.query(`UPDATE ${q(table)} SET ref = 'n1' WHERE ref IS NULL`);
    await fx.app.query(`UPDATE ${q(table)} SET ref = NULL`);
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => [c.op, c.key])).toEqual([["delete", "n1"]]);
  });

  it("quotes odd names everywhere and shortens trigger names of long tables", async () => {
    const odd = "odd `table`";
    const long = `t${"x".repeat(60)}_${++n}`;
    await fx.app.query(`CREATE TABLE ${q(odd)} (${q("the key")} VARCHAR(20) PRIMARY KEY, ${q("it's")} TEXT)`);
    await fx.app.query(`CREATE TABLE ${q(long)} (id INT PRIMARY KEY)`);
    const resources: ResourceSpec[] = [
      { name: odd, key: "the key", columns: ["the key", "it's"] },
      { name: long, key: "id", columns: ["id"] },
    ];
    const connector = await fx.connect(resources);
    const capture = captureOf(connector);
    await capture.install();
    expect(await capture.isInstalled()).toBe(true);
    const cursor = await capture.currentCursor();
    await fx.app.query(`INSERT INTO ${q(odd)} VALUES ('k1', 'native')`);
    await fx.app.query(`INSERT INTO ${q(long)} VALUES (7)`);
    expect(
      await connector.writer?.write(odd, [{ op: "insert", ref: "odd-1", row: { "the key": "k2", "it's": "ours" } }]),
    ).toEqual([{ ok: true, key: "k2" }]);
    const { changes } = await drain(capture, cursor);
    expect(changes).toMatchObject([
      { resource: odd, op: "upsert", key: "k1", row: { "the key": "k1", "it's": "native" } },
      { resource: long, op: "upsert", key: "7" },
    ]);
    const removed = await capture.teardown();
    expect(removed.filter((r) => r.startsWith("trigger ")).every((r) => r.length <= "trigger ".length + 64)).toBe(true);
    expect(removed).toContain(`trigger _concord_${odd}_ins`);
    expect(removed).toContain("table _concord_changelog");
  });
});

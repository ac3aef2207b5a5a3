import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Connector, ResourceSpec } from "../../src/connectors/connector.js";
import { connectors } from "../../src/connectors/registry.js";
import { sqliteConnector } from "../../src/connectors/sqlite/index.js";
import { ConcordError } from "../../src/core/errors.js";
import { describeConnectorContract } from "./connector.case.js";
import { captureOf, drain } from "./connector-harness.js";
import { q, type SqliteFixture, sqliteFixture, sqliteHarness } from "./sqlite-harness.js";

describeConnectorContract("sqlite", sqliteHarness);

/** The error a promise rejects with, or undefined. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("sqlite connector", () => {
  let fx: SqliteFixture | undefined;
  const fixture = (ddl: string): SqliteFixture => {
    fx = sqliteFixture();
    fx.app.exec(ddl);
    return fx;
  };
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });
  const contacts: ResourceSpec = { name: "contacts", key: "id", columns: ["id", "name"] };
  const CONTACTS_DDL = "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)";

  it("is registered under its kind", () => {
    expect(connectors.get("sqlite")).toBe(sqliteConnector);
  });

  it("takes a path, defaults capture to trigger and refuses unknown options", () => {
    expect(sqliteConnector.optionsSchema.parse({ path: "a.db" })).toEqual({ path: "a.db", capture: "trigger" });
    expect(sqliteConnector.optionsSchema.safeParse({ path: "a.db", create: true }).success).toBe(false);
    expect(sqliteConnector.optionsSchema.safeParse({ path: "a.db", capture: "poll" }).success).toBe(false);
  });

  it("refuses a missing file, naming the system and the path, and does not create it", async () => {
    fx = sqliteFixture();
    const options = sqliteConnector.optionsSchema.parse({ path: "data/typo.db" });
    const connector = sqliteConnector.create(options, { system: "shop", baseDir: fx.dir, resources: [] });
    const error = await rejection(connector.open());
    expect(error).toBeInstanceOf(ConcordError);
    expect(error).toMatchObject({ code: "connector", retryable: false });
    expect((error as Error).message).toContain('"shop"');
    expect((error as Error).message).toContain(join(fx.dir, "data/typo.db"));
    expect(existsSync(join(fx.dir, "data/typo.db"))).toBe(false);
  });

  it("refuses a file that is not a database", async () => {
    fx = sqliteFixture();
    const options = sqliteConnector.optionsSchema.parse({ path: "notes.txt" });
    writeFileSync(
      join(fx.dir, "notes.txt"),
      "not a database, just some text that is long enough to matter\n".repeat(20),
    );
    const connector = sqliteConnector.create(options, { system: "shop", baseDir: fx.dir, resources: [] });
    expect((await rejection(connector.open())) as Error).toMatchObject({
      code: "connector",
      message: expect.stringContaining("notes.txt") as string,
    });
  });

  it("opens the database in WAL mode", async () => {
    const { app, connect, file } = fixture(CONTACTS_DDL);
    app.pragma("journal_mode = DELETE");
    await connect([contacts]);
    const other = new Database(file);
    expect(other.pragma("journal_mode", { simple: true })).toBe("wal");
    other.close();
  });

  it("waits for a writer that finishes within busy_timeout", async () => {
    const { file, connect } = fixture(CONTACTS_DDL);
    const connector = await connect([contacts]);
    const script = `const db = require("better-sqlite3")(${JSON.stringify(file)});
      db.exec("BEGIN IMMEDIATE"); db.exec("INSERT INTO contacts (name) VALUES ('theirs')");
      console.log("locked"); setTimeout(() => { db.exec("COMMIT"); db.close(); }, 400);`;
    const child = spawn(process.execPath, ["-e", script], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    const results = await connector.writer?.write("contacts", [{ op: "insert", ref: "r", row: { name: "ours" } }]);
    expect(results?.[0]?.ok).toBe(true);
    await new Promise((resolve) => child.once("exit", resolve));
    expect(fx?.app.prepare("SELECT count(*) FROM contacts").pluck().get()).toBe(2);
  });

  it("fails with a retryable error while another connection keeps the write lock past busy_timeout", async () => {
    const { file, connect } = fixture(CONTACTS_DDL);
    const connector = await connect([contacts]);
    const locker = new Database(file);
    locker.exec("BEGIN IMMEDIATE");
    try {
      const error = await rejection(
        connector.writer?.write("contacts", [{ op: "insert", ref: "r", row: { name: "x" } }]) ?? Promise.resolve(),
      );
      expect(error).toBeInstanceOf(ConcordError);
      expect(error).toMatchObject({ code: "connector", retryable: true });
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
  });

  it("captures what Concord's writes cascade to other tables, but not the writes themselves", async () => {
    const { app, connect } = fixture(
      `${CONTACTS_DDL}; CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT,
         contact_id INTEGER REFERENCES contacts (id) ON DELETE CASCADE)`,
    );
    const notes = { name: "notes", key: "id", columns: ["id", "body", "contact_id"] };
    const connector = await connect([contacts, notes]);
    const capture = captureOf(connector);
    await capture.install();
    app.exec(
      "INSERT INTO contacts (id, name) VALUES (1, 'a'); INSERT INTO notes (id, body, contact_id) VALUES (10, 'n', 1)",
    );
    const cursor = await capture.currentCursor();
    expect(await connector.writer?.write("contacts", [{ op: "delete", key: "1" }])).toEqual([{ ok: true, key: "1" }]);
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => [c.resource, c.op, c.key])).toEqual([["notes", "delete", "10"]]);
  });

  it("stores booleans as 1/0, objects and arrays as JSON, dates as ISO text", async () => {
    const { app, connect } = fixture(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, flag INTEGER, doc TEXT, tags TEXT, at TEXT)",
    );
    const connector = await connect([{ name: "t", key: "id", columns: ["id", "flag", "doc", "tags", "at"] }]);
    const at = new Date("2024-05-06T07:08:09.010Z");
    const row = { flag: true, doc: { a: 1 }, tags: ["x", "y"], at };
    const results = await connector.writer?.write("t", [{ op: "insert", ref: "v", row }]);
    expect(results?.[0]?.ok).toBe(true);
    expect(app.prepare("SELECT flag, doc, tags, at FROM t").get()).toEqual({
      flag: 1,
      doc: '{"a":1}',
      tags: '["x","y"]',
      at: "2024-05-06T07:08:09.010Z",
    });
  });

  it("acknowledge prunes the changelog up to the cursor, and a cursor from before a reinstall is refused", async () => {
    const { app, connect } = fixture(CONTACTS_DDL);
    const capture = captureOf(await connect([contacts]));
    await capture.install();
    const insert = app.prepare("INSERT INTO contacts (name) VALUES (?)");
    for (const name of ["a", "b", "c"]) insert.run(name);
    const first = await capture.changes(null, { limit: 2 });
    const logSize = () => app.prepare("SELECT count(*) FROM _concord_changelog").pluck().get();
    expect(logSize()).toBe(3);
    await capture.acknowledge(first.cursor);
    expect(logSize()).toBe(1);
    expect(await capture.currentCursor()).toBe("3");
    await capture.acknowledge("3");
    expect(logSize()).toBe(0);
    expect(await capture.currentCursor()).toBe("3");
    await capture.teardown();
    await capture.install();
    const error = await rejection(capture.changes("3"));
    expect(error).toMatchObject({
      code: "connector",
      message: expect.stringContaining("ahead of the change feed") as string,
    });
  });

  it("never breaks the application's writes of rows with a NULL key, and does not capture them", async () => {
    const { app, connect } = fixture("CREATE TABLE notes (ref TEXT UNIQUE, body TEXT)");
    const capture = captureOf(await connect([{ name: "notes", key: "ref", columns: ["ref", "body"] }]));
    await capture.install();
    app.prepare("INSERT INTO notes (ref, body) VALUES (NULL, 'no key')").run();
    app.prepare("UPDATE notes SET ref = 'n1' WHERE ref IS NULL").run();
    app.prepare("UPDATE notes SET ref = NULL").run();
    const { changes } = await drain(capture, null);
    expect(changes.map((c) => [c.op, c.key])).toEqual([["delete", "n1"]]);
  });

  it("addresses untyped key columns and WITHOUT ROWID tables by key", async () => {
    const { app, connect } = fixture(
      "CREATE TABLE loose (id, name); CREATE TABLE tight (id INTEGER PRIMARY KEY, name TEXT) WITHOUT ROWID",
    );
    const loose = { name: "loose", key: "id", columns: ["id", "name"] };
    const tight = { name: "tight", key: "id", columns: ["id", "name"] };
    const connector = await connect([loose, tight]);
    const capture = captureOf(connector);
    await capture.install();
    app.exec("INSERT INTO loose VALUES (7, 'seven'); INSERT INTO tight VALUES (3, 'c'), (1, 'a'), (2, 'b')");
    const { changes } = await drain(capture, null);
    expect(changes.map((c) => [c.resource, c.op, c.key, c.row?.name])).toEqual([
      ["loose", "upsert", "7", "seven"],
      ["tight", "upsert", "3", "c"],
      ["tight", "upsert", "1", "a"],
      ["tight", "upsert", "2", "b"],
    ]);
    expect(await connector.writer?.write("loose", [{ op: "update", key: "7", row: { name: "SEVEN" } }])).toEqual([
      { ok: true, key: "7" },
    ]);
    const batches: unknown[][] = [];
    for await (const batch of connector.reader?.snapshot("tight", { batchSize: 2 }) ?? [])
      batches.push(batch.map((r) => r.id));
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("quotes odd table and column names everywhere", async () => {
    const table = 'odd "table"';
    const { app, connect } = fixture(`CREATE TABLE ${q(table)} (${q("the key")} TEXT PRIMARY KEY, ${q("it's")} TEXT)`);
    const connector: Connector = await connect([{ name: table, key: "the key", columns: ["the key", "it's"] }]);
    const capture = captureOf(connector);
    await capture.install();
    app.prepare(`INSERT INTO ${q(table)} VALUES ('k1', 'native')`).run();
    expect(
      await connector.writer?.write(table, [{ op: "insert", ref: "o", row: { "the key": "k2", "it's": "ours" } }]),
    ).toEqual([{ ok: true, key: "k2" }]);
    const { changes } = await drain(capture, null);
    expect(changes).toMatchObject([
      { resource: table, op: "upsert", key: "k1", row: { "the key": "k1", "it's": "native" } },
    ]);
    expect(await capture.teardown()).toEqual([
      `trigger _concord_${table}_del`,
      `trigger _concord_${table}_ins`,
      `trigger _concord_${table}_upd`,
      "table _concord_changelog",
      "table _concord_echo_guard",
      "table _concord_created",
    ]);
  });
});

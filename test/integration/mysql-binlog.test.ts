import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceSpec } from "../../src/connectors/connector.js";
import { binlogSettingProblems } from "../../src/connectors/mysql/mysql-binlog-capture.js";
import { captureOf, drain } from "../contract/connector-harness.js";
import { type MysqlFixture, mysqlFixture, q } from "../contract/mysql-harness.js";
import {
  binlogUnavailable,
  createMysqlTestDatabase,
  mysqlAvailable,
  mysqlSkipReason,
  servicesRequired,
} from "../helpers/mysql-database.js";

const available = await mysqlAvailable();
const unavailable = available ? await binlogUnavailable() : mysqlSkipReason();
if (unavailable !== undefined && available && servicesRequired) {
  throw new Error(`CONCORD_REQUIRE_SERVICES=1 but ${unavailable}`);
}
const suite = unavailable === undefined ? "mysql binlog capture" : `mysql binlog capture [skipped: ${unavailable}]`;

/** The error a promise rejects with, or undefined. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("binlog server settings", () => {
  it("names every setting that is wrong, with what it must be", () => {
    const problems = binlogSettingProblems(
      new Map([
        ["log_bin", "OFF"],
        ["binlog_format", "MIXED"],
        ["binlog_row_image", "FULL"],
      ]),
    );
    expect(problems).toEqual([
      expect.stringContaining("log_bin is OFF, binlog capture needs ON"),
      expect.stringContaining("binlog_format is MIXED, binlog capture needs ROW"),
    ]);
    expect(
      binlogSettingProblems(
        new Map([
          ["log_bin", "ON"],
          ["binlog_format", "ROW"],
          ["binlog_row_image", "FULL"],
        ]),
      ),
    ).toEqual([]);
  });
});

describe.skipIf(unavailable !== undefined)(suite, () => {
  let fx: MysqlFixture;
  let n = 0;
  const people = async (): Promise<{ table: string; resources: ResourceSpec[] }> => {
    const table = `people_${++n}`;
    await fx.app.query(`CREATE TABLE ${q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))`);
    return { table, resources: [{ name: table, key: "id", columns: ["id", "name"] }] };
  };

  beforeAll(async () => {
    const db = await createMysqlTestDatabase("binlog");
    if (!db) throw new Error(mysqlSkipReason());
    fx = await mysqlFixture(db, { capture: "binlog" });
  });
  afterAll(() => fx?.cleanup());

  it("reads on reopen the changes made while the connector was closed, across binlog files", async () => {
    const { table, resources } = await people();
    const first = await fx.connect(resources);
    await captureOf(first).install();
    await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('before')`);
    const cursor = await captureOf(first).currentCursor();
    await first.close();
    await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('a'), ('b')`);
    await fx.app.query("FLUSH BINARY LOGS"); // the log moves on to a new file meanwhile
    await fx.app.query(`UPDATE ${q(table)} SET name = 'a2' WHERE name = 'a'`);
    await fx.app.query(`DELETE FROM ${q(table)} WHERE name = 'b'`);
    const again = captureOf(await fx.connect(resources));
    expect(await again.isInstalled()).toBe(true);
    const { changes, cursor: end } = await drain(again, cursor);
    expect(changes.map((c) => [c.op, c.key, c.row?.name])).toEqual([
      ["upsert", "2", "a2"],
      ["delete", "3", undefined],
    ]);
    // The binary log is the server's: other databases' writes move its end on meanwhile.
    expect(end.split(":")[0]).not.toBe(cursor.split(":")[0]);
  });

  it("skips Concord's own writes to a table, but not what they set off in other tables", async () => {
    const { table, resources } = await people();
    const audit = `audit_${n}`;
    await fx.app.query(`CREATE TABLE ${q(audit)} (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(80))`);
    await fx.app.query(
      `CREATE TRIGGER ${q(`app_${table}`)} AFTER UPDATE ON ${q(table)} FOR EACH ROW
       INSERT INTO ${q(audit)} (what) VALUES (CONCAT('renamed ', NEW.name))`,
    );
    const connector = await fx.connect([...resources, { name: audit, key: "id", columns: ["id", "what"] }]);
    const capture = captureOf(connector);
    await capture.install();
    const [seed] = (await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('seed')`)) as unknown as [
      { insertId: number },
    ];
    const cursor = await capture.currentCursor();
    const results = await connector.writer?.write(table, [
      { op: "insert", ref: "b1", row: { name: "ours" } },
      { op: "update", key: String(seed.insertId), row: { name: "renamed by us" } },
    ]);
    expect(results?.every((r) => r.ok)).toBe(true);
    await fx.app.query(`INSERT INTO ${q(table)} (name) VALUES ('theirs')`);
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => [c.resource, c.op, c.row?.name ?? c.row?.what])).toEqual([
      [audit, "upsert", "renamed renamed by us"],
      [table, "upsert", "theirs"],
    ]);
  });

  it("refuses cursors into purged or future binary logs, naming them", async () => {
    const { resources } = await people();
    const capture = captureOf(await fx.connect(resources));
    await capture.install();
    const [file] = (await capture.currentCursor()).split(":");
    const stem = file?.replace(/\d+$/, "") ?? "";
    const purged = `${stem}000000:4`;
    const ahead = `${file}:999999999`;
    expect(await rejection(capture.changes(purged))).toMatchObject({
      code: "connector",
      message: expect.stringMatching(new RegExp(`"${purged}".*purged`)) as string,
    });
    expect(await rejection(capture.acknowledge(ahead))).toMatchObject({
      code: "connector",
      message: expect.stringMatching(new RegExp(`"${ahead}".*ahead of the binary log`)) as string,
    });
  });

  it("refuses to install on a server whose binary log lacks what capture needs, naming the setting", async () => {
    const { resources } = await people();
    const capture = captureOf(await fx.connect(resources));
    await capture.teardown(); // what earlier tests installed in this database
    // Global for a moment: sessions opened meanwhile log only changed columns, which the reader still copes with.
    await fx.app.query("SET GLOBAL binlog_row_image = 'MINIMAL'");
    let error: unknown;
    try {
      error = await rejection(capture.install());
    } finally {
      await fx.app.query("SET GLOBAL binlog_row_image = 'FULL'");
    }
    expect(error).toMatchObject({
      code: "connector",
      message: expect.stringContaining("binlog_row_image is MINIMAL, binlog capture needs FULL") as string,
    });
    expect(await capture.isInstalled()).toBe(false);
  });
});

import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Connector } from "../../src/connectors/connector.js";
import type { NativeRow } from "../../src/core/types.js";
import { captureOf, drain } from "../contract/connector-harness.js";
import { type MysqlFixture, mysqlFixture, q } from "../contract/mysql-harness.js";
import { createMysqlTestDatabase, mysqlAvailable, mysqlSkipReason } from "../helpers/mysql-database.js";

const available = await mysqlAvailable();
const suite = available ? "mysql values" : `mysql values [skipped: ${mysqlSkipReason()}]`;

const COLUMNS = ["id", "amount", "day", "at", "stamp", "doc", "flag"];

async function snapshotOf(connector: Connector, table: string): Promise<NativeRow[]> {
  const rows: NativeRow[] = [];
  for await (const batch of connector.reader?.snapshot(table) ?? []) rows.push(...batch);
  return rows;
}

describe.skipIf(!available)(suite, () => {
  let fx: MysqlFixture;
  let n = 0;
  /** A fresh table of every type and a connector on it in the given zone. */
  const setup = async (timezone = "Z"): Promise<{ table: string; connector: Connector }> => {
    const table = `vals_${++n}`;
    await fx.app.query(
      `CREATE TABLE ${q(table)} (id INT AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(20,4), day DATE,
        at DATETIME(3), stamp TIMESTAMP(3) NULL, doc JSON, flag BOOLEAN)`,
    );
    const connector = await fx.connect([{ name: table, key: "id", columns: COLUMNS }], { timezone });
    return { table, connector };
  };
  /** Column values as the server prints them (in UTC), whatever the driver would make of them. */
  const stored = async (table: string, id: string): Promise<Record<string, unknown>> => {
    const [[row]] = await fx.app.query<mysql.RowDataPacket[]>(
      `SELECT CAST(amount AS CHAR) AS amount, CAST(day AS CHAR) AS day, CAST(at AS CHAR) AS at,
         CAST(stamp AS CHAR) AS stamp, CAST(doc AS CHAR) AS doc, flag FROM ${q(table)} WHERE id = ?`,
      [id],
    );
    return { ...row };
  };

  beforeAll(async () => {
    const db = await createMysqlTestDatabase("types");
    if (!db) throw new Error(mysqlSkipReason());
    fx = await mysqlFixture(db);
    await fx.app.query("SET time_zone = '+00:00'");
  });
  afterAll(() => fx?.cleanup());

  it("round-trips DECIMAL(20,4) exactly, as strings", async () => {
    const { table, connector } = await setup();
    const amounts = ["12345678901234.5678", "-0.0001", "9999999999999999.9999"];
    const results = await connector.writer?.write(
      table,
      amounts.map((amount, i) => ({ op: "insert", ref: `d${i}`, row: { amount } })),
    );
    const keys = results?.map((r) => (r.ok ? r.key : "")) ?? [];
    for (const [i, key] of keys.entries()) expect((await stored(table, key)).amount).toBe(amounts[i]);
    expect((await snapshotOf(connector, table)).map((r) => r.amount)).toEqual(amounts);
    const capture = captureOf(connector);
    await capture.install();
    const cursor = await capture.currentCursor();
    await fx.app.query(`UPDATE ${q(table)} SET amount = amount + 0.0001 WHERE id = ?`, [keys[0]]);
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => c.row?.amount)).toEqual(["12345678901234.5679"]);
  });

  it("reads and writes DATE as 'YYYY-MM-DD' text, never moved by a zone", async () => {
    for (const timezone of ["Z", "+14:00", "-12:00"]) {
      const { table, connector } = await setup(timezone);
      const [result] =
        (await connector.writer?.write(table, [{ op: "insert", ref: "day", row: { day: "2024-02-29" } }])) ?? [];
      const key = result?.ok ? result.key : "";
      expect((await stored(table, key)).day, timezone).toBe("2024-02-29");
      expect((await snapshotOf(connector, table))[0]?.day, timezone).toBe("2024-02-29");
    }
  });

  it("writes DATETIME and TIMESTAMP in UTC by default, and reads them back as the same instants", async () => {
    const { table, connector } = await setup();
    const instant = "2024-05-06T07:08:09.010Z";
    const [result] =
      (await connector.writer?.write(table, [
        { op: "insert", ref: "t", row: { at: instant, stamp: new Date(instant) } },
      ])) ?? [];
    const key = result?.ok ? result.key : "";
    expect(await stored(table, key)).toMatchObject({ at: "2024-05-06 07:08:09.010", stamp: "2024-05-06 07:08:09.010" });
    const [row] = await snapshotOf(connector, table);
    expect(row?.at).toEqual(new Date(instant));
    expect(row?.stamp).toEqual(new Date(instant));
  });

  it("with timezone +02:00, DATETIME holds wall-clock time there while TIMESTAMP stays an instant", async () => {
    const { table, connector } = await setup("+02:00");
    const instant = "2024-05-06T07:08:09.010Z";
    const [result] =
      (await connector.writer?.write(table, [{ op: "insert", ref: "t", row: { at: instant, stamp: instant } }])) ?? [];
    const key = result?.ok ? result.key : "";
    // The server prints TIMESTAMP in the reading session's zone (UTC here): the instant did not move.
    expect(await stored(table, key)).toMatchObject({ at: "2024-05-06 09:08:09.010", stamp: "2024-05-06 07:08:09.010" });
    await fx.app.query(`INSERT INTO ${q(table)} (at) VALUES ('2024-01-01 12:00:00')`);
    const rows = await snapshotOf(connector, table);
    expect(rows.map((r) => (r.at as Date).toISOString())).toEqual([instant, "2024-01-01T10:00:00.000Z"]);
    expect(rows[0]?.stamp).toEqual(new Date(instant));
  });

  it("stores objects as JSON and booleans as 1/0", async () => {
    const { table, connector } = await setup();
    const [result] =
      (await connector.writer?.write(table, [
        { op: "insert", ref: "j", row: { doc: { a: 1, b: ["x"] }, flag: true } },
      ])) ?? [];
    const key = result?.ok ? result.key : "";
    const row = await stored(table, key);
    expect(JSON.parse(String(row.doc))).toEqual({ a: 1, b: ["x"] });
    expect(row.flag).toBe(1);
  });
});

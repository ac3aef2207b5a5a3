import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Connector, ResourceSpec } from "../../src/connectors/connector.js";
import type { NativeRow } from "../../src/core/types.js";
import { captureOf, drain } from "../contract/connector-harness.js";
import { type PostgresFixture, postgresFixture } from "../contract/postgres-harness.js";
import { postgresSkipReason } from "../helpers/postgres-database.js";

const fx = await postgresFixture("values");
const suite = fx ? "postgres values" : `postgres values [skipped: ${postgresSkipReason()}]`;

const items: ResourceSpec = {
  name: "items",
  key: "id",
  columns: ["id", "amount", "day", "at", "plain", "doc", "tags"],
};

describe.skipIf(!fx)(suite, () => {
  let db: PostgresFixture;
  let connector: Connector;
  const zone = process.env["TZ"];

  /** Writes one row through Concord and answers it as a snapshot reads it. */
  const roundTrip = async (id: string, row: NativeRow): Promise<NativeRow | undefined> => {
    const [result] = (await connector.writer?.write("items", [{ op: "insert", ref: id, row: { id, ...row } }])) ?? [];
    expect(result).toEqual({ ok: true, key: id });
    for await (const batch of connector.reader?.snapshot("items") ?? []) {
      const found = batch.find((r) => r["id"] === id);
      if (found) return found;
    }
    return undefined;
  };

  beforeAll(async () => {
    if (!fx) throw new Error(postgresSkipReason());
    db = fx;
    await db.sql(`CREATE TABLE items (id text PRIMARY KEY, amount numeric(20, 4), day date, at timestamptz,
      plain timestamp, doc jsonb, tags text[])`);
    connector = await db.connect([items]);
    await captureOf(connector).install();
  });
  afterEach(() => {
    if (zone === undefined) delete process.env["TZ"];
    else process.env["TZ"] = zone;
  });
  afterAll(() => fx?.cleanup());

  it("keeps NUMERIC(20,4) exact, beyond what a double holds, written and read and captured", async () => {
    const amount = "1234567890123456.1234";
    expect(String(Number(amount))).not.toBe(amount);
    expect(await roundTrip("n1", { amount })).toMatchObject({ amount });
    const capture = captureOf(connector);
    const cursor = await capture.currentCursor();
    await db.sql("UPDATE items SET amount = amount + 0.0001 WHERE id = 'n1'");
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => c.row?.["amount"])).toEqual(["1234567890123456.1235"]);
  });

  it("reads and writes dates as YYYY-MM-DD whatever the host's time zone", async () => {
    process.env["TZ"] = "Pacific/Kiritimati"; // UTC+14: a local midnight is the previous day in UTC
    expect(await roundTrip("d1", { day: "2024-02-29" })).toMatchObject({ day: "2024-02-29" });
    process.env["TZ"] = "America/Los_Angeles";
    expect(await roundTrip("d2", { day: new Date("2024-03-01T00:00:00Z") })).toMatchObject({ day: "2024-03-01" });
    expect(
      (await db.sql("SELECT day::text AS day FROM items WHERE id IN ('d1', 'd2') ORDER BY id")).map((r) => r["day"]),
    ).toEqual(["2024-02-29", "2024-03-01"]);
  });

  it("keeps the instant of a timestamptz, and the wall time of a timestamp", async () => {
    process.env["TZ"] = "Asia/Kolkata";
    const row = await roundTrip("t1", { at: "2024-05-06T07:08:09.010Z", plain: "2024-05-06T07:08:09.010Z" });
    expect(row?.["at"]).toEqual(new Date("2024-05-06T07:08:09.010Z"));
    expect(row?.["plain"]).toBe("2024-05-06 07:08:09.01");
    const capture = captureOf(connector);
    const cursor = await capture.currentCursor();
    await db.sql("UPDATE items SET at = '2024-05-06 11:08:09.010+04' WHERE id = 't1'");
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => c.row?.["at"])).toEqual([new Date("2024-05-06T07:08:09.010Z")]);
  });

  it("writes objects, arrays and JSON text into jsonb, and reads them back parsed", async () => {
    const doc = { a: 1, b: [true, null], c: { d: "x" } };
    expect(await roundTrip("j1", { doc })).toMatchObject({ doc });
    expect(await roundTrip("j2", { doc: ["x", 2] })).toMatchObject({ doc: ["x", 2] });
    expect(await roundTrip("j3", { doc: '{"e": 2}' })).toMatchObject({ doc: { e: 2 } });
    expect(await roundTrip("j4", { tags: ["red", "green"] })).toMatchObject({ tags: ["red", "green"] });
  });

  it("writes typed values of several rows in one statement", async () => {
    const rows = [
      { id: "m1", amount: "0.0001", day: "2024-01-31", doc: { n: 1 }, tags: ["a"] },
      { id: "m2", amount: 12, day: "2024-12-01", doc: [1, 2], at: "2024-01-01T00:00:00.000Z" },
      { id: "m3", doc: "null", plain: "2024-06-30 23:59:59" },
    ];
    const results = await connector.writer?.write(
      "items",
      rows.map((row) => ({ op: "insert" as const, ref: row.id, row })),
    );
    expect(results).toEqual(rows.map((r) => ({ ok: true, key: r.id })));
    const stored = await db.sql(
      "SELECT id, amount::text, day::text, doc, tags, at, plain::text FROM items WHERE id LIKE 'm%' ORDER BY id",
    );
    expect(stored).toEqual([
      { id: "m1", amount: "0.0001", day: "2024-01-31", doc: { n: 1 }, tags: ["a"], at: null, plain: null },
      {
        id: "m2",
        amount: "12.0000",
        day: "2024-12-01",
        doc: [1, 2],
        tags: null,
        at: new Date(Date.UTC(2024, 0, 1)),
        plain: null,
      },
      { id: "m3", amount: null, day: null, doc: null, tags: null, at: null, plain: "2024-06-30 23:59:59" },
    ]);
  });

  it("fails only the op whose value the column refuses", async () => {
    const results = await connector.writer?.write("items", [
      { op: "insert", ref: "bad", row: { id: "bad", amount: "not a number" } },
      { op: "insert", ref: "ok", row: { id: "ok", amount: "1.5" } },
    ]);
    expect(results?.map((r) => r.ok)).toEqual([false, true]);
    expect((await db.sql("SELECT amount FROM items WHERE id IN ('bad', 'ok')")).map((r) => r["amount"])).toEqual([
      "1.5000",
    ]);
  });
});

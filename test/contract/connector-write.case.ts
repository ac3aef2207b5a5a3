import { expect } from "vitest";
import type { Connector, Introspector, RecordWriter, WriteResult } from "../../src/connectors/connector.js";
import type { NativeRow } from "../../src/core/types.js";
import { type ContractContext, contactsTable, productsTable } from "./connector-harness.js";

function writerOf(connector: Connector): RecordWriter {
  expect(connector.writer, "the connector offers writes").toBeDefined();
  return connector.writer as RecordWriter;
}

function introspectorOf(connector: Connector): Introspector {
  expect(connector.introspector, "the connector offers introspection").toBeDefined();
  return connector.introspector as Introspector;
}

function keyOf(result: WriteResult | undefined): string {
  expect(result, "a result per op").toBeDefined();
  if (!result?.ok) throw new Error(`the write failed: ${result?.error}`);
  return result.key;
}

function byKey(rows: readonly NativeRow[], key: string): Map<string, NativeRow> {
  return new Map(rows.map((r) => [String(r[key]), r]));
}

const MISSING = "987654";

/** Writes, created-markers and introspection. */
export function writeCases({ harness, setup, fresh, test }: ContractContext): void {
  test("write-insert", "an insert answers the generated (or given) key, and the row is there", async () => {
    const contacts = contactsTable(fresh("ins"));
    const products = productsTable(fresh("insp"));
    const writer = writerOf(await setup(contacts, products));
    const results = await writer.write(contacts.name, [
      { op: "insert", ref: "ins-1", row: { email: "w1@example.com", name: "W1", age: 30 } },
      { op: "insert", ref: "ins-2", row: { email: "w2@example.com", name: "W2", age: 31 } },
    ]);
    const [k1, k2] = [keyOf(results[0]), keyOf(results[1])];
    expect(k1).not.toBe(k2);
    const rows = byKey(await harness().rows(contacts), "id");
    expect(rows.get(k1)).toMatchObject({ email: "w1@example.com", name: "W1", age: 30 });
    expect(rows.get(k2)).toMatchObject({ email: "w2@example.com", name: "W2", age: 31 });
    const [product] = await writer.write(products.name, [
      { op: "insert", ref: "ins-3", row: { code: "P1", title: "Pen" } },
    ]);
    expect(product).toEqual({ ok: true, key: "P1" });
    expect(await harness().rows(products)).toMatchObject([{ code: "P1", title: "Pen" }]);
  });

  test("write-update-delete", "updates and deletes by key change the rows", async () => {
    const table = contactsTable(fresh("upd"));
    const writer = writerOf(await setup(table));
    const [a = "", b = ""] = await harness().insert(table, [
      { email: "a@example.com", name: "A", age: 40 },
      { email: "b@example.com", name: "B", age: 50 },
    ]);
    const results = await writer.write(table.name, [
      { op: "update", key: a, row: { name: "A2", age: 41 } },
      { op: "delete", key: b },
    ]);
    expect(results).toEqual([
      { ok: true, key: a },
      { ok: true, key: b },
    ]);
    const rows = await harness().rows(table);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: "a@example.com", name: "A2", age: 41 });
  });

  test(
    "write-not-found",
    "updates and deletes of a missing key answer notFound without failing the others",
    async () => {
      const table = contactsTable(fresh("nf"));
      const writer = writerOf(await setup(table));
      const [a = ""] = await harness().insert(table, [{ email: "a@example.com", name: "A", age: 1 }]);
      const results = await writer.write(table.name, [
        { op: "update", key: MISSING, row: { name: "nobody" } },
        { op: "delete", key: MISSING },
        { op: "update", key: a, row: { name: "A3" } },
      ]);
      for (const result of results.slice(0, 2)) {
        expect(result).toMatchObject({ ok: false, notFound: true, retryable: false });
      }
      expect(results[2]).toEqual({ ok: true, key: a });
      expect(await harness().rows(table)).toMatchObject([{ name: "A3" }]);
    },
  );

  test("write-constraint", "a constraint violation fails only its own op", async () => {
    const table = contactsTable(fresh("uniq"));
    const writer = writerOf(await setup(table));
    await harness().insert(table, [{ email: "taken@example.com", name: "T", age: 1 }]);
    const results = await writer.write(table.name, [
      { op: "insert", ref: "c-1", row: { email: "c1@example.com", name: "C1", age: 2 } },
      { op: "insert", ref: "c-2", row: { email: "taken@example.com", name: "C2", age: 3 } },
      { op: "insert", ref: "c-3", row: { email: "c3@example.com", name: "C3", age: 4 } },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const failed = results[1];
    if (failed?.ok !== false) throw new Error("the duplicate was accepted");
    expect(failed.retryable).toBe(false);
    expect(failed.notFound ?? false).toBe(false);
    expect(failed.error.length).toBeGreaterThan(0);
    const emails = (await harness().rows(table)).map((r) => r.email);
    expect(emails.sort()).toEqual(["c1@example.com", "c3@example.com", "taken@example.com"]);
  });

  test("find-created", "findCreated answers the keys of records inserted with the given refs", async () => {
    const table = contactsTable(fresh("refs"));
    const writer = writerOf(await setup(table));
    expect("findCreated" in writer, "the writer offers findCreated").toBe(true);
    const results = await writer.write(table.name, [
      { op: "insert", ref: `${table.name}-r1`, row: { email: "r1@example.com", name: "R1", age: 1 } },
      { op: "insert", ref: `${table.name}-r2`, row: { email: "r2@example.com", name: "R2", age: 2 } },
    ]);
    const found = await writer.findCreated?.(table.name, [`${table.name}-r1`, `${table.name}-r2`, "never-written"]);
    expect(found).toEqual(
      new Map([
        [`${table.name}-r1`, keyOf(results[0])],
        [`${table.name}-r2`, keyOf(results[1])],
      ]),
    );
    // A record deleted since (by its application) is no longer reported: its golden record may
    // rightly be created again, and must not be acknowledged as a row that is gone.
    await harness().delete(table, keyOf(results[0]));
    expect(await writer.findCreated?.(table.name, [`${table.name}-r1`, `${table.name}-r2`])).toEqual(
      new Map([[`${table.name}-r2`, keyOf(results[1])]]),
    );
  });

  test("introspect", "describe lists a table's columns and answers undefined for a missing table", async () => {
    const table = productsTable(fresh("intro"));
    const introspector = introspectorOf(await setup(table));
    const described = await introspector.describe(table.name);
    const columns = new Map(described?.columns.map((c) => [c.name, c]));
    expect([...columns.keys()].sort()).toEqual(["active", "code", "launched", "price", "title"]);
    for (const column of columns.values()) expect(column.type.length, column.name).toBeGreaterThan(0);
    expect(columns.get("code")?.nullable).toBe(false);
    expect(columns.get("title")?.nullable).toBe(true);
    expect(await introspector.describe(fresh("missing"))).toBeUndefined();
  });
}

import { expect } from "vitest";
import type { Connector, SnapshotReader } from "../../src/connectors/connector.js";
import { ConcordError } from "../../src/core/errors.js";
import type { NativeRow } from "../../src/core/types.js";
import {
  brief,
  captureOf,
  type ContractContext,
  contactsTable,
  drain,
  keysOf,
  productsTable,
  resourceOf,
} from "./connector-harness.js";

function readerOf(connector: Connector): SnapshotReader {
  expect(connector.reader, "the connector offers snapshots").toBeDefined();
  return connector.reader as SnapshotReader;
}

async function collect(batches: AsyncIterable<NativeRow[]>): Promise<NativeRow[][]> {
  const all: NativeRow[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

const person = (n: number | string): NativeRow => ({ email: `p${n}@example.com`, name: `P${n}`, age: 20 });

/** Snapshots and change capture. */
export function captureCases({ harness, setup, fresh, test }: ContractContext): void {
  test("snapshot-empty", "a snapshot of an empty table yields no rows", async () => {
    const table = contactsTable(fresh("empty"));
    const batches = await collect(readerOf(await setup(table)).snapshot(table.name, { batchSize: 100 }));
    expect(batches.flat()).toEqual([]);
  });

  test(
    "snapshot-batches",
    "a snapshot of 2,500 rows comes in batches of at most batchSize, every row once",
    async () => {
      const table = contactsTable(fresh("big"));
      const reader = readerOf(await setup(table));
      const keys = await harness().insert(
        table,
        Array.from({ length: 2500 }, (_, i) => ({ email: `p${i}@example.com`, name: `P${i}`, age: i % 90 })),
      );
      const batches = await collect(reader.snapshot(table.name, { batchSize: 1000 }));
      expect(batches.length).toBeGreaterThanOrEqual(3);
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(1000);
      const rows = batches.flat();
      expect(rows).toHaveLength(2500);
      expect(new Set(keysOf(rows, "id"))).toEqual(new Set(keys));
      const row = rows.find((r) => String(r.id) === keys[1234]);
      expect(row).toMatchObject({ email: "p1234@example.com", name: "P1234", age: 1234 % 90 });
      expect(Object.keys(row ?? {}).sort()).toEqual([...resourceOf(table).columns].sort());
    },
  );

  test("install", "install is idempotent, isInstalled tells, and capture works after it", async () => {
    const table = contactsTable(fresh("inst"));
    const capture = captureOf(await setup(table));
    expect(await capture.isInstalled()).toBe(false);
    await capture.install();
    await capture.install();
    expect(await capture.isInstalled()).toBe(true);
    const cursor = await capture.currentCursor();
    const [key] = await harness().insert(table, [person(1)]);
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => brief(c, "email"))).toEqual([["upsert", key, "p1@example.com"]]);
  });

  test(
    "changes-native",
    "changes after currentCursor report native inserts, updates and deletes in order",
    async () => {
      const table = contactsTable(fresh("native"));
      const capture = captureOf(await setup(table));
      await capture.install();
      const [a, b] = await harness().insert(table, [person("a"), person("b")]);
      const cursor = await capture.currentCursor();
      const [d] = await harness().insert(table, [{ email: "d@example.com", name: "D", age: 44 }]);
      await harness().update(table, a ?? "", { name: "A2" });
      await harness().delete(table, b ?? "");
      const { changes } = await drain(capture, cursor);
      expect(changes.map((c) => brief(c, "name"))).toEqual([
        ["upsert", d, "D"],
        ["upsert", a, "A2"],
        ["delete", b, undefined],
      ]);
      expect(changes.every((c) => c.resource === table.name)).toBe(true);
      expect(changes[0]?.row).toMatchObject({ email: "d@example.com", age: 44 });
      expect(String(changes[0]?.row?.id)).toBe(d);
      for (const c of changes) {
        if (c.sourceTime !== undefined) expect(Number.isNaN(Date.parse(c.sourceTime)), c.sourceTime).toBe(false);
      }
    },
  );

  test("changes-fold", "several edits of one record come as one change with its latest state", async () => {
    const table = contactsTable(fresh("fold"));
    const capture = captureOf(await setup(table));
    await capture.install();
    const cursor = await capture.currentCursor();
    const [a, gone] = await harness().insert(table, [person("a"), person("gone")]);
    for (const name of ["N1", "N2", "N3"]) await harness().update(table, a ?? "", { name });
    await harness().delete(table, gone ?? "");
    const { changes } = await drain(capture, cursor);
    expect(changes.filter((c) => c.key === a).map((c) => brief(c, "name"))).toEqual([["upsert", a, "N3"]]);
    expect(changes.filter((c) => c.key === gone).map((c) => brief(c, "name"))).toEqual([["delete", gone, undefined]]);
  });

  test(
    "changes-key-change",
    "an update of the key reports a delete of the old key and an upsert of the new",
    async () => {
      const table = productsTable(fresh("rekey"));
      const capture = captureOf(await setup(table));
      await capture.install();
      await harness().insert(table, [{ code: "A1", title: "Lamp" }]);
      const cursor = await capture.currentCursor();
      await harness().update(table, "A1", { code: "A2" });
      const { changes } = await drain(capture, cursor);
      expect(changes.map((c) => brief(c, "title"))).toEqual([
        ["delete", "A1", undefined],
        ["upsert", "A2", "Lamp"],
      ]);
    },
  );

  test("changes-paging", "changes come in pages of at most limit, more telling when others wait", async () => {
    const table = contactsTable(fresh("paging"));
    const capture = captureOf(await setup(table));
    await capture.install();
    const cursor = await capture.currentCursor();
    const keys = await harness().insert(table, [1, 2, 3, 4, 5].map(person));
    const first = await capture.changes(cursor, { limit: 2 });
    expect(first.changes).toHaveLength(2);
    expect(first.more).toBe(true);
    const { changes, pages } = await drain(capture, cursor, 2);
    expect(changes.map((c) => c.key)).toEqual(keys);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(page.changes.length).toBeLessThanOrEqual(2);
    expect(pages.at(-1)?.more).toBe(false);
  });

  test("changes-acknowledged", "changes after an acknowledged cursor are not repeated; later ones come", async () => {
    const table = contactsTable(fresh("ack"));
    const capture = captureOf(await setup(table));
    await capture.install();
    const cursor = await capture.currentCursor();
    await harness().insert(table, [person(1), person(2)]);
    const first = await capture.changes(cursor);
    expect(first.changes).toHaveLength(2);
    await capture.acknowledge(first.cursor);
    expect((await capture.changes(first.cursor)).changes).toEqual([]);
    const [later] = await harness().insert(table, [person(3)]);
    const { changes } = await drain(capture, first.cursor);
    expect(changes.map((c) => c.key)).toEqual([later]);
  });

  test("changes-reread", "reading changes discards nothing: the same cursor reads the same changes again", async () => {
    const table = contactsTable(fresh("reread"));
    const capture = captureOf(await setup(table));
    await capture.install();
    const cursor = await capture.currentCursor();
    await harness().insert(table, [person(1), person(2)]);
    const once = await capture.changes(cursor);
    expect(once.changes).toHaveLength(2);
    expect(await capture.changes(cursor)).toEqual(once);
    await capture.acknowledge(cursor);
    expect(await capture.changes(cursor)).toEqual(once);
  });

  test("changes-no-echo", "Concord's own writes are not reported; other writers' are", async () => {
    const table = contactsTable(fresh("echo"));
    const connector = await setup(table);
    const capture = captureOf(connector);
    await capture.install();
    const [seed] = await harness().insert(table, [person("seed")]);
    const cursor = await capture.currentCursor();
    const results = await connector.writer?.write(table.name, [
      { op: "insert", ref: "echo-1", row: { email: "ours@example.com", name: "Ours", age: 1 } },
      { op: "update", key: seed ?? "", row: { name: "Ours too" } },
    ]);
    const ours = results?.[0]?.ok ? results[0].key : "";
    await connector.writer?.write(table.name, [{ op: "delete", key: ours }]);
    const [theirs] = await harness().insert(table, [person("theirs")]);
    const { changes } = await drain(capture, cursor);
    expect(changes.map((c) => [c.op, c.key])).toEqual([["upsert", theirs]]);
  });

  test("bad-cursor", "a cursor the connector never gave is refused with an error naming it", async () => {
    const capture = captureOf(await setup(contactsTable(fresh("badcur"))));
    await capture.install();
    for (const call of [() => capture.changes("not-a-cursor"), () => capture.acknowledge("not-a-cursor")]) {
      const error: unknown = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(ConcordError);
      expect((error as ConcordError).code).toBe("connector");
      expect((error as ConcordError).message).toContain("not-a-cursor");
    }
  });

  test("teardown", "teardown removes capture, says what it removed, and leaves the application working", async () => {
    const table = contactsTable(fresh("teardown"));
    const capture = captureOf(await setup(table));
    await capture.install();
    await harness().insert(table, [person(1)]);
    const removed = await capture.teardown();
    expect(removed.length).toBeGreaterThan(0);
    expect(await capture.isInstalled()).toBe(false);
    expect(await capture.teardown()).toEqual([]);
    const [key] = await harness().insert(table, [person(2)]);
    await harness().update(table, key ?? "", { name: "edited" });
    await harness().delete(table, key ?? "");
    await capture.install();
    expect((await drain(capture, null)).changes).toEqual([]);
  });
}

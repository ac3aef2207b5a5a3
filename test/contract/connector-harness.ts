import { expect, it } from "vitest";
import type { ChangeBatch, ChangeCapture, Connector, ResourceSpec } from "../../src/connectors/connector.js";
import type { NativeRow, SourceChange } from "../../src/core/types.js";

/** A column type every SQL system can declare. */
export type PortableType = "text" | "integer" | "decimal" | "date" | "boolean";

/** A table described portably; each harness turns it into its own DDL. */
export interface TableSpec {
  readonly name: string;
  /** `generated`: the system assigns an integer key (identity, AUTO_INCREMENT); else a text key. */
  readonly key: { readonly name: string; readonly generated: boolean };
  readonly columns: readonly { readonly name: string; readonly type: PortableType; readonly unique?: boolean }[];
}

/**
 * What the contract suite needs from one kind of system: native access through its own driver
 * connection, as a user's application has it (never through Concord), and connectors.
 */
export interface ConnectorHarness {
  /** Creates a table (the suite gives every test its own table names). */
  createTable(spec: TableSpec): Promise<void>;
  /** Inserts rows in one transaction; answers their keys as strings, in order. */
  insert(table: TableSpec, rows: readonly NativeRow[]): Promise<string[]>;
  /** Updates one row by key; `values` may change the key itself. */
  update(table: TableSpec, key: string, values: NativeRow): Promise<void>;
  delete(table: TableSpec, key: string): Promise<void>;
  /** Every row as the driver returns it. */
  rows(table: TableSpec): Promise<NativeRow[]>;
  /** A new, opened connector for these resources; the suite tears down its capture and closes it. */
  connect(resources: readonly ResourceSpec[]): Promise<Connector>;
  /** Removes everything the harness made (database, files, connections). */
  cleanup(): Promise<void>;
}

/** The cases of the suite, by id: an implementation skips one only by giving the reason. */
export type ContractCase =
  | "snapshot-empty"
  | "snapshot-batches"
  | "install"
  | "changes-native"
  | "changes-fold"
  | "changes-key-change"
  | "changes-paging"
  | "changes-acknowledged"
  | "changes-reread"
  | "changes-no-echo"
  | "bad-cursor"
  | "teardown"
  | "write-insert"
  | "write-update-delete"
  | "write-not-found"
  | "write-constraint"
  | "find-created"
  | "introspect";

/** Options of `describeConnectorContract`. */
export interface ContractOptions {
  /** Cases this connector cannot pass, each with the reason shown in the test's name. */
  readonly skip?: Readonly<Partial<Record<ContractCase, string>>>;
}

/** What every group of cases gets from the suite. */
export interface ContractContext {
  readonly harness: () => ConnectorHarness;
  /** Creates the tables and answers a connector bound to them. */
  readonly setup: (...tables: TableSpec[]) => Promise<Connector>;
  /** A fresh table name for this test. */
  readonly fresh: (base: string) => string;
  /** Declares a case, skipped with its reason when the implementation asked for it. */
  readonly test: (id: ContractCase, title: string, fn: () => Promise<void>) => void;
}

/** Declares the test of a case, or its skip with the reason in the name. */
export function contractTest(options: ContractOptions) {
  return (id: ContractCase, title: string, fn: () => Promise<void>): void => {
    const reason = options.skip?.[id];
    if (reason === undefined) it(title, fn);
    else it.skip(`${title} [skipped: ${reason}]`, fn);
  };
}

/** A table with a generated key and a unique column. */
export function contactsTable(name: string): TableSpec {
  return {
    name,
    key: { name: "id", generated: true },
    columns: [
      { name: "email", type: "text", unique: true },
      { name: "name", type: "text" },
      { name: "age", type: "integer" },
    ],
  };
}

/** A table with a text key given by whoever inserts, and one column of every other type. */
export function productsTable(name: string): TableSpec {
  return {
    name,
    key: { name: "code", generated: false },
    columns: [
      { name: "title", type: "text" },
      { name: "price", type: "decimal" },
      { name: "launched", type: "date" },
      { name: "active", type: "boolean" },
    ],
  };
}

/** The resource Concord would bind to a table: every column. */
export function resourceOf(table: TableSpec): ResourceSpec {
  return { name: table.name, key: table.key.name, columns: [table.key.name, ...table.columns.map((c) => c.name)] };
}

/** The connector's capture, failing the test when it has none. */
export function captureOf(connector: Connector): ChangeCapture {
  expect(connector.capture, "the connector offers change capture").toBeDefined();
  return connector.capture as ChangeCapture;
}

/** Reads every page after `cursor`; answers all changes, the pages and the final cursor. */
export async function drain(
  capture: ChangeCapture,
  cursor: string | null,
  limit?: number,
): Promise<{ changes: SourceChange[]; pages: ChangeBatch[]; cursor: string }> {
  const pages: ChangeBatch[] = [];
  let at = cursor;
  for (;;) {
    const page = await capture.changes(at, limit === undefined ? {} : { limit });
    pages.push(page);
    at = page.cursor;
    if (!page.more) break;
    expect(pages.length, "the feed ends").toBeLessThan(1000);
  }
  return { changes: pages.flatMap((p) => [...p.changes]), pages, cursor: at ?? "" };
}

/** A change in a form easy to compare: op, key, and one column of its row. */
export function brief(change: SourceChange, column: string): [string, string, unknown] {
  return [change.op, change.key, change.row?.[column]];
}

/** The keys of rows, as strings. */
export function keysOf(rows: readonly NativeRow[], key: string): string[] {
  return rows.map((r) => String(r[key]));
}

import type { Readable, Writable } from "node:stream";
import type { TableDigest } from "./verify.js";

/** The database servers a benchmark can read from or write to (SQLite is always a target besides). */
export type EngineName = "postgres" | "mariadb";

/** A contacts row as text: id, then the CONTACT_COLUMNS (dates as YYYY-MM-DD, NULL as null). */
export type ContactRow = (string | null)[];

/** A fresh database on the bench server, dropped with the world. */
export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Updates rows of one table, each transaction setting `note` of the given ids. */
export interface RowUpdater {
  /** One autocommitted transaction; resolves when the server acknowledged the commit. */
  update(ids: readonly number[], notes: readonly string[]): Promise<void>;
  end(): Promise<void>;
}

/** The reference relay's reading side: which rows changed, and their current values. */
export interface RelaySource {
  /** Calls `changed` with the ids of rows updated since the last call; answers the stop. */
  watch(changed: (ids: readonly string[]) => void): Promise<() => Promise<void>>;
  read(ids: readonly string[]): Promise<ContactRow[]>;
  close(): Promise<void>;
}

/** The reference relay's writing side: one statement per batch. */
export interface RelayTarget {
  write(rows: readonly ContactRow[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a benchmark does with one engine, each operation on a database URL. PostgreSQL and MariaDB
 * implement it with their raw drivers, so that the references stay the physical minimum.
 */
export interface BenchEngine {
  readonly name: EngineName;
  /** For tables and labels: "PostgreSQL", "MariaDB". */
  readonly label: string;
  createDatabase(prefix: string): Promise<BenchDatabase>;
  /** The server's version, for the machine description. */
  version(): Promise<string>;
  /** Concord's system entry (YAML flow mapping) for this database. */
  system(url: string, options: { readonly capture?: string; readonly pollEvery?: string }): string;
  /** Creates an empty contacts table; `generatedKey` lets Concord create rows without keys. */
  createContacts(url: string, table: string, generatedKey: boolean): Promise<void>;
  /** Bulk-loads contacts 1..rows into an empty table. */
  seedContacts(url: string, table: string, rows: number): Promise<void>;
  /** Copies a seeded table, rows and keys, into a new table `to`. */
  cloneContacts(url: string, from: string, to: string): Promise<void>;
  digest(url: string, table: string): Promise<TableDigest>;
  /** The table as COPY text (tab-separated, `\N` for NULL, backslash escapes), streamed. */
  exportText(url: string, table: string): Promise<{ readonly stream: Readable; close(): Promise<void> }>;
  /** A sink taking COPY text into the table; `done` resolves once the server has it all. */
  importText(url: string, table: string): Promise<{ readonly sink: Writable; readonly done: Promise<void> }>;
  openUpdater(url: string, table: string, connections: number): Promise<RowUpdater>;
  /** Times arrivals in `tables`: calls `arrived(id, seq, at)` (performance.now() clock) per marker. */
  watchArrivals(
    url: string,
    tables: readonly string[],
    arrived: (id: number, seq: number, at: number) => void,
  ): Promise<() => Promise<void>>;
  /** What the reference relay needs in the source (a trigger), installed by the bench. */
  prepareRelaySource(url: string, table: string): Promise<void>;
  openRelaySource(url: string, table: string, pollMs: number): Promise<RelaySource>;
  openRelayTarget(url: string, table: string): Promise<RelayTarget>;
}

/** A field of COPY text: `\N` is NULL, backslash sequences stand for control characters. */
export function unescapeText(field: string): string | null {
  if (field === "\\N") return null;
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/** A value as a field of COPY text. */
export function escapeText(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\\\"))
    : value;
}

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };

import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import QueryStream from "pg-query-stream";
import { withPgClient } from "../test/helpers/postgres-database.js";

/** A table's contents, reduced: a benchmark only counts when every target equals the source. */
export interface TableDigest {
  readonly rows: number;
  /** SHA-256 of every row's non-key columns, in e-mail order (keys differ between systems). */
  readonly sha256: string;
}

const SELECT = (table: string, collate: string) =>
  `SELECT email, first_name, last_name, birth_date, tier, note FROM "${table}" ORDER BY email ${collate}`;

/** The digest of a PostgreSQL contacts table. */
export function pgDigest(url: string, table: string): Promise<TableDigest> {
  return withPgClient(url, async (client) => {
    // The C collation orders by code point, as SQLite's BINARY does for UTF-8.
    const sql = SELECT(table, 'COLLATE "C"').replace("birth_date", "birth_date::text");
    const rows = client.query(new QueryStream(sql, [], { batchSize: 10_000, rowMode: "array" }));
    return digest(rows as AsyncIterable<unknown[]>);
  });
}

/** The digest of a SQLite contacts table. */
export async function sqliteDigest(path: string, table: string): Promise<TableDigest> {
  const db = new Database(path, { readonly: true });
  try {
    return await digest(db.prepare(SELECT(table, "")).raw().iterate() as Iterable<unknown[]>);
  } finally {
    db.close();
  }
}

/** The digest of rows of the non-key columns, already in e-mail order. */
export async function digest(rows: AsyncIterable<unknown[]> | Iterable<unknown[]>): Promise<TableDigest> {
  const hash = createHash("sha256");
  let count = 0;
  for await (const row of rows) {
    hash.update(`${JSON.stringify(row)}\n`);
    count++;
  }
  return { rows: count, sha256: hash.digest("hex") };
}

/** Whether every digest equals the first. */
export function sameDigests(digests: readonly TableDigest[]): boolean {
  const [first, ...rest] = digests;
  return first !== undefined && rest.every((d) => d.rows === first.rows && d.sha256 === first.sha256);
}

import { once } from "node:events";
import { finished } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import Database from "better-sqlite3";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { CONTACT_COLUMNS } from "./contacts.js";

/** Where the reference pipeline reads and writes. */
export interface ReferenceLoadSpec {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly sourceTable: string;
  /** The table written in the PostgreSQL target and in the SQLite file. */
  readonly targetTable: string;
  readonly sqlitePath: string;
}

/** What the reference pipeline moved, and how long it took. */
export interface ReferenceLoadResult {
  readonly rows: number;
  readonly ms: number;
}

const SQLITE_BATCH = 10_000;
const COLUMNS = ["id", ...CONTACT_COLUMNS].map((c) => `"${c}"`).join(", ");

/**
 * The physical minimum of the initial load, without Concord: COPY the source table out, stream
 * the bytes straight into COPY of the PostgreSQL target, and parse the same lines into SQLite
 * inserts in 10k-row transactions, all in one pass.
 */
export async function referenceLoad(spec: ReferenceLoadSpec): Promise<ReferenceLoadResult> {
  const source = new pg.Client({ connectionString: spec.sourceUrl });
  const target = new pg.Client({ connectionString: spec.targetUrl });
  const sqlite = new Database(spec.sqlitePath);
  try {
    await Promise.all([source.connect(), target.connect()]);
    const insert = sqlite.prepare(`INSERT INTO "${spec.targetTable}" (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const insertAll = sqlite.transaction((rows: readonly (string | null)[][]) => {
      for (const row of rows) insert.run(row);
    });

    const started = performance.now();
    const into = target.query(copyFrom(`COPY "${spec.targetTable}" (${COLUMNS}) FROM STDIN`));
    const out = source.query(copyTo(`COPY "${spec.sourceTable}" (${COLUMNS}) TO STDOUT`));
    const decoder = new StringDecoder("utf8");
    let rest = "";
    let batch: (string | null)[][] = [];
    let rows = 0;
    for await (const chunk of out as AsyncIterable<Buffer>) {
      if (!into.write(chunk)) await once(into, "drain");
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) batch.push(line.split("\t").map(unescapeCopy));
      if (batch.length >= SQLITE_BATCH) {
        insertAll(batch);
        rows += batch.length;
        batch = [];
      }
    }
    if (rest !== "") batch.push(rest.split("\t").map(unescapeCopy));
    insertAll(batch);
    rows += batch.length;
    into.end();
    await finished(into);
    return { rows, ms: performance.now() - started };
  } finally {
    sqlite.close();
    await Promise.allSettled([source.end(), target.end()]);
  }
}

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };

/** A field of COPY's text format: `\N` is NULL, backslash sequences stand for control characters. */
function unescapeCopy(field: string): string | null {
  if (field === "\\N") return null;
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

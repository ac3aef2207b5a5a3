import { once } from "node:events";
import { StringDecoder } from "node:string_decoder";
import Database from "better-sqlite3";
import { CONTACT_COLUMNS } from "./contacts.js";
import { type EngineName, unescapeText } from "./engine.js";
import { engineNamed } from "./flows.js";

/** Where the reference pipeline reads and writes. */
export interface ReferenceLoadSpec {
  readonly sourceEngine: EngineName;
  readonly targetEngine: EngineName;
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly sourceTable: string;
  /** The table written in the database target and in the SQLite file. */
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
 * The physical minimum of the initial load, without Concord, in one pass: the source table as a
 * text stream (PostgreSQL: COPY TO STDOUT; MariaDB: a streamed SELECT, formatted as COPY text),
 * the bytes straight into the database target (PostgreSQL: COPY FROM STDIN; MariaDB: LOAD DATA
 * LOCAL INFILE from the stream, whose default format is COPY's), and the same lines parsed into
 * SQLite inserts in 10k-row transactions.
 */
export async function referenceLoad(spec: ReferenceLoadSpec): Promise<ReferenceLoadResult> {
  const source = engineNamed(spec.sourceEngine);
  const target = engineNamed(spec.targetEngine);
  const sqlite = new Database(spec.sqlitePath);
  try {
    const insert = sqlite.prepare(`INSERT INTO "${spec.targetTable}" (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const insertAll = sqlite.transaction((rows: readonly (string | null)[][]) => {
      for (const row of rows) insert.run(row);
    });

    const started = performance.now();
    const into = await target.importText(spec.targetUrl, spec.targetTable);
    const out = await source.exportText(spec.sourceUrl, spec.sourceTable);
    try {
      const decoder = new StringDecoder("utf8");
      let rest = "";
      let batch: (string | null)[][] = [];
      let rows = 0;
      for await (const chunk of out.stream as AsyncIterable<Buffer | string>) {
        if (!into.sink.write(chunk)) await once(into.sink, "drain");
        const lines = (rest + (typeof chunk === "string" ? chunk : decoder.write(chunk))).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) batch.push(line.split("\t").map(unescapeText));
        if (batch.length >= SQLITE_BATCH) {
          insertAll(batch);
          rows += batch.length;
          batch = [];
        }
      }
      if (rest !== "") batch.push(rest.split("\t").map(unescapeText));
      insertAll(batch);
      rows += batch.length;
      into.sink.end();
      await into.done;
      return { rows, ms: performance.now() - started };
    } finally {
      await out.close();
    }
  } finally {
    sqlite.close();
  }
}

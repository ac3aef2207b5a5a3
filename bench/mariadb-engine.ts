import { PassThrough, Readable } from "node:stream";
import mysqlStreaming from "mysql2";
import mysql from "mysql2/promise";
import {
  createMysqlTestDatabase,
  mysqlConnectionOptions,
  mysqlSkipReason,
  withMysql,
} from "../test/helpers/mysql-database.js";
import { CONTACT_COLUMNS, copyLines } from "./contacts.js";
import { type BenchEngine, type ContactRow, escapeText, type RelaySource, type RelayTarget } from "./engine.js";
import { digest } from "./verify.js";

const COLUMNS = ["id", ...CONTACT_COLUMNS].map((c) => `\`${c}\``).join(", ");
const SELECT_ROW = "CAST(id AS CHAR), email, first_name, last_name, birth_date, tier, note";
const ARRIVALS = "bench_arrivals";
const RELAY_LOG = "bench_relay_log";
const ARRIVAL_POLL_MS = 5;

/** A connection to the database of `url`, DATEs as strings like PostgreSQL's text. */
function connect(url: string, extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ ...options(url), ...extra });
}

function options(url: string): mysql.ConnectionOptions {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  return { ...mysqlConnectionOptions(database), dateStrings: true, timezone: "Z" };
}

/** A streamed query on a connection of its own (the promise API does not stream). */
function streamQuery(url: string, sql: string): { rows: AsyncIterable<unknown[]>; close: () => Promise<void> } {
  const c = mysqlStreaming.createConnection(options(url));
  const rows = c.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 10_000 }) as AsyncIterable<unknown[]>;
  return { rows, close: () => new Promise<void>((resolve) => c.end(() => resolve())) };
}

async function withConnection<T>(url: string, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await connect(url);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * MariaDB (or MySQL) for the benchmarks: LOAD DATA LOCAL INFILE from a stream for bulk writes, a
 * streamed SELECT for bulk reads, triggers into side tables where PostgreSQL would NOTIFY.
 */
export const mariadbEngine: BenchEngine = {
  name: "mariadb",
  label: "MariaDB",
  async createDatabase(prefix) {
    const db = await createMysqlTestDatabase(prefix);
    if (db === undefined) throw new Error(mysqlSkipReason());
    return db;
  },
  version: () =>
    withMysql(undefined, async (c) => {
      const [rows] = await c.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
      return String(rows[0]?.["v"] ?? "unknown");
    }),
  system: (url, { capture, pollEvery }) =>
    `{ connector: mysql, url: ${JSON.stringify(url)}${capture === undefined ? "" : `, capture: ${capture}`}` +
    `${pollEvery === undefined ? "" : `, pollEvery: ${pollEvery}`} }`,
  createContacts: (url, table, generatedKey) =>
    withConnection(url, async (c) => {
      await c.query(
        `CREATE TABLE \`${table}\` (id BIGINT ${generatedKey ? "AUTO_INCREMENT " : ""}PRIMARY KEY,
           email VARCHAR(255) NOT NULL, first_name VARCHAR(100), last_name VARCHAR(100), birth_date DATE,
           tier VARCHAR(20), note VARCHAR(255)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      );
    }),
  async seedContacts(url, table, rows) {
    const chunk = 10_000;
    function* lines(): Generator<string> {
      for (let from = 1; from <= rows; from += chunk) yield copyLines(from, Math.min(rows, from + chunk - 1));
    }
    const { sink, done } = await mariadbEngine.importText(url, table);
    Readable.from(lines()).pipe(sink);
    await done;
    await withConnection(url, (c) => c.query(`ANALYZE TABLE \`${table}\``));
  },
  cloneContacts: (url, from, to) =>
    withConnection(url, async (c) => {
      await c.query(`CREATE TABLE \`${to}\` LIKE \`${from}\``);
      await c.query(`INSERT INTO \`${to}\` SELECT * FROM \`${from}\``);
    }),
  async digest(url, table) {
    // utf8mb4_bin orders by code point, as PostgreSQL's "C" collation and SQLite's BINARY do.
    const query = streamQuery(
      url,
      `SELECT email, first_name, last_name, birth_date, tier, note FROM \`${table}\` ORDER BY email COLLATE utf8mb4_bin`,
    );
    try {
      return await digest(query.rows);
    } finally {
      await query.close();
    }
  },
  exportText(url, table) {
    const query = streamQuery(url, `SELECT ${SELECT_ROW} FROM \`${table}\``);
    const rows = query.rows as AsyncIterable<ContactRow>;
    async function* text(): AsyncGenerator<string> {
      let lines: string[] = [];
      for await (const row of rows) {
        lines.push(`${row.map(escapeText).join("\t")}\n`);
        if (lines.length >= 1000) {
          yield lines.join("");
          lines = [];
        }
      }
      yield lines.join("");
    }
    return Promise.resolve({ stream: Readable.from(text()), close: query.close });
  },
  async importText(url, table) {
    const sink = new PassThrough();
    const c = await connect(url, { infileStreamFactory: () => sink });
    // LOAD DATA's defaults (tab, newline, backslash escapes, \N) are COPY's text format.
    const done = c
      .query(`LOAD DATA LOCAL INFILE 'stream' INTO TABLE \`${table}\` CHARACTER SET utf8mb4 (${COLUMNS})`)
      .then(() => undefined)
      .finally(() => c.end());
    return { sink, done };
  },
  openUpdater(url, table, connections) {
    const pool = mysql.createPool({ ...options(url), connectionLimit: connections });
    return Promise.resolve({
      async update(ids, notes) {
        const cases = ids.map(() => "WHEN ? THEN ?").join(" ");
        const values = ids.flatMap((id, i) => [id, notes[i]]);
        await pool.query(
          `UPDATE \`${table}\` SET note = CASE id ${cases} END WHERE id IN (${ids.map(() => "?").join(", ")})`,
          [...values, ...ids],
        );
      },
      end: () => pool.end(),
    });
  },
  async watchArrivals(url, tables, arrived) {
    await withConnection(url, async (c) => {
      await c.query(
        `CREATE TABLE ${ARRIVALS} (n BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(255), at DECIMAL(20,6))`,
      );
      for (const table of tables) {
        // SYSDATE(6), unlike NOW(6), is the moment the row is written, not the statement's start.
        await c.query(
          `CREATE TRIGGER \`bench_arrival_${table}\` AFTER UPDATE ON \`${table}\` FOR EACH ROW
           IF NOT (NEW.note <=> OLD.note) THEN
             INSERT INTO ${ARRIVALS} (note, at) VALUES (NEW.note, UNIX_TIMESTAMP(SYSDATE(6)));
           END IF`,
        );
      }
    });
    return pollSideTable(url, ARRIVALS, "note, CAST(at AS CHAR)", ARRIVAL_POLL_MS, (rows) => {
      // The server and this process read the same machine clock; only the origins differ.
      const offset = Date.now() - performance.now();
      for (const [note, at] of rows) {
        const marker = /^(\d+):(\d+)$/.exec(String(note));
        if (marker) arrived(Number(marker[1]), Number(marker[2]), Number(at) * 1000 - offset);
      }
    });
  },
  prepareRelaySource: (url, table) =>
    withConnection(url, async (c) => {
      await c.query(`CREATE TABLE ${RELAY_LOG} (n BIGINT AUTO_INCREMENT PRIMARY KEY, id BIGINT NOT NULL)`);
      await c.query(
        `CREATE TRIGGER bench_relay_log AFTER UPDATE ON \`${table}\` FOR EACH ROW INSERT INTO ${RELAY_LOG} (id) VALUES (NEW.id)`,
      );
    }),
  async openRelaySource(url, table, pollMs): Promise<RelaySource> {
    const c = await connect(url);
    return {
      watch: (changed) =>
        pollSideTable(url, RELAY_LOG, "CAST(id AS CHAR)", pollMs, (rows) => changed(rows.map((r) => String(r[0])))),
      async read(ids) {
        const [rows] = await c.query<mysql.RowDataPacket[][]>(
          { sql: `SELECT ${SELECT_ROW} FROM \`${table}\` WHERE id IN (?)`, rowsAsArray: true },
          [ids],
        );
        return rows as unknown as ContactRow[];
      },
      close: () => c.end(),
    };
  },
  async openRelayTarget(url, table): Promise<RelayTarget> {
    const c = await connect(url);
    const updates = CONTACT_COLUMNS.map((col) => `\`${col}\` = VALUES(\`${col}\`)`).join(", ");
    return {
      async write(rows) {
        await c.query(`INSERT INTO \`${table}\` (${COLUMNS}) VALUES ? ON DUPLICATE KEY UPDATE ${updates}`, [rows]);
      },
      close: () => c.end(),
    };
  },
};

/**
 * Reads and deletes the rows of a side table every `everyMs`, on a connection of its own, until
 * stopped. Deleting exactly the rows read keeps those of transactions that commit out of order.
 */
async function pollSideTable(
  url: string,
  table: string,
  select: string,
  everyMs: number,
  handle: (rows: unknown[][]) => void,
): Promise<() => Promise<void>> {
  const c = await connect(url);
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const [rows] = await c.query<mysql.RowDataPacket[][]>({
        sql: `SELECT n, ${select} FROM ${table}`,
        rowsAsArray: true,
      });
      if (rows.length > 0) {
        await c.query(`DELETE FROM ${table} WHERE n IN (?)`, [rows.map((r) => r[0])]);
        handle(rows.map((r) => r.slice(1)));
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    stopping = true;
    await loop;
    await c.end();
  };
}

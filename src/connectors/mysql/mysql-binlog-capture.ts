import { createHash } from "node:crypto";
import type { ChangeBatch, ChangeCapture } from "../connector.js";
import { BINLOG_START, BINLOG_START_DDL, ECHO, ECHO_DDL } from "./mysql-capture-schema.js";
import {
  type BinlogCursor,
  type BinlogPosition,
  compareFiles,
  comparePositions,
  formatBinlogCursor,
  parseBinlogCursor,
} from "./mysql-binlog-position.js";
import { readBinlog } from "./mysql-binlog-reader.js";
import { type MysqlSession, quoteIdent, type Sql } from "./mysql-database.js";
import { changesFrom } from "./mysql-rows.js";
import type { MysqlTables } from "./mysql-tables.js";
import { teardownCapture } from "./mysql-teardown.js";

const DEFAULT_LIMIT = 1000;
const IDLE_TIMEOUT_MS = 30_000;

/** The server settings binlog capture needs, and what each must be. */
const REQUIRED_SETTINGS = [
  ["log_bin", "ON", "start the server with --log-bin"],
  ["binlog_format", "ROW", "SET GLOBAL binlog_format = 'ROW', or start the server with --binlog-format=ROW"],
  ["binlog_row_image", "FULL", "SET GLOBAL binlog_row_image = 'FULL'"],
] as const;

/** What is wrong with the server's settings for binlog capture; empty when nothing. */
export function binlogSettingProblems(settings: ReadonlyMap<string, string>): string[] {
  return REQUIRED_SETTINGS.flatMap(([name, wanted, fix]) => {
    const value = settings.get(name) ?? "(unset)";
    return value.toUpperCase() === wanted ? [] : [`${name} is ${value}, binlog capture needs ${wanted} (${fix})`];
  });
}

let readers = 0;

/**
 * Change capture from the row-based binary log, read as a replica reads it. Nothing is installed
 * on the tables: `install` checks the server's settings and records where the log stood (the
 * start of the feed). A cursor is a binary log position (see mysql-binlog-position.ts); Concord's
 * own transactions carry a row in `_concord_echo` and their rows of the marked table are skipped.
 * Pruning the log is the server's business (binlog_expire_logs_seconds): a cursor into a purged
 * file is refused, and a full sync is needed.
 */
export class MysqlBinlogCapture implements ChangeCapture {
  readonly #session: MysqlSession;
  readonly #tables: MysqlTables;
  readonly #serverId: number | undefined;

  constructor(session: MysqlSession, tables: MysqlTables, serverId: number | undefined) {
    this.#session = session;
    this.#tables = tables;
    this.#serverId = serverId;
  }

  async install(): Promise<void> {
    for (const spec of this.#tables.specs) await this.#tables.get(spec.name);
    await this.#session.run("installing change capture", async (sql) => {
      const problems = binlogSettingProblems(await settings(sql));
      if (problems.length > 0)
        throw this.#session.error(`the server cannot serve binlog capture: ${problems.join("; ")}`);
      await sql.run(ECHO_DDL);
      await sql.run(BINLOG_START_DDL);
      const end = await logEnd(sql);
      await sql.run(
        `INSERT IGNORE INTO ${quoteIdent(BINLOG_START)} (id, file, pos, at) VALUES (1, ?, ?, UTC_TIMESTAMP(6))`,
        [end.file, end.pos],
      );
    });
  }

  async isInstalled(): Promise<boolean> {
    return (await this.#session.hasTable(ECHO)) && (await this.#start()) !== undefined;
  }

  currentCursor(): Promise<string> {
    return this.#session.run("reading the binary log's end", async (sql) =>
      formatBinlogCursor({ ...(await logEnd(sql)), skip: 0 }),
    );
  }

  async changes(cursor: string | null, options: { limit?: number } = {}): Promise<ChangeBatch> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw this.#session.error(`invalid limit ${limit}`);
    const from = await this.#from(cursor);
    const end = await this.#session.run("reading the binary log's end", (sql) => this.#check(sql, cursor, from));
    if (comparePositions(from, end) >= 0) return { changes: [], cursor: formatBinlogCursor(from), more: false };
    const keys = new Map<string, string>();
    for (const spec of this.#tables.specs) {
      await this.#tables.get(spec.name); // fails clearly on a missing table
      keys.set(spec.name, spec.key);
    }
    const scan = await readBinlog({
      connection: this.#session.connectionOptions,
      database: this.#session.credentials.database,
      serverId: this.#serverId ?? this.#derivedServerId(),
      idleTimeoutMs: IDLE_TIMEOUT_MS,
      from,
      end,
      keys,
      limit,
    }).catch((err: unknown) => {
      throw this.#session.fail(`reading the binary log from "${formatBinlogCursor(from)}"`, err);
    });
    const changes = await this.#session.run("reading changed rows", (sql) =>
      changesFrom(sql, this.#tables, scan.entries),
    );
    return { changes, cursor: formatBinlogCursor(scan.cursor), more: scan.more };
  }

  /** Nothing to prune (the server expires its logs); the cursor is still checked. */
  async acknowledge(cursor: string): Promise<void> {
    const at = this.#parse(cursor);
    await this.#session.run("checking a binlog cursor", (sql) => this.#check(sql, cursor, at));
  }

  teardown(): Promise<string[]> {
    return teardownCapture(this.#session);
  }

  /** Refuses a cursor the log cannot serve; answers the log's end. */
  async #check(sql: Sql, cursor: string | null, at: BinlogPosition): Promise<BinlogPosition> {
    const end = await logEnd(sql);
    const files = (await sql.arrays("SHOW BINARY LOGS")).map((r) => ({ file: String(r[0]), size: Number(r[1]) }));
    const file = files.find((f) => f.file === at.file);
    const first = files[0]?.file ?? end.file;
    if (file === undefined && compareFiles(at.file, first) < 0) {
      throw this.#session.error(
        `cursor "${cursor}" points into a binary log the server has purged (the oldest is ${first}); a full sync is needed`,
      );
    }
    const limit = file === undefined ? undefined : file.file === end.file ? end.pos : file.size;
    if (limit === undefined || at.pos > limit) {
      throw this.#session.error(
        `cursor "${cursor}" is ahead of the binary log (which ends at ${end.file}:${end.pos}): ` +
          "the server's logs were reset or the database replaced since; a full sync is needed",
      );
    }
    return end;
  }

  async #from(cursor: string | null): Promise<BinlogCursor> {
    if (cursor !== null) return this.#parse(cursor);
    const start = await this.#start();
    if (start === undefined) throw this.#session.error("change capture is not installed; install it first");
    return { ...start, skip: 0 };
  }

  /** Where the log stood at install: the start of the feed. */
  async #start(): Promise<BinlogPosition | undefined> {
    if (!(await this.#session.hasTable(BINLOG_START))) return undefined;
    const [row] = await this.#session.run("reading where capture began", (sql) =>
      sql.arrays(`SELECT file, pos FROM ${quoteIdent(BINLOG_START)} WHERE id = 1`),
    );
    return row ? { file: String(row[0]), pos: Number(row[1]) } : undefined;
  }

  #parse(cursor: string): BinlogCursor {
    const parsed = parseBinlogCursor(cursor);
    if (!parsed) throw this.#session.error(`invalid cursor "${cursor}": expected a binary log position (file:pos)`);
    return parsed;
  }

  /**
   * A replica id of its own for each read: the server drops a replica connection when another one
   * announces the same id, so two readers must never share one.
   */
  #derivedServerId(): number {
    const seed = `${this.#session.system}/${this.#session.where}/${process.pid}/${readers++}`;
    return 0x40000000 + (createHash("sha256").update(seed).digest().readUInt32BE(0) % 0xbfffffff);
  }
}

async function settings(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql.arrays(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image')",
  );
  return new Map(rows.map((r) => [String(r[0]).toLowerCase(), String(r[1])]));
}

/** The end of the binary log: SHOW MASTER STATUS, renamed SHOW BINARY LOG STATUS in MySQL 8.4. */
async function logEnd(sql: Sql): Promise<BinlogPosition> {
  let rows: unknown[][];
  try {
    rows = await sql.arrays("SHOW MASTER STATUS");
  } catch {
    rows = await sql.arrays("SHOW BINARY LOG STATUS");
  }
  const [row] = rows;
  if (!row) throw new Error("the server keeps no binary log (log_bin is OFF)");
  return { file: String(row[0]), pos: Number(row[1]) };
}

import mysql from "mysql2/promise";
import { ConcordError, messageOf } from "../../core/errors.js";
import type { MysqlCredentials } from "./mysql-options.js";

/** Quotes an identifier with backticks, doubling embedded ones. */
export function quoteIdent(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/**
 * A string literal for DDL (trigger bodies cannot take bound values), written as hex so that no
 * character and no sql_mode (NO_BACKSLASH_ESCAPES) can change its meaning.
 */
export function hexLiteral(text: string): string {
  return `CONVERT(X'${Buffer.from(text, "utf8").toString("hex")}' USING utf8mb4)`;
}

/** A placeholder list `?, ?, ?` for `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

/** What a write statement reports. */
export interface WriteOutcome {
  readonly affectedRows: number;
  readonly insertId: number;
}

type Queryable = Pick<mysql.Connection, "query">;

/** Statements on a pool or one connection, with the driver's result shapes narrowed. */
export class Sql {
  readonly #target: Queryable;

  constructor(target: Queryable) {
    this.#target = target;
  }

  /** Rows as arrays of values, in the select list's order. */
  async arrays(sql: string, values: readonly unknown[] = []): Promise<unknown[][]> {
    const [rows] = await this.#target.query<mysql.RowDataPacket[][]>({ sql, rowsAsArray: true }, [...values]);
    return rows;
  }

  /** Rows as objects named by the select list. */
  async objects<T>(sql: string, values: readonly unknown[] = []): Promise<T[]> {
    const [rows] = await this.#target.query<mysql.RowDataPacket[]>(sql, [...values]);
    return rows as T[];
  }

  /** Runs a statement that returns no rows. */
  async run(sql: string, values: readonly unknown[] = []): Promise<WriteOutcome> {
    const [result] = await this.#target.query<mysql.ResultSetHeader>(sql, [...values]);
    return { affectedRows: result.affectedRows, insertId: result.insertId };
  }
}

/** What the server can do, learnt once at open. */
export interface ServerInfo {
  readonly version: string;
  readonly mariadb: boolean;
  /** `INSERT … RETURNING` (MariaDB 10.5+). */
  readonly insertReturning: boolean;
  /** `CREATE OR REPLACE TRIGGER` (MariaDB 10.1.4+): replaces a trigger without a gap. */
  readonly replaceTrigger: boolean;
  /** 0: table names are case-sensitive. */
  readonly lowerCaseTableNames: number;
}

/** Error codes that mean the server or the connection failed, not one statement's data. */
const SYSTEM_FAILURES = new Map<string, boolean>([
  // code → retryable
  ["ER_LOCK_DEADLOCK", true], // the whole transaction was rolled back
  ["ER_LOCK_WAIT_TIMEOUT", true],
  ["ER_CON_COUNT_ERROR", true],
  ["ER_SERVER_SHUTDOWN", true],
  ["ER_CONNECTION_KILLED", true],
  ["ER_QUERY_INTERRUPTED", true],
  ["ER_OPTION_PREVENTS_STATEMENT", true], // read-only: a failover in progress
  ["ER_ACCESS_DENIED_ERROR", false],
  ["ER_DBACCESS_DENIED_ERROR", false],
  ["ER_TABLEACCESS_DENIED_ERROR", false],
  ["ER_BAD_DB_ERROR", false],
]);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether an error is the server or connection failing rather than one statement's data. */
export function isSystemFailure(err: unknown): boolean {
  if ((err as { fatal?: unknown } | null)?.fatal === true) return true;
  const code = errorCode(err);
  return code !== undefined && SYSTEM_FAILURES.has(code);
}

/**
 * Every pooled connection's session: the configured time zone (TIMESTAMPs are converted by it), and
 * without NO_BACKSLASH_ESCAPES, under which the driver's escaping of bound values would be wrong.
 */
const SESSION_SETUP =
  "SET SESSION time_zone = ?, SESSION sql_mode = TRIM(BOTH ',' FROM " +
  "REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/**
 * A pool of connections to one database, and the one place that turns driver errors into
 * ConcordErrors naming the system and where it lives (host:port/database, never the password).
 */
export class MysqlSession {
  readonly system: string;
  readonly credentials: MysqlCredentials;
  /** "Z" or "+02:00": the zone of DATETIME values, and the session's time zone. */
  readonly timezone: string;
  #pool: mysql.Pool | undefined;
  #server: ServerInfo | undefined;

  constructor(system: string, credentials: MysqlCredentials, timezone: string) {
    this.system = system;
    this.credentials = credentials;
    this.timezone = timezone;
  }

  /** host:port/database, for messages. */
  get where(): string {
    const { host, port, database } = this.credentials;
    return `${host.includes(":") ? `[${host}]` : host}:${port}/${database}`;
  }

  /** The driver options every connection (and the binlog reader's) uses. */
  get connectionOptions(): mysql.ConnectionOptions {
    const { host, port, user, password, database } = this.credentials;
    return {
      host,
      port,
      user,
      password,
      database,
      timezone: this.timezone,
      // DATE as 'YYYY-MM-DD' (a Date would shift with the zone); DATETIME and TIMESTAMP as Dates.
      dateStrings: ["DATE"],
      decimalNumbers: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: "utf8mb4",
      connectTimeout: 10_000,
    };
  }

  /** The session time zone matching `timezone`. */
  get sessionTimeZone(): string {
    return this.timezone === "Z" ? "+00:00" : this.timezone;
  }

  async open(): Promise<void> {
    if (this.#pool) return;
    const pool = mysql.createPool({ ...this.connectionOptions, connectionLimit: 4, maxIdle: 2, enableKeepAlive: true });
    pool.pool.on("connection", (connection) => {
      // Queued before whatever the connection is acquired for, so it runs first.
      connection.query(SESSION_SETUP, [this.sessionTimeZone], () => undefined);
    });
    try {
      const sql = new Sql(pool);
      const [row] = await sql.objects<{ version: string; lctn: number }>(
        "SELECT VERSION() AS version, @@lower_case_table_names AS lctn",
      );
      this.#server = serverInfo(row?.version ?? "", Number(row?.lctn ?? 0));
      this.#pool = pool;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw this.fail("cannot connect", err);
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  /** What the server can do. */
  get server(): ServerInfo {
    if (!this.#server) throw this.error("the connector is not open");
    return this.#server;
  }

  #open(): mysql.Pool {
    if (!this.#pool) throw this.error("the connector is not open");
    return this.#pool;
  }

  /** Runs `fn` on the pool, turning driver errors into ConcordErrors that say `what` failed. */
  async run<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    const pool = this.#open();
    try {
      return await fn(new Sql(pool));
    } catch (err) {
      throw this.fail(what, err);
    }
  }

  /**
   * Runs `fn` on one connection of its own. `fn` must leave the session as it found it; when it
   * throws a system failure, the connection is destroyed rather than returned to the pool.
   */
  async withConnection<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    const pool = this.#open();
    let connection: mysql.PoolConnection | undefined;
    try {
      connection = await pool.getConnection();
      const result = await fn(new Sql(connection));
      connection.release();
      return result;
    } catch (err) {
      connection?.destroy();
      throw this.fail(what, err);
    }
  }

  /** Runs `fn` in a transaction on one connection; commits when it returns, rolls back when it throws. */
  transaction<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withConnection(what, async (sql) => {
      await sql.run("START TRANSACTION");
      try {
        const result = await fn(sql);
        await sql.run("COMMIT");
        return result;
      } catch (err) {
        await sql.run("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  /** Whether a table (or view) of that name exists in the database. */
  async hasTable(name: string): Promise<boolean> {
    const rows = await this.run(`looking for table ${name}`, (sql) =>
      sql.arrays("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", [name]),
    );
    return rows.length > 0;
  }

  /** A ConcordError for a driver error; connection failures, deadlocks and lock timeouts are retryable. */
  fail(what: string, err: unknown): ConcordError {
    if (err instanceof ConcordError) return err;
    const code = errorCode(err);
    const retryable = SYSTEM_FAILURES.get(code ?? "") ?? (err as { fatal?: unknown } | null)?.fatal === true;
    return this.error(`${what} (${this.where}): ${messageOf(err)}`, { cause: err, retryable });
  }

  /** A ConcordError naming this system. */
  error(message: string, options: { cause?: unknown; retryable?: boolean } = {}): ConcordError {
    return new ConcordError("connector", `mysql system "${this.system}": ${message}`, options);
  }
}

function serverInfo(version: string, lowerCaseTableNames: number): ServerInfo {
  const mariadb = /mariadb/i.test(version);
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  const at = major * 10_000 + minor * 100 + patch;
  return {
    version,
    mariadb,
    insertReturning: mariadb && at >= 100_500,
    replaceTrigger: mariadb && at >= 100_104,
    lowerCaseTableNames,
  };
}

import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

/** A database made for one test file; `drop()` removes it. */
export interface MysqlTestDatabase {
  /** `mysql://…/database`, ready for the code under test. */
  readonly url: string;
  readonly database: string;
  drop(): Promise<void>;
}

/** The server the tests use: the local one, or `CONCORD_TEST_MYSQL_URL` (an administrator's URL, no database). */
export const testMysqlUrl = process.env["CONCORD_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306";

/** Set in CI: a missing service then fails the run instead of skipping its tests. */
export const servicesRequired = process.env["CONCORD_REQUIRE_SERVICES"] === "1";

/** Why MySQL tests are skipped when `createMysqlTestDatabase` returns undefined. */
export function mysqlSkipReason(): string {
  const { hostname, port } = new URL(testMysqlUrl);
  return `no MySQL/MariaDB server at ${hostname}:${port || 3306} (start it, or set CONCORD_TEST_MYSQL_URL)`;
}

/** Driver options for the test server, on `database` when given. */
export function mysqlConnectionOptions(database?: string): mysql.ConnectionOptions {
  const url = new URL(testMysqlUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username) || "root",
    password: decodeURIComponent(url.password),
    ...(database !== undefined && { database }),
    connectTimeout: 5000,
  };
}

/** The server URL with a database name. */
export function mysqlDatabaseUrl(database: string): string {
  const url = new URL(testMysqlUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"]);

function isUnreachable(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isUnreachable);
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && unreachableCodes.has(code);
}

/** Runs `fn` on a fresh connection (to `database` when given), closed afterwards whatever happens. */
export async function withMysql<T>(database: string | undefined, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(mysqlConnectionOptions(database));
  try {
    return await fn(connection);
  } finally {
    await connection.end();
  }
}

/**
 * Creates an empty, uniquely named database (`concord_test_<prefix>_<random>`). Returns
 * undefined when no server answers, so tests can skip with `mysqlSkipReason()`; with
 * CONCORD_REQUIRE_SERVICES=1 it throws instead.
 */
export async function createMysqlTestDatabase(prefix: string): Promise<MysqlTestDatabase | undefined> {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 30);
  const database = `concord_test_${safe}_${randomBytes(5).toString("hex")}`;
  try {
    await withMysql(undefined, (c) => c.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`));
  } catch (err) {
    if (!isUnreachable(err) || servicesRequired) throw err;
    return undefined;
  }
  return {
    url: mysqlDatabaseUrl(database),
    database,
    drop: async () => {
      await withMysql(undefined, (c) => c.query(`DROP DATABASE IF EXISTS \`${database}\``));
    },
  };
}

/**
 * Whether a server answers. False lets tests skip with `mysqlSkipReason()`; with
 * CONCORD_REQUIRE_SERVICES=1 an unreachable server throws instead.
 */
export async function mysqlAvailable(): Promise<boolean> {
  try {
    await withMysql(undefined, (c) => c.query("SELECT 1"));
    return true;
  } catch (err) {
    if (!isUnreachable(err) || servicesRequired) throw err;
    return false;
  }
}

/** Whether the server writes a row-based binary log; a reason to skip binlog tests when it does not. */
export async function binlogUnavailable(): Promise<string | undefined> {
  const rows = await withMysql(undefined, async (c) => {
    const [result] = await c.query<mysql.RowDataPacket[]>(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format')",
    );
    return new Map(result.map((r) => [String(r["Variable_name"]), String(r["Value"])]));
  });
  if (rows.get("log_bin") !== "ON") return "the server has no binary log (start it with --log-bin --binlog-format=ROW)";
  if (rows.get("binlog_format") !== "ROW") return `the server's binlog_format is ${rows.get("binlog_format")}, not ROW`;
  return undefined;
}

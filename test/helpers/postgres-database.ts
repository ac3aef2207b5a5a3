import { randomBytes } from "node:crypto";
import pg from "pg";

/** A database made for one test file; `drop()` removes it, closing whatever is still connected. */
export interface TestDatabase {
  readonly name: string;
  /** `postgres://…/name`, ready for the code under test. */
  readonly url: string;
  drop(): Promise<void>;
}

/** The server the tests use: the local one, or `CONCORD_TEST_POSTGRES_URL` (an administrator's URL). */
export const testPostgresUrl =
  process.env["CONCORD_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Set in CI: a missing service then fails the run instead of skipping its tests. */
const servicesRequired = process.env["CONCORD_REQUIRE_SERVICES"] === "1";

/** Why PostgreSQL tests are skipped when `createTestDatabase` returns undefined. */
export function postgresSkipReason(): string {
  const { hostname, port } = new URL(testPostgresUrl);
  return `no PostgreSQL server at ${hostname}:${port === "" ? "5432" : port} (start it, or set CONCORD_TEST_POSTGRES_URL)`;
}

/** The server URL with another database name. */
export function databaseUrl(name: string, base: string = testPostgresUrl): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

// Only "nobody answers" skips; a server that answers and refuses (authentication, rights) fails.
const connectionCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"]);

function isUnreachable(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isUnreachable);
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && connectionCodes.has(code);
}

/**
 * Creates an empty, uniquely named database (`concord_test_<prefix>_<random>`). Returns
 * undefined when no server answers, so tests can skip with `postgresSkipReason()`; with
 * CONCORD_REQUIRE_SERVICES=1 it throws instead.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase | undefined> {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 30);
  const name = `concord_test_${safe}_${randomBytes(5).toString("hex")}`;
  try {
    await withPgClient(testPostgresUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  } catch (err) {
    if (!isUnreachable(err) || servicesRequired) throw err;
    return undefined;
  }
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      await withPgClient(testPostgresUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Runs `fn` with a fresh client on `url`, closed afterwards whatever happens. */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

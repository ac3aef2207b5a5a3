import pg from "pg";
import { ConcordError, messageOf } from "../../core/errors.js";

/** Where a PostgreSQL hub lives: what pg connects to and the schema that holds the hub's tables. */
export interface PostgresHubLocation {
  /** The URL without Concord's own parameters, for pg. Holds the password: never print it. */
  readonly connectionString: string;
  readonly schema: string;
  /** `host:port/database`, safe to show in errors and logs. */
  readonly display: string;
}

/** The schema a hub uses unless the URL names one with `?schema=`. */
export const defaultHubSchema = "concord";

/** Reads a `postgres://` hub URL; the error never repeats the URL, which may hold a password. */
export function parsePostgresHubUrl(url: string): PostgresHubLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConcordError("config", "hub: not a valid postgres:// URL");
  }
  const schema = parsed.searchParams.get("schema") ?? defaultHubSchema;
  if (schema === "") throw new ConcordError("config", "hub: ?schema= needs a schema name");
  // pg passes unknown URL parameters to the server as settings, which would refuse `schema`.
  parsed.searchParams.delete("schema");
  const host = parsed.hostname === "" ? (parsed.searchParams.get("host") ?? "localhost") : parsed.hostname;
  const port = parsed.port === "" ? "5432" : parsed.port;
  return { connectionString: parsed.toString(), schema, display: `${host}:${port}${parsed.pathname}` };
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A pool for the hub; idle-client errors are dropped here and surface on the next query. */
export function createHubPool(location: PostgresHubLocation): pg.Pool {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: 5,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    application_name: "concord-hub",
  });
  // Without a listener, a server restart while a client idles in the pool would crash the process.
  pool.on("error", () => undefined);
  return pool;
}

// Failures where the same work may succeed a moment later: lost or refused connections, lock
// races between the processes sharing the hub (and a lock table full of their locks: 53200),
// a server that is starting, stopping or out of connection slots.
const retryableStates = new Set(["40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53200", "53300", "53400"]);
const retryableNodeCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const retryableMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

function isRetryable(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isRetryable);
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (retryableStates.has(code) || code.startsWith("08") || retryableNodeCodes.has(code))
  ) {
    return true;
  }
  return retryableMessages.test(err.message);
}

function failureText(err: unknown): string {
  // Connecting to `localhost` tries every address; Node then throws an AggregateError without a message.
  if (err instanceof AggregateError && err.message === "") return err.errors.map(messageOf).join("; ");
  return messageOf(err);
}

/** Any failure as ConcordError("hub"), naming the server (never the password). */
export function toHubError(err: unknown, location: PostgresHubLocation): ConcordError {
  if (err instanceof ConcordError) return err;
  return new ConcordError("hub", `hub (postgres ${location.display}): ${failureText(err)}`, {
    cause: err,
    retryable: isRetryable(err),
  });
}

/**
 * Runs `work` on one pooled client. A checked-out client reports a lost connection as an
 * 'error' event besides failing its query; without a listener that event would crash the
 * process. A client that failed so is closed by the pool instead of being handed out again.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  client.on("error", onError);
  try {
    return await work(client);
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one pooled client; rolls back on any failure. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query("BEGIN");
    try {
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      // A failed ROLLBACK means the connection is gone, and the server rolls back by itself;
      // the original failure is the one worth reporting.
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  });
}

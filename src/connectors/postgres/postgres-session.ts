import pg from "pg";
import { ConcordError, messageOf } from "../../core/errors.js";

/** A pg connection (pooled or not); this type stays inside the postgres folder. */
export type Db = pg.ClientBase;

const CONNECT_TIMEOUT_MS = 10_000;
const POOL_SIZE = 4;

const OID = { date: 1082, timestamp: 1114, dateArray: 1182, timestampArray: 1115, textArray: 1009 } as const;
/** pg's own parsers, typed by what they return (its typings say `any`). */
const parserOf = pg.types.getTypeParser as (oid: number, format?: "text" | "binary") => (text: string) => unknown;

/**
 * Dates and zoneless timestamps stay text: pg would turn them into JS Dates at the host's local
 * midnight, moving a date by the host's time zone. timestamptz keeps pg's parser (an instant).
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === OID.date || oid === OID.timestamp) return (text: string) => text;
    if (oid === OID.dateArray || oid === OID.timestampArray) return parserOf(OID.textArray);
    return parserOf(oid, format);
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/** Quotes an SQL identifier, doubling embedded quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal. Only for DDL (function bodies), which cannot take bound values. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The SQLSTATE of a server error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** SQLSTATEs (by class or in full) that mean the server, not one statement's data, failed; → retryable. */
const SYSTEM_STATES = new Map<string, boolean>([
  ["08", true], // connection exception
  ["40", true], // serialization failure, deadlock
  ["53", true], // insufficient resources
  ["57", true], // operator intervention: shutdown, cancel
  ["55P03", true], // lock not available
  ["55006", true], // object in use: a replication slot another process holds
  ["28", false], // invalid authorization
  ["3D", false], // database does not exist
  ["58", false], // system error
  ["XX", false], // internal error
]);

function systemState(err: unknown): { retryable: boolean } | undefined {
  const state = sqlState(err);
  if (state === undefined) return undefined;
  const retryable = SYSTEM_STATES.get(state) ?? SYSTEM_STATES.get(state.slice(0, 2));
  return retryable === undefined ? undefined : { retryable };
}

/**
 * Whether an error is the server or the connection failing rather than one statement's data.
 * Anything without a SQLSTATE (a reset socket, a timeout, a driver bug) counts as the system.
 */
export function isSystemFailure(err: unknown): boolean {
  return sqlState(err) === undefined || systemState(err) !== undefined;
}

/** A socket error of Node (ECONNREFUSED…) or pg's own words for a lost or slow connection. */
function isNetworkFailure(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isNetworkFailure); // one per address tried
  if (!(err instanceof Error) || sqlState(err) !== undefined) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === "string" && code.startsWith("E")) || /connection|terminated|timeout/i.test(err.message);
}

/** Whether trying again may help: a lost connection, or a server state that passes. */
function isRetryable(err: unknown): boolean {
  return isNetworkFailure(err) || systemState(err)?.retryable === true;
}

/** The message of an error; an AggregateError (one error per address tried) has none of its own. */
function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") return err.errors.map(messageOf).join("; ");
  return messageOf(err);
}

/** `host:port/db` of a URL, never its user or password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get("host") || "localhost";
    const db = decodeURIComponent(u.pathname.slice(1));
    return `${host}:${u.port || "5432"}/${db || "(default database)"}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * A pool of connections to one database, and the one place that turns driver errors into
 * ConcordErrors naming the system and `host:port/db` (never the password).
 */
export class PostgresSession {
  readonly system: string;
  readonly schema: string;
  /** `host:port/db`, for messages. */
  readonly target: string;
  readonly #url: string;
  #pool: pg.Pool | undefined;

  constructor(system: string, url: string, schema: string) {
    this.system = system;
    this.schema = schema;
    this.#url = url;
    this.target = describeUrl(url);
  }

  /** Connects once to check that the server answers; the pool then connects as needed. */
  async open(): Promise<void> {
    if (this.#pool) return;
    const pool = new pg.Pool(this.#config({ max: POOL_SIZE, idleTimeoutMillis: 30_000 }));
    // An idle connection that dies must not crash the process; the next query takes a fresh one.
    pool.on("error", () => undefined);
    try {
      await pool.query("SELECT 1");
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw this.connectFailure(err);
    }
    this.#pool = pool;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  /** Whether `open` succeeded and `close` was not called since. */
  get isOpen(): boolean {
    return this.#pool !== undefined;
  }

  /** A new connection outside the pool (for LISTEN), connected; the caller ends it. */
  async connectDedicated(): Promise<pg.Client> {
    const client = new pg.Client(this.#config({}));
    client.on("error", () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw this.connectFailure(err);
    }
  }

  /** Rows as objects. */
  async rows<T extends object>(what: string, text: string, values: readonly unknown[] = []): Promise<T[]> {
    return this.withClient(what, async (db) => (await db.query<T>(text, [...values])).rows);
  }

  /** Runs `fn` on a pooled connection. */
  async withClient<T>(what: string, fn: (db: Db) => Promise<T>): Promise<T> {
    const pool = this.#pool;
    if (!pool) throw this.error("the connector is not open");
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw this.connectFailure(err);
    }
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (err) {
      // A connection whose socket failed must not go back to the pool.
      if (isNetworkFailure(err) || systemState(err) !== undefined) broken = err as Error;
      throw this.fail(what, err);
    } finally {
      client.release(broken);
    }
  }

  /** Runs `fn` in a transaction; rolls back when it throws. */
  transaction<T>(what: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return this.withClient(what, async (db) => {
      await db.query("BEGIN");
      try {
        const result = await fn(db);
        await db.query("COMMIT");
        return result;
      } catch (err) {
        await db.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  /** A ConcordError for a driver error; connection and server failures are retryable. */
  fail(what: string, err: unknown): ConcordError {
    if (err instanceof ConcordError) return err;
    return this.error(`${what}: ${this.#redact(describeError(err))}`, { cause: err, retryable: isRetryable(err) });
  }

  /** A ConcordError naming this system. */
  error(message: string, options: { cause?: unknown; retryable?: boolean } = {}): ConcordError {
    return new ConcordError("connector", `postgres system "${this.system}": ${message}`, options);
  }

  /** A failure to connect: retryable when the server may come back, not for wrong credentials. */
  connectFailure(err: unknown): ConcordError {
    return this.error(`cannot connect to ${this.target}: ${this.#redact(describeError(err))}`, {
      retryable: isRetryable(err),
      // An unparsable URL's error carries the URL, password included.
      ...(!(err instanceof TypeError) && { cause: err }),
    });
  }

  /** Removes the URL's password from a message, should a driver ever quote it. */
  #redact(message: string): string {
    let password = "";
    try {
      password = decodeURIComponent(new URL(this.#url).password);
    } catch {
      // an unparsable URL fails elsewhere, with its own message
    }
    return password.length > 0 ? message.replaceAll(password, "***") : message;
  }

  #config(extra: pg.PoolConfig): pg.PoolConfig {
    return {
      connectionString: this.#url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: "concord",
      // ISO dates whatever the server's default, so that the text the parsers keep is canonical.
      options: "-c datestyle=ISO,YMD",
      types,
      ...extra,
    };
  }
}

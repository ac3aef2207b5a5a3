import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { ConcordError, messageOf } from "../../core/errors.js";

/** The better-sqlite3 connection; this type stays inside the sqlite folder. */
export type Db = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

/** Primary result codes that mean the database, not the record, is at fault. */
const SYSTEM_FAILURES = new Map<string, boolean>([
  // code → retryable
  ["SQLITE_BUSY", true],
  ["SQLITE_LOCKED", true],
  ["SQLITE_IOERR", true],
  ["SQLITE_FULL", true],
  ["SQLITE_PROTOCOL", true],
  ["SQLITE_NOMEM", true],
  ["SQLITE_CANTOPEN", false],
  ["SQLITE_CORRUPT", false],
  ["SQLITE_NOTADB", false],
  ["SQLITE_READONLY", false],
  ["SQLITE_PERM", false],
  ["SQLITE_AUTH", false],
]);

/** The primary SQLite result code of an error ("SQLITE_BUSY" for "SQLITE_BUSY_SNAPSHOT"), if any. */
function primaryCode(err: unknown): string | undefined {
  if (!(err instanceof Database.SqliteError)) return undefined;
  return /^SQLITE_[A-Z]+/.exec(err.code)?.[0];
}

/** Whether an error is the database failing (busy, I/O, corrupt) rather than one statement's data. */
export function isSystemFailure(err: unknown): boolean {
  const code = primaryCode(err);
  return code !== undefined && SYSTEM_FAILURES.has(code);
}

/** Quotes an SQL identifier, doubling embedded quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal. Only for trigger bodies: DDL cannot take bound values. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * One connection to one SQLite file, opened in WAL mode with a busy timeout, and the one place
 * that turns driver errors into ConcordErrors naming the system and the file.
 */
export class SqliteSession {
  readonly system: string;
  readonly file: string;
  #db: Db | undefined;

  constructor(system: string, file: string) {
    this.system = system;
    this.file = file;
  }

  /** Opens the file, which must exist: an empty database created by a typo would sync nothing. */
  open(): void {
    if (this.#db) return;
    if (!existsSync(this.file)) throw this.error(`database file ${this.file} does not exist`);
    let db: Db | undefined;
    try {
      db = new Database(this.file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      db.pragma("journal_mode = WAL");
      // SQLite leaves declared foreign keys unenforced unless asked, per connection; Concord writes
      // as the application's frameworks do (Django, Rails turn it on), so cascades happen.
      db.pragma("foreign_keys = ON");
      this.#db = db;
    } catch (err) {
      db?.close();
      throw this.fail(`cannot open database file ${this.file}`, err);
    }
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  /** The open connection. */
  get db(): Db {
    if (!this.#db) throw this.error("the connector is not open");
    return this.#db;
  }

  /** Runs `fn` on the connection, turning driver errors into ConcordErrors that say `what` failed. */
  run<T>(what: string, fn: (db: Db) => T): T {
    const db = this.db;
    try {
      return fn(db);
    } catch (err) {
      throw this.fail(what, err);
    }
  }

  /** Whether a table (or view) exists. */
  hasTable(name: string): boolean {
    const row = this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?").get(name);
    return row !== undefined;
  }

  /** A ConcordError for a driver error; busy and I/O failures are retryable. */
  fail(what: string, err: unknown): ConcordError {
    if (err instanceof ConcordError) return err;
    const code = primaryCode(err);
    const retryable = code === undefined ? false : (SYSTEM_FAILURES.get(code) ?? false);
    return this.error(`${what}: ${messageOf(err)}`, { cause: err, retryable });
  }

  /** A ConcordError naming this system. */
  error(message: string, options: { cause?: unknown; retryable?: boolean } = {}): ConcordError {
    return new ConcordError("connector", `sqlite system "${this.system}": ${message}`, options);
  }
}

/** Runs synchronous driver work as a promise, so that its failures reject rather than throw. */
export function settle<T>(fn: () => T): Promise<T> {
  return Promise.resolve().then(fn);
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement for this connection, prepared once per SQL text: preparing costs more
 * than running a small statement, and a batch runs the same few texts thousands of times.
 */
export function prepareCached<P extends unknown[] = unknown[], R = unknown>(
  db: Db,
  sql: string,
): Database.Statement<P, R> {
  let cache = statementCache.get(db);
  if (cache === undefined) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    // Bounded: texts vary with the columns a batch writes, which are few per table.
    if (cache.size >= 500) cache.clear();
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement as unknown as Database.Statement<P, R>;
}

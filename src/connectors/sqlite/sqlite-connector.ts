import { resolve } from "node:path";
import type { Connector, ConnectorContext } from "../connector.js";
import { SqliteChangeCapture } from "./sqlite-change-capture.js";
import { SqliteSession, settle } from "./sqlite-database.js";
import { SqliteIntrospector } from "./sqlite-introspector.js";
import type { SqliteOptions } from "./sqlite-options.js";
import { SqliteSnapshotReader } from "./sqlite-snapshot.js";
import { SqliteTables } from "./sqlite-tables.js";
import { SqliteWriter } from "./sqlite-writer.js";

/** A SQLite database file as a system: every capability, over one connection. */
export class SqliteConnector implements Connector {
  readonly kind = "sqlite";
  readonly reader: SqliteSnapshotReader;
  readonly capture: SqliteChangeCapture;
  readonly writer: SqliteWriter;
  readonly introspector: SqliteIntrospector;
  readonly #session: SqliteSession;
  readonly #tables: SqliteTables;

  constructor(options: SqliteOptions, context: ConnectorContext) {
    this.#session = new SqliteSession(context.system, resolve(context.baseDir, options.path));
    this.#tables = new SqliteTables(this.#session, context.resources);
    this.reader = new SqliteSnapshotReader(this.#session, this.#tables);
    this.capture = new SqliteChangeCapture(this.#session, this.#tables);
    this.writer = new SqliteWriter(this.#session, this.#tables);
    this.introspector = new SqliteIntrospector(this.#session);
  }

  open(): Promise<void> {
    return settle(() => this.#session.open());
  }

  close(): Promise<void> {
    return settle(() => {
      this.#tables.clear();
      this.#session.close();
    });
  }
}

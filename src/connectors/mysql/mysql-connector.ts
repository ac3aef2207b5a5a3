import type { ChangeCapture, Connector, ConnectorContext } from "../connector.js";
import { MysqlBinlogCapture } from "./mysql-binlog-capture.js";
import { MysqlChangeCapture } from "./mysql-change-capture.js";
import { MysqlSession } from "./mysql-database.js";
import { binlogMarker, type EchoMarker, noMarker, sessionVariableMarker } from "./mysql-echo.js";
import { MysqlIntrospector } from "./mysql-introspector.js";
import { type MysqlOptions, parseMysqlUrl } from "./mysql-options.js";
import { MysqlPollCapture } from "./mysql-poll-capture.js";
import { MysqlSnapshotReader } from "./mysql-snapshot.js";
import { MysqlTables } from "./mysql-tables.js";
import { MysqlWriter } from "./mysql-writer.js";

/** A MySQL or MariaDB database as a system: every capability, over one small pool. */
export class MysqlConnector implements Connector {
  readonly kind = "mysql";
  readonly reader: MysqlSnapshotReader;
  readonly capture: ChangeCapture;
  readonly writer: MysqlWriter;
  readonly introspector: MysqlIntrospector;
  readonly #session: MysqlSession;
  readonly #tables: MysqlTables;

  constructor(options: MysqlOptions, context: ConnectorContext) {
    const credentials = parseMysqlUrl(options.url);
    // The options schema has refused such a URL already; this is for callers that skipped it.
    if (typeof credentials === "string") throw new TypeError(`mysql system "${context.system}": ${credentials}`);
    this.#session = new MysqlSession(context.system, credentials, options.timezone);
    this.#tables = new MysqlTables(this.#session, context.resources);
    this.reader = new MysqlSnapshotReader(this.#session, this.#tables);
    let marker: EchoMarker;
    switch (options.capture) {
      case "trigger":
        this.capture = new MysqlChangeCapture(this.#session, this.#tables);
        marker = sessionVariableMarker;
        break;
      case "poll":
        this.capture = new MysqlPollCapture(this.#session, this.#tables, options);
        marker = noMarker;
        break;
      case "binlog":
        this.capture = new MysqlBinlogCapture(this.#session, this.#tables, options.serverId);
        marker = binlogMarker;
        break;
    }
    this.writer = new MysqlWriter(this.#session, this.#tables, marker);
    this.introspector = new MysqlIntrospector(this.#session);
  }

  open(): Promise<void> {
    return this.#session.open();
  }

  async close(): Promise<void> {
    this.#tables.clear();
    await this.#session.close();
  }
}

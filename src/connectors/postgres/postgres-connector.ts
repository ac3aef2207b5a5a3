import type { ChangeCapture, Connector, ConnectorContext } from "../connector.js";
import { PostgresTriggerCapture } from "./postgres-change-capture.js";
import { PostgresIntrospector } from "./postgres-introspector.js";
import { PostgresLogicalCapture } from "./postgres-logical-capture.js";
import { defaultCaptureName, type PostgresOptions } from "./postgres-options.js";
import { PostgresSession } from "./postgres-session.js";
import { PostgresSnapshotReader } from "./postgres-snapshot.js";
import { PostgresTables } from "./postgres-tables.js";
import type { CaptureNames } from "./postgres-teardown.js";
import { logicalEcho, PostgresWriter, triggerEcho } from "./postgres-writer.js";

/** A PostgreSQL database (one schema of it) as a system: every capability, over one pool. */
export class PostgresConnector implements Connector {
  readonly kind = "postgres";
  readonly reader: PostgresSnapshotReader;
  readonly capture: ChangeCapture;
  readonly writer: PostgresWriter;
  readonly introspector: PostgresIntrospector;
  readonly #session: PostgresSession;
  readonly #tables: PostgresTables;

  constructor(options: PostgresOptions, context: ConnectorContext) {
    this.#session = new PostgresSession(context.system, options.url, options.schema);
    this.#tables = new PostgresTables(this.#session, context.resources);
    const name = defaultCaptureName(context.system);
    const names: CaptureNames = {
      schema: options.schema,
      channel: name,
      slot: options.slot ?? name,
      publication: options.publication ?? name,
    };
    const logical = options.capture === "logical";
    this.reader = new PostgresSnapshotReader(this.#session, this.#tables);
    this.capture = logical
      ? new PostgresLogicalCapture(this.#session, this.#tables, names)
      : new PostgresTriggerCapture(this.#session, this.#tables, names);
    this.writer = new PostgresWriter(this.#session, this.#tables, logical ? logicalEcho(context.system) : triggerEcho);
    this.introspector = new PostgresIntrospector(this.#session);
  }

  open(): Promise<void> {
    return this.#session.open();
  }

  async close(): Promise<void> {
    this.#tables.clear();
    await this.#session.close();
  }
}

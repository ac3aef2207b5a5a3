import type { ColumnInfo, Introspector } from "../connector.js";
import type { PostgresSession } from "./postgres-session.js";
import { tableColumns } from "./postgres-tables.js";

/** Describes tables and views of the system's schema from the catalog. */
export class PostgresIntrospector implements Introspector {
  readonly #session: PostgresSession;

  constructor(session: PostgresSession) {
    this.#session = session;
  }

  async describe(resource: string): Promise<{ readonly columns: readonly ColumnInfo[] } | undefined> {
    const found = await tableColumns(this.#session, resource);
    if (!found) return undefined;
    return { columns: found.columns.map((c) => ({ name: c.name, type: c.type, nullable: !c.notnull })) };
  }
}

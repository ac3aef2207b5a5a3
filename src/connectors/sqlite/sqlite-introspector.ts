import type { ColumnInfo, Introspector } from "../connector.js";
import { type SqliteSession, settle } from "./sqlite-database.js";
import { tableColumns } from "./sqlite-tables.js";

/** Describes tables and views through `PRAGMA table_info`. */
export class SqliteIntrospector implements Introspector {
  readonly #session: SqliteSession;

  constructor(session: SqliteSession) {
    this.#session = session;
  }

  describe(resource: string): Promise<{ readonly columns: readonly ColumnInfo[] } | undefined> {
    return settle(() =>
      this.#session.run(`describing ${resource}`, () => {
        const columns = tableColumns(this.#session, resource);
        if (columns.length === 0) return undefined;
        return {
          // A key column is reported not nullable: Concord can never address a row whose key is NULL.
          columns: columns.map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0 })),
        };
      }),
    );
  }
}

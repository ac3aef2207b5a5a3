import type { ColumnInfo, Introspector } from "../connector.js";
import type { MysqlSession } from "./mysql-database.js";
import { tableColumns } from "./mysql-tables.js";

/** Describes tables and views through information_schema.COLUMNS. */
export class MysqlIntrospector implements Introspector {
  readonly #session: MysqlSession;

  constructor(session: MysqlSession) {
    this.#session = session;
  }

  describe(resource: string): Promise<{ readonly columns: readonly ColumnInfo[] } | undefined> {
    return this.#session.run(`describing ${resource}`, async (sql) => {
      const columns = await tableColumns(sql, this.#session, resource);
      if (columns.length === 0) return undefined;
      return {
        // A key column is reported not nullable: Concord can never address a row whose key is NULL.
        columns: columns.map((c) => ({ name: c.name, type: c.columnType, nullable: c.nullable && !c.primary })),
      };
    });
  }
}

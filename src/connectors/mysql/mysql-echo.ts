import { ECHO, ECHO_DDL, ORIGIN_VARIABLE, originToken } from "./mysql-capture-schema.js";
import { quoteIdent, type Sql } from "./mysql-database.js";

/**
 * How a write transaction tells change capture that it is Concord's own, so that its changes are
 * not reported back as changes of the system (echoes). Each capture mode has its own.
 */
export interface EchoMarker {
  /** Tables the marker needs, created before the transaction (DDL commits implicitly in MySQL). */
  readonly ddl: readonly { readonly table: string; readonly sql: string }[];
  /** Marks the transaction on `sql`'s connection as Concord's write to `table`; answers how to unmark it. */
  mark(sql: Sql, table: string): Promise<Unmark>;
}

/** Removes a mark, still inside the transaction. */
export type Unmark = () => Promise<void>;

/**
 * Trigger capture: a session variable, set on the writer's connection only, that the table's
 * triggers check. Other sessions' writes to the table are still logged.
 */
export const sessionVariableMarker: EchoMarker = {
  ddl: [],
  mark: async (sql, table) => {
    await sql.run(`SET ${ORIGIN_VARIABLE} = ?`, [originToken(table)]);
    return async () => {
      await sql.run(`SET ${ORIGIN_VARIABLE} = NULL`);
    };
  },
};

/**
 * Binlog capture: a row inserted into `_concord_echo` first thing in the transaction and deleted
 * last. The binary log keeps both as row events of the transaction, so the reader knows, before
 * it meets the transaction's other rows, that those of `table` are Concord's; the table stays empty.
 */
export const binlogMarker: EchoMarker = {
  ddl: [{ table: ECHO, sql: ECHO_DDL }],
  mark: async (sql, table) => {
    const echo = quoteIdent(ECHO);
    const { insertId } = await sql.run(`INSERT INTO ${echo} (tbl, at) VALUES (?, UTC_TIMESTAMP(6))`, [table]);
    return async () => {
      await sql.run(`DELETE FROM ${echo} WHERE id = ?`, [insertId]);
    };
  },
};

/** Poll capture cannot tell writers apart: its echoes are no-ops in the engine's shadow compare. */
export const noMarker: EchoMarker = {
  ddl: [],
  mark: () => Promise.resolve(() => Promise.resolve()),
};

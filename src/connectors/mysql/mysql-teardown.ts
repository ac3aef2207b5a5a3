import type { MysqlSession, Sql } from "./mysql-database.js";
import { quoteIdent } from "./mysql-database.js";
import { OWN_TABLES, PREFIX } from "./mysql-capture-schema.js";

/** A trigger as information_schema.TRIGGERS shows it. */
export interface StoredTrigger {
  readonly name: string;
  readonly table: string;
  readonly event: string;
  readonly timing: string;
  readonly body: string;
}

/** Concord's triggers in the database, by name. */
export async function storedTriggers(sql: Sql): Promise<Map<string, StoredTrigger>> {
  const rows = await sql.objects<StoredTrigger>(
    `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS \`table\`, EVENT_MANIPULATION AS event,
       ACTION_TIMING AS timing, ACTION_STATEMENT AS body
     FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND LEFT(TRIGGER_NAME, ?) = ?
     ORDER BY TRIGGER_NAME`,
    [PREFIX.length, PREFIX],
  );
  return new Map(rows.map((r) => [r.name, r]));
}

/**
 * Removes every trigger and table Concord may have put in the database, whichever capture mode put
 * them there; says what it removed. The application's tables and rows are left alone.
 */
export function teardownCapture(session: MysqlSession): Promise<string[]> {
  return session.run("removing change capture", async (sql) => {
    const done: string[] = [];
    for (const name of (await storedTriggers(sql)).keys()) {
      await sql.run(`DROP TRIGGER IF EXISTS ${quoteIdent(name)}`);
      done.push(`trigger ${name}`);
    }
    const present = new Set(
      (
        await sql.arrays(
          "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND LEFT(TABLE_NAME, ?) = ?",
          [PREFIX.length, PREFIX],
        )
      ).map((r) => String(r[0])),
    );
    for (const table of OWN_TABLES) {
      if (!present.has(table)) continue;
      await sql.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      done.push(`table ${table}`);
    }
    return done;
  });
}

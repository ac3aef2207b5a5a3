import type { ResourceSpec } from "../connector.js";
import { CHANGELOG, CREATED, FUNCTION_PREFIX, functionName, qualified, TRIGGER } from "./postgres-capture-schema.js";
import { type Db, quoteIdent } from "./postgres-session.js";

/** The names under which a system's capture lives. */
export interface CaptureNames {
  readonly schema: string;
  /** NOTIFY channel of trigger capture. */
  readonly channel: string;
  /** Replication slot and publication of logical capture. */
  readonly slot: string;
  readonly publication: string;
}

/** Takes the lock that serializes Concord's installs and teardowns in one schema. */
export async function lockSchema(db: Db, schema: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`concord capture ${schema}`]);
}

/** Whether a table (or view) exists in the schema. */
export async function hasTable(db: Db, schema: string, name: string): Promise<boolean> {
  const { rows } = await db.query("SELECT to_regclass($1) IS NOT NULL AS found", [qualified(schema, name)]);
  return (rows[0] as { found: boolean } | undefined)?.found === true;
}

/**
 * Drops capture triggers and functions: those of `only` (when switching a system to logical
 * capture), or every one in the schema (teardown). Says what it dropped.
 */
export async function dropTriggerCapture(db: Db, schema: string, only?: readonly ResourceSpec[]): Promise<string[]> {
  const names = only?.map((spec) => functionName(spec.name));
  const { rows: triggers } = await db.query<{ tgname: string; relname: string; proname: string }>(
    `SELECT t.tgname, c.relname, p.proname
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_proc p ON p.oid = t.tgfoid
       JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND t.tgname = $2 AND starts_with(p.proname, $3)
      ORDER BY c.relname`,
    [schema, TRIGGER, FUNCTION_PREFIX],
  );
  const done: string[] = [];
  for (const t of triggers) {
    if (names && !names.includes(t.proname)) continue;
    await db.query(`DROP TRIGGER ${quoteIdent(t.tgname)} ON ${qualified(schema, t.relname)}`);
    done.push(`trigger ${t.tgname} on ${t.relname}`);
  }
  const { rows: functions } = await db.query<{ proname: string }>(
    `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND starts_with(p.proname, $2) AND p.pronargs = 0 ORDER BY p.proname`,
    [schema, FUNCTION_PREFIX],
  );
  for (const { proname } of functions) {
    if (names && !names.includes(proname)) continue;
    await db.query(`DROP FUNCTION ${qualified(schema, proname)}()`);
    done.push(`function ${proname}`);
  }
  return done;
}

/** Drops Concord's tables: the changelog and the created-markers. */
export async function dropTables(db: Db, schema: string): Promise<string[]> {
  const done: string[] = [];
  for (const table of [CHANGELOG, CREATED]) {
    if (!(await hasTable(db, schema, table))) continue;
    await db.query(`DROP TABLE ${qualified(schema, table)}`);
    done.push(`table ${table}`);
  }
  return done;
}

/**
 * Drops the system's replication slot (when it belongs to this database) and publication. Not in
 * a transaction block: slot functions refuse transactions that wrote.
 */
export async function dropLogicalCapture(db: Db, names: CaptureNames): Promise<string[]> {
  const done: string[] = [];
  const { rowCount } = await db.query(
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
      WHERE slot_name = $1 AND database = current_database()`,
    [names.slot],
  );
  if (rowCount) done.push(`replication slot ${names.slot}`);
  const { rows } = await db.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [names.publication]);
  if (rows.length > 0) {
    await db.query(`DROP PUBLICATION ${quoteIdent(names.publication)}`);
    done.push(`publication ${names.publication}`);
  }
  return done;
}

/** Removes everything either kind of capture installed, plus the created-markers. */
export async function teardownAll(db: Db, names: CaptureNames): Promise<string[]> {
  const logical = await dropLogicalCapture(db, names);
  await db.query("BEGIN");
  try {
    await lockSchema(db, names.schema);
    const triggers = await dropTriggerCapture(db, names.schema);
    const tables = await dropTables(db, names.schema);
    await db.query("COMMIT");
    return [...triggers, ...tables, ...logical];
  } catch (err) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

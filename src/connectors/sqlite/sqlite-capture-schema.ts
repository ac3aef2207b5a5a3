import type { ResourceSpec } from "../connector.js";
import { quoteIdent, quoteLiteral } from "./sqlite-database.js";

/** Every object Concord creates in a SQLite database starts with this prefix. */
export const PREFIX = "_concord_";

/** One row per captured change; AUTOINCREMENT so that a seq is never reused, even after pruning. */
export const CHANGELOG = `${PREFIX}changelog`;
/**
 * Holds the table Concord is writing, only inside its own write transaction: the triggers of that
 * table stay silent, while changes it cascades to other tables (foreign keys, the application's
 * triggers) are still captured.
 */
export const ECHO_GUARD = `${PREFIX}echo_guard`;
/** ref → key of the records Concord created, written in the same transaction as the record. */
export const CREATED = `${PREFIX}created`;

/** Idempotent DDL of Concord's own tables. */
export const CHANGELOG_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(CHANGELOG)} (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, op TEXT NOT NULL, pk TEXT NOT NULL, at TEXT NOT NULL)`;
export const ECHO_GUARD_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(ECHO_GUARD)} (tbl TEXT PRIMARY KEY)`;
export const CREATED_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(CREATED)} (
  ref TEXT PRIMARY KEY, tbl TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ${quoteIdent(`${CREATED}_at`)} ON ${quoteIdent(CREATED)} (at)`;

/** A trigger as Concord creates it; `sql` is also how SQLite stores it, so a stale one can be told apart. */
export interface TriggerDef {
  readonly name: string;
  readonly sql: string;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * The three triggers that log a resource's changes by key. Rows with a NULL key are skipped (they
 * cannot be addressed, and a failing trigger would fail the application's own write); an update
 * that changes the key logs a delete of the old key before the upsert of the new one.
 */
export function triggersFor(spec: ResourceSpec): TriggerDef[] {
  const table = quoteIdent(spec.name);
  const tbl = quoteLiteral(spec.name);
  const key = quoteIdent(spec.key);
  const log = `INSERT INTO ${quoteIdent(CHANGELOG)} (tbl, op, pk, at)`;
  const notOurs = `NOT EXISTS (SELECT 1 FROM ${quoteIdent(ECHO_GUARD)} WHERE tbl = ${tbl})`;
  const name = (suffix: string) => `${PREFIX}${spec.name}_${suffix}`;
  return [
    {
      name: name("ins"),
      sql: `CREATE TRIGGER ${quoteIdent(name("ins"))} AFTER INSERT ON ${table}
WHEN NEW.${key} IS NOT NULL AND ${notOurs}
BEGIN
  ${log} VALUES (${tbl}, 'upsert', CAST(NEW.${key} AS TEXT), ${NOW});
END`,
    },
    {
      name: name("upd"),
      sql: `CREATE TRIGGER ${quoteIdent(name("upd"))} AFTER UPDATE ON ${table}
WHEN ${notOurs}
BEGIN
  ${log} SELECT ${tbl}, 'delete', CAST(OLD.${key} AS TEXT), ${NOW} WHERE OLD.${key} IS NOT NULL AND OLD.${key} IS NOT NEW.${key};
  ${log} SELECT ${tbl}, 'upsert', CAST(NEW.${key} AS TEXT), ${NOW} WHERE NEW.${key} IS NOT NULL;
END`,
    },
    {
      name: name("del"),
      sql: `CREATE TRIGGER ${quoteIdent(name("del"))} AFTER DELETE ON ${table}
WHEN OLD.${key} IS NOT NULL AND ${notOurs}
BEGIN
  ${log} VALUES (${tbl}, 'delete', CAST(OLD.${key} AS TEXT), ${NOW});
END`,
    },
  ];
}

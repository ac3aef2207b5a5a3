import { createHash } from "node:crypto";
import type { ResourceSpec } from "../connector.js";
import { hexLiteral, quoteIdent } from "./mysql-database.js";

/** Every object Concord creates in a MySQL database starts with this prefix. */
export const PREFIX = "_concord_";

/** One row per captured change (trigger capture). */
export const CHANGELOG = `${PREFIX}changelog`;
/** ref → key of the records Concord created, written in the same transaction as the record. */
export const CREATED = `${PREFIX}created`;
/** A row per Concord write transaction, inserted first and deleted last: marks it in the binary log. */
export const ECHO = `${PREFIX}echo`;
/** Where the binary log stood when capture was installed: the start of the feed. */
export const BINLOG_START = `${PREFIX}binlog`;

/** Concord's tables, in the order teardown reports them. */
export const OWN_TABLES = [CHANGELOG, ECHO, BINLOG_START, CREATED] as const;

/** The session variable Concord's writer sets while it writes a table (trigger capture). */
export const ORIGIN_VARIABLE = "@concord_origin";

const TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/** Idempotent DDL of Concord's own tables. */
export const CHANGELOG_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(CHANGELOG)} (
  seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, tbl VARCHAR(64) NOT NULL, op VARCHAR(8) NOT NULL,
  pk TEXT NOT NULL, at DATETIME(6) NOT NULL) ${TABLE_OPTIONS}`;
export const CREATED_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(CREATED)} (
  ref VARCHAR(191) NOT NULL PRIMARY KEY, tbl VARCHAR(64) NOT NULL, record_key TEXT NOT NULL,
  at DATETIME(6) NOT NULL, INDEX ${quoteIdent(`${CREATED}_at`)} (at)) ${TABLE_OPTIONS}`;
export const ECHO_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(ECHO)} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, tbl VARCHAR(64) NOT NULL, at DATETIME(6) NOT NULL) ${TABLE_OPTIONS}`;
export const BINLOG_START_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(BINLOG_START)} (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY, file VARCHAR(255) NOT NULL, pos BIGINT UNSIGNED NOT NULL,
  at DATETIME(6) NOT NULL) ${TABLE_OPTIONS}`;

/**
 * The value of `@concord_origin` while Concord writes `table`. Per table, so that what the write
 * sets off in other tables (the application's own triggers) is still captured; ASCII only, so that
 * no collation of the writer's session can make it compare differently.
 */
export function originToken(table: string): string {
  return `concord:${Buffer.from(table, "utf8").toString("hex")}`;
}

/** A trigger as Concord creates it; `body` is what information_schema.TRIGGERS keeps of it. */
export interface TriggerDef {
  readonly name: string;
  readonly table: string;
  readonly event: "INSERT" | "UPDATE" | "DELETE";
  readonly body: string;
}

/** Trigger names are at most 64 characters: a long table name is cut and told apart by a hash. */
export function triggerName(table: string, suffix: string): string {
  const name = `${PREFIX}${table}_${suffix}`;
  if (name.length <= 64) return name;
  const hash = createHash("sha256").update(table).digest("hex").slice(0, 8);
  return `${PREFIX}${table.slice(0, 64 - PREFIX.length - suffix.length - 10)}_${hash}_${suffix}`;
}

/** The statement creating a trigger (`orReplace`: MariaDB's gapless replacement). */
export function createTriggerSql(def: TriggerDef, orReplace: boolean): string {
  return `CREATE ${orReplace ? "OR REPLACE " : ""}TRIGGER ${quoteIdent(def.name)} AFTER ${def.event} ON ${quoteIdent(def.table)} FOR EACH ROW
${def.body}`;
}

/**
 * The three triggers that log a resource's changes by key, unless Concord itself is writing the
 * table. Rows with a NULL key are skipped (they cannot be addressed, and a failing trigger would
 * fail the application's own write); an update that changes the key logs a delete of the old key
 * before the upsert of the new one.
 */
export function triggersFor(spec: ResourceSpec): TriggerDef[] {
  const tbl = hexLiteral(spec.name);
  const key = quoteIdent(spec.key);
  const notOurs = `NOT (${ORIGIN_VARIABLE} <=> '${originToken(spec.name)}')`;
  const log = (op: string, row: "NEW" | "OLD") =>
    `INSERT INTO ${quoteIdent(CHANGELOG)} (tbl, op, pk, at) VALUES (${tbl}, '${op}', CAST(${row}.${key} AS CHAR), UTC_TIMESTAMP(6));`;
  const def = (suffix: string, event: TriggerDef["event"], body: string): TriggerDef => ({
    name: triggerName(spec.name, suffix),
    table: spec.name,
    event,
    body: `BEGIN\n${body}\nEND`,
  });
  return [
    def("ins", "INSERT", `  IF NEW.${key} IS NOT NULL AND ${notOurs} THEN\n    ${log("upsert", "NEW")}\n  END IF;`),
    def(
      "upd",
      "UPDATE",
      `  IF ${notOurs} THEN
    IF OLD.${key} IS NOT NULL AND NOT (CAST(OLD.${key} AS BINARY) <=> CAST(NEW.${key} AS BINARY)) THEN
      ${log("delete", "OLD")}
    END IF;
    IF NEW.${key} IS NOT NULL THEN
      ${log("upsert", "NEW")}
    END IF;
  END IF;`,
    ),
    def("del", "DELETE", `  IF OLD.${key} IS NOT NULL AND ${notOurs} THEN\n    ${log("delete", "OLD")}\n  END IF;`),
  ];
}

import { createHash } from "node:crypto";
import type { ResourceSpec } from "../connector.js";
import { quoteIdent, quoteLiteral } from "./postgres-session.js";

/** Every object Concord creates in a PostgreSQL schema starts with this prefix. */
export const PREFIX = "_concord_";

/** One row per captured change (trigger capture). */
export const CHANGELOG = `${PREFIX}changelog`;
/** ref → key of the records Concord created, written in the same transaction as the record. */
export const CREATED = `${PREFIX}created`;
/** The capture trigger's name, the same on every table. */
export const TRIGGER = `${PREFIX}capture`;
/** Names of the per-table capture functions start with this. */
export const FUNCTION_PREFIX = `${PREFIX}capture_`;
/** Concord's writer sets this transaction-local setting to the table it writes (see originOf). */
export const ORIGIN_SETTING = "concord.origin";

const MAX_NAME_BYTES = 63;

/** `"schema"."name"`. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * The value of `concord.origin` while Concord writes a table: the table's quoted, qualified name,
 * which no other table shares (an oid would change with a dump and restore; names do not).
 */
export function originOf(schema: string, table: string): string {
  return qualified(schema, table);
}

/**
 * The changelog. `txid` is the writing transaction's id: readers order by (txid, seq) and read only
 * transactions that can no longer commit, see postgres-change-capture.ts.
 */
export function changelogDdl(schema: string): string {
  const log = qualified(schema, CHANGELOG);
  return `CREATE TABLE IF NOT EXISTS ${log} (
  seq bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, pk text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(), txid bigint NOT NULL DEFAULT txid_current());
CREATE INDEX IF NOT EXISTS ${quoteIdent(`${CHANGELOG}_txid`)} ON ${log} (txid, seq)`;
}

/** The created-markers table. */
export function createdDdl(schema: string): string {
  const created = qualified(schema, CREATED);
  return `CREATE TABLE IF NOT EXISTS ${created} (
  ref text PRIMARY KEY, tbl text NOT NULL, key text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS ${quoteIdent(`${CREATED}_at`)} ON ${created} (at)`;
}

/** A table's capture function: its name, the body PostgreSQL stores (`prosrc`), and its DDL. */
export interface CaptureFunction {
  readonly name: string;
  readonly body: string;
  readonly ddl: string;
}

/** The name of a table's capture function: within 63 bytes, unique per table. */
export function functionName(table: string): string {
  const name = `${FUNCTION_PREFIX}${table}`;
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const hash = createHash("sha1").update(table).digest("hex").slice(0, 8);
  let head = name;
  while (Buffer.byteLength(`${head}_${hash}`) > MAX_NAME_BYTES) head = head.slice(0, -1);
  return `${head}_${hash}`;
}

/**
 * One function per table, so that the key is read as `NEW.key::text` (the text every other query
 * uses) without serializing the whole row. Rows with a NULL key are skipped: they cannot be
 * addressed, and a failing trigger would fail the application's own write. A key update logs a
 * delete of the old key before the upsert of the new one. `pg_notify` wakes a listening Concord
 * (notifications of one transaction are folded into one by the server).
 */
export function captureFunction(schema: string, spec: ResourceSpec, channel: string): CaptureFunction {
  const name = functionName(spec.name);
  const key = quoteIdent(spec.key);
  const tbl = quoteLiteral(spec.name);
  const log = `INSERT INTO ${qualified(schema, CHANGELOG)} (tbl, op, pk) VALUES`;
  const body = `
BEGIN
  IF current_setting(${quoteLiteral(ORIGIN_SETTING)}, true) = ${quoteLiteral(originOf(schema, spec.name))} THEN
    RETURN NULL;
  END IF;
  IF (TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.${key} IS DISTINCT FROM NEW.${key})) AND OLD.${key} IS NOT NULL THEN
    ${log} (${tbl}, 'delete', OLD.${key}::text);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.${key} IS NOT NULL THEN
    ${log} (${tbl}, 'upsert', NEW.${key}::text);
  END IF;
  PERFORM pg_notify(${quoteLiteral(channel)}, ${tbl});
  RETURN NULL;
END
`;
  const ddl = `CREATE OR REPLACE FUNCTION ${qualified(schema, name)}() RETURNS trigger LANGUAGE plpgsql AS $concord$${body}$concord$`;
  return { name, body, ddl };
}

/** AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW: `pg_trigger.tgtype` bits 1 | 4 | 8 | 16. */
export const TRIGGER_TYPE = 29;

/** The DDL of a table's capture trigger. */
export function triggerDdl(schema: string, table: string, fn: string): string {
  return `CREATE TRIGGER ${quoteIdent(TRIGGER)} AFTER INSERT OR UPDATE OR DELETE ON ${qualified(schema, table)}
  FOR EACH ROW EXECUTE FUNCTION ${qualified(schema, fn)}()`;
}

/** Prefix of the logical decoding messages Concord emits into the WAL (logical capture). */
export const MESSAGE_PREFIX = "concord";

/**
 * The content of the message Concord's writer emits in its transaction: the decoder then skips
 * that transaction's changes of that table (its own writes), but not those it cascaded elsewhere.
 */
export function echoMessage(system: string, origin: string): string {
  return `echo\n${system}\n${origin}`;
}

import { quoteIdent } from "./postgres-hub-connection.js";

/** A named statement: pg prepares it once per pooled connection and reuses the plan. */
export interface PostgresHubStatement {
  readonly name: string;
  readonly text: string;
}

const goldenColumns = `"entity", "uid", "fields", "meta", "deleted", "merged_into", "dirty", "created_at", "updated_at"`;
const linkColumns = `"entity", "uid", "system", "key", "state", "shadow"`;
const parkedColumns = `"id", "system", "entity", "change", "waiting_entity", "waiting_key", "at"`;
const runColumns = `"id", "command", "started_at", "finished_at", "status", "summary"`;
const journalInsert = `"run_id", "at", "entity", "uid", "kind", "system", "key", "field", "before", "after", "cause"`;

/** Columns read from the journal, with its `seq`. */
export const journalColumns = `"seq", ${journalInsert}`;
/** Columns of record_errors (its `seq` orders, it is not read). */
export const errorColumns = `"run_id", "at", "system", "entity", "key", "uid", "stage", "message"`;
/** Columns of conflicts. */
export const conflictColumns = `"id", "run_id", "entity", "uid", "field", "system", "value", "golden_value",
  "golden_system", "rule", "winner", "status", "created_at", "resolved_at"`;
/** Columns of duplicates. */
export const duplicateColumns = `"id", "entity", "uid", "other_uid", "reason", "status", "created_at"`;
/** Columns of write_failures. */
export const failureColumns = `"entity", "uid", "system", "attempts", "last_error", "next_at", "dead", "updated_at"`;

/**
 * `SELECT … FROM json_to_recordset($1::json)`: a batch arrives as one JSON array of row objects
 * keyed by column name. JSON.stringify and the server's JSON parser are both native; pg's own
 * array parameters are escaped in JavaScript and made a 10k-record commit 4× slower. JSON
 * columns travel as strings (JSON inside JSON): nested objects would be no faster, and the
 * server refuses a nested "\u0000" while it keeps an escaped one as text. Columns are text
 * unless `types` says otherwise. `ordered` numbers the rows so that an insert keeps the batch's
 * order (for seq).
 */
function fromBatch(columns: string, types: Record<string, "boolean" | "integer"> = {}, ordered = false): string {
  const names = columns.split(",").map((c) => c.trim());
  const definitions = names.map((name) => `${name} ${types[name.slice(1, -1)] ?? "text"}`).join(", ");
  if (!ordered) return `SELECT ${names.join(", ")} FROM json_to_recordset($1::json) AS b(${definitions})`;
  return `SELECT ${names.join(", ")} FROM ROWS FROM (json_to_recordset($1::json) AS (${definitions}))
    WITH ORDINALITY AS b(${names.join(", ")}, "n") ORDER BY "n"`;
}

/** `json_to_recordset($1::json) AS b(…)` of text columns, for deletes and updates that join a batch. */
function batchKeys(...names: string[]): string {
  return `json_to_recordset($1::json) AS b(${names.map((n) => `"${n}" text`).join(", ")})`;
}

/** `SET "a" = excluded."a", …` for an upsert that replaces the whole row. */
function replace(columns: string): string {
  return columns
    .split(",")
    .map((c) => c.trim())
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
}

/** Every statement of the hub in `schema`, by name; the text depends only on the schema. */
export function postgresHubStatements(schema: string) {
  const s = quoteIdent(schema);
  const t = (table: string): string => `${s}.${quoteIdent(table)}`;
  const statements = {
    upsertGoldens: `INSERT INTO ${t("golden")} (${goldenColumns})
      ${fromBatch(goldenColumns, { deleted: "boolean", dirty: "boolean" })}
      ON CONFLICT ("entity", "uid") DO UPDATE SET ${replace(goldenColumns.replace(`"entity", "uid", `, ""))}`,
    cleanGoldens: `UPDATE ${t("golden")} AS g SET "dirty" = false FROM ${batchKeys("entity", "uid")}
      WHERE g."entity" = b."entity" AND g."uid" = b."uid" AND g."dirty"`,
    goldensByUids: `SELECT ${goldenColumns} FROM ${t("golden")} WHERE "entity" = $1 AND "uid" = ANY($2::text[]) ORDER BY "uid"`,
    dirtyFirst: `SELECT "uid" FROM ${t("golden")} WHERE "entity" = $1 AND "dirty" ORDER BY "uid" LIMIT $2`,
    dirtyAfter: `SELECT "uid" FROM ${t("golden")} WHERE "entity" = $1 AND "dirty" AND "uid" > $2 ORDER BY "uid" LIMIT $3`,
    uidsFirst: `SELECT "uid" FROM ${t("golden")} WHERE "entity" = $1 ORDER BY "uid" LIMIT $2`,
    uidsAfter: `SELECT "uid" FROM ${t("golden")} WHERE "entity" = $1 AND "uid" > $2 ORDER BY "uid" LIMIT $3`,
    countGoldens: `SELECT count(*) FILTER (WHERE NOT "deleted")::int AS "live", count(*) FILTER (WHERE "deleted")::int AS "deleted",
      count(*) FILTER (WHERE "dirty")::int AS "dirty" FROM ${t("golden")} WHERE "entity" = $1`,

    deleteLinks: `DELETE FROM ${t("links")} AS l USING ${batchKeys("entity", "uid", "system")}
      WHERE l."entity" = b."entity" AND l."uid" = b."uid" AND l."system" = b."system"`,
    deleteMovedLinks: `DELETE FROM ${t("links")} AS l USING ${batchKeys("entity", "uid", "system", "key")}
      WHERE l."entity" = b."entity" AND l."uid" = b."uid" AND l."system" = b."system" AND l."key" <> b."key"`,
    upsertLinks: `INSERT INTO ${t("links")} (${linkColumns}) ${fromBatch(linkColumns)}
      ON CONFLICT ("entity", "uid", "system") DO UPDATE SET "key" = excluded."key", "state" = excluded."state",
        "shadow" = excluded."shadow"`,
    linksByKeys: `SELECT ${linkColumns} FROM ${t("links")}
      WHERE "entity" = $1 AND "system" = $2 AND "key" = ANY($3::text[]) ORDER BY "key"`,
    linksByUids: `SELECT ${linkColumns} FROM ${t("links")} WHERE "entity" = $1 AND "uid" = ANY($2::text[]) ORDER BY "uid", "system"`,
    linkKeysFirst: `SELECT "key" FROM ${t("links")} WHERE "entity" = $1 AND "system" = $2 AND "state" = 'active'
      ORDER BY "key" LIMIT $3`,
    linkKeysAfter: `SELECT "key" FROM ${t("links")} WHERE "entity" = $1 AND "system" = $2 AND "state" = 'active' AND "key" > $3
      ORDER BY "key" LIMIT $4`,
    linkStats: `SELECT "entity", "system", count(*) FILTER (WHERE "state" = 'active')::int AS "active",
      count(*) FILTER (WHERE "state" = 'detached')::int AS "detached"
      FROM ${t("links")} GROUP BY "entity", "system" ORDER BY "entity", "system"`,

    deleteMatchKeys: `DELETE FROM ${t("match_keys")} AS m USING ${batchKeys("entity", "uid")}
      WHERE m."entity" = b."entity" AND m."uid" = b."uid"`,
    insertMatchKeys: `INSERT INTO ${t("match_keys")} ("entity", "uid", "key") ${fromBatch(`"entity", "uid", "key"`)}
      ON CONFLICT DO NOTHING`,
    findByMatchKeys: `SELECT "key", "uid" FROM ${t("match_keys")} WHERE "entity" = $1 AND "key" = ANY($2::text[])
      ORDER BY "key", "uid"`,

    // Ordered: seq is handed out in the order the batch lists the entries.
    insertJournal: `INSERT INTO ${t("journal")} (${journalInsert})
      ${fromBatch(journalInsert, {}, true)}`,
    upsertConflicts: `INSERT INTO ${t("conflicts")} (${conflictColumns})
      ${fromBatch(conflictColumns)}
      ON CONFLICT ("id") DO UPDATE SET ${replace(conflictColumns.replace(`"id", `, ""))}`,
    getConflict: `SELECT ${conflictColumns} FROM ${t("conflicts")} WHERE "id" = $1`,
    upsertDuplicates: `INSERT INTO ${t("duplicates")} (${duplicateColumns})
      ${fromBatch(duplicateColumns)}
      ON CONFLICT ("id") DO UPDATE SET ${replace(duplicateColumns.replace(`"id", `, ""))}`,
    getDuplicate: `SELECT ${duplicateColumns} FROM ${t("duplicates")} WHERE "id" = $1`,
    insertErrors: `INSERT INTO ${t("record_errors")} (${errorColumns}) ${fromBatch(errorColumns, {}, true)}`,

    upsertCursors: `INSERT INTO ${t("cursors")} ("system", "cursor") ${fromBatch(`"system", "cursor"`)}
      ON CONFLICT ("system") DO UPDATE SET "cursor" = excluded."cursor"`,
    getCursor: `SELECT "cursor" FROM ${t("cursors")} WHERE "system" = $1`,
    upsertMeta: `INSERT INTO ${t("meta")} ("key", "value") ${fromBatch(`"key", "value"`)}
      ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`,
    getMeta: `SELECT "value" FROM ${t("meta")} WHERE "key" = $1`,
    // Taken when free, expired, or already the owner's; a returned row tells whether it was.
    // Times come from the server's clock, the one clock every process sharing the hub agrees on.
    tryLease: `WITH "now" AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS "ms")
      INSERT INTO ${t("leases")} AS l ("name", "owner", "expires_at") SELECT $1, $2, "ms" + $3 FROM "now"
      ON CONFLICT ("name") DO UPDATE SET "owner" = excluded."owner", "expires_at" = excluded."expires_at"
        WHERE l."expires_at" < (SELECT "ms" FROM "now") OR l."owner" = excluded."owner"
      RETURNING 1`,
    releaseLease: `DELETE FROM ${t("leases")} WHERE "name" = $1 AND "owner" = $2`,
    leaseHolder: `SELECT "owner" FROM ${t("leases")}
      WHERE "name" = $1 AND "expires_at" >= (extract(epoch FROM clock_timestamp()) * 1000)::bigint`,

    upsertParked: `INSERT INTO ${t("parked")} (${parkedColumns}) ${fromBatch(parkedColumns)}
      ON CONFLICT ("id") DO UPDATE SET ${replace(parkedColumns.replace(`"id", `, ""))}`,
    deleteParked: `DELETE FROM ${t("parked")} AS p USING ${batchKeys("id")} WHERE p."id" = b."id"`,
    listParked: `SELECT ${parkedColumns} FROM ${t("parked")} ORDER BY "at", "id"`,

    upsertWriteFailures: `INSERT INTO ${t("write_failures")} (${failureColumns})
      ${fromBatch(failureColumns, { attempts: "integer", dead: "boolean" })}
      ON CONFLICT ("entity", "uid", "system") DO UPDATE SET ${replace(failureColumns.replace(`"entity", "uid", "system", `, ""))}`,
    deleteWriteFailures: `DELETE FROM ${t("write_failures")} AS f USING ${batchKeys("entity", "uid", "system")}
      WHERE f."entity" = b."entity" AND f."uid" = b."uid" AND f."system" = b."system"`,
    writeFailuresByUids: `SELECT ${failureColumns} FROM ${t("write_failures")}
      WHERE "entity" = $1 AND "uid" = ANY($2::text[]) AND "system" = $3 ORDER BY "uid"`,

    upsertRun: `INSERT INTO ${t("runs")} (${runColumns}) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT ("id") DO UPDATE SET ${replace(runColumns.replace(`"id", `, ""))}`,
    getRun: `SELECT ${runColumns} FROM ${t("runs")} WHERE "id" = $1`,
    listRuns: `SELECT ${runColumns} FROM ${t("runs")} ORDER BY "started_at" DESC, "id" DESC LIMIT $1`,

    // Per-record locks (int8 keys) and the hub-wide lock (int4 pair) live in separate key spaces.
    lockRecords: `SELECT count(pg_advisory_xact_lock("k")) FROM unnest($1::bigint[]) AS b("k")`,
    lockHubShared: `SELECT pg_advisory_xact_lock_shared($1, hashtext($2))`,
    lockHubExclusive: `SELECT pg_advisory_xact_lock($1, hashtext($2))`,
  };
  const named = {} as Record<keyof typeof statements, PostgresHubStatement>;
  for (const [name, sql] of Object.entries(statements) as [keyof typeof statements, string][]) {
    named[name] = { name: `concord_hub_${name}`, text: sql };
  }
  return named;
}

/** The store's statements. */
export type PostgresHubStatements = ReturnType<typeof postgresHubStatements>;

/** The table of the hub in `schema`, quoted, for the filtered queries. */
export function hubTable(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

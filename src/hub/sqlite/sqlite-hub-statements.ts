import type Database from "better-sqlite3";
import type { ConflictRow, DuplicateRow, GoldenRow, LinkRow, ParkedRow, RunRow, WriteFailureRow } from "../hub-rows.js";

type Text = string | null;

// Lists of keys are bound as one JSON array and expanded by json_each: one prepared statement
// serves any number of keys, and SQLite still probes the index once per key.
const inList = `(SELECT "value" FROM json_each(?))`;

/** Prepares, once per store, every statement whose text does not depend on a filter. */
export function prepareSqliteHubStatements(db: Database.Database) {
  const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
  return {
    upsertGolden: p<[string, string, string, string, number, Text, number, string, string]>(
      `INSERT INTO "golden" ("entity", "uid", "fields", "meta", "deleted", "merged_into", "dirty", "created_at", "updated_at")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("entity", "uid") DO UPDATE SET "fields" = excluded."fields", "meta" = excluded."meta",
         "deleted" = excluded."deleted", "merged_into" = excluded."merged_into", "dirty" = excluded."dirty",
         "created_at" = excluded."created_at", "updated_at" = excluded."updated_at"`,
    ),
    cleanGolden: p<[string, string]>(
      `UPDATE "golden" SET "dirty" = 0 WHERE "entity" = ? AND "uid" = ? AND "dirty" = 1`,
    ),
    goldensByUids: p<[string, string], GoldenRow>(
      `SELECT * FROM "golden" WHERE "entity" = ? AND "uid" IN ${inList} ORDER BY "uid"`,
    ),
    dirtyFirst: p<[string, number], string>(
      `SELECT "uid" FROM "golden" WHERE "entity" = ? AND "dirty" = 1 ORDER BY "uid" LIMIT ?`,
    ).pluck(),
    dirtyAfter: p<[string, string, number], string>(
      `SELECT "uid" FROM "golden" WHERE "entity" = ? AND "dirty" = 1 AND "uid" > ? ORDER BY "uid" LIMIT ?`,
    ).pluck(),
    uidsFirst: p<[string, number], string>(
      `SELECT "uid" FROM "golden" WHERE "entity" = ? ORDER BY "uid" LIMIT ?`,
    ).pluck(),
    uidsAfter: p<[string, string, number], string>(
      `SELECT "uid" FROM "golden" WHERE "entity" = ? AND "uid" > ? ORDER BY "uid" LIMIT ?`,
    ).pluck(),
    countGoldens: p<[string], { live: number; deleted: number; dirty: number }>(
      `SELECT coalesce(sum("deleted" = 0), 0) AS "live", coalesce(sum("deleted"), 0) AS "deleted",
         coalesce(sum("dirty"), 0) AS "dirty" FROM "golden" WHERE "entity" = ?`,
    ),

    deleteLink: p<[string, string, string]>(`DELETE FROM "links" WHERE "entity" = ? AND "uid" = ? AND "system" = ?`),
    deleteMovedLink: p<[string, string, string, string]>(
      `DELETE FROM "links" WHERE "entity" = ? AND "uid" = ? AND "system" = ? AND "key" <> ?`,
    ),
    upsertLink: p<[string, string, string, string, string, string]>(
      `INSERT INTO "links" ("entity", "uid", "system", "key", "state", "shadow") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("entity", "uid", "system") DO UPDATE SET "key" = excluded."key", "state" = excluded."state",
         "shadow" = excluded."shadow"`,
    ),
    linksByKeys: p<[string, string, string], LinkRow>(
      `SELECT * FROM "links" WHERE "entity" = ? AND "system" = ? AND "key" IN ${inList} ORDER BY "key"`,
    ),
    linksByUids: p<[string, string], LinkRow>(
      `SELECT * FROM "links" WHERE "entity" = ? AND "uid" IN ${inList} ORDER BY "uid", "system"`,
    ),
    linkKeysFirst: p<[string, string, number], string>(
      `SELECT "key" FROM "links" WHERE "entity" = ? AND "system" = ? AND "state" = 'active'
       ORDER BY "key" LIMIT ?`,
    ).pluck(),
    linkKeysAfter: p<[string, string, string, number], string>(
      `SELECT "key" FROM "links" WHERE "entity" = ? AND "system" = ? AND "state" = 'active' AND "key" > ?
       ORDER BY "key" LIMIT ?`,
    ).pluck(),
    linkStats: p<[], { entity: string; system: string; active: number; detached: number }>(
      `SELECT "entity", "system", sum("state" = 'active') AS "active", sum("state" = 'detached') AS "detached"
       FROM "links" GROUP BY "entity", "system" ORDER BY "entity", "system"`,
    ),

    deleteMatchKeys: p<[string, string]>(`DELETE FROM "match_keys" WHERE "entity" = ? AND "uid" = ?`),
    insertMatchKey: p<[string, string, string]>(
      `INSERT INTO "match_keys" ("entity", "uid", "key") VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    findByMatchKeys: p<[string, string], { key: string; uid: string }>(
      // INDEXED BY: the covering primary key tempts the planner into scanning every key of the
      // entity with a Bloom filter, which turns a bulk load quadratic.
      `SELECT "key", "uid" FROM "match_keys" INDEXED BY "match_keys_key" WHERE "entity" = ? AND "key" IN ${inList} ORDER BY "key", "uid"`,
    ),

    insertJournal: p<[string, string, string, string, string, string, Text, Text, Text, Text, string]>(
      `INSERT INTO "journal" ("run_id", "at", "entity", "uid", "kind", "system", "key", "field", "before", "after", "cause")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertConflict: p<
      [string, string, string, string, string, string, string, string, string, string, Text, string, string, Text]
    >(
      `INSERT INTO "conflicts" ("id", "run_id", "entity", "uid", "field", "system", "value", "golden_value",
         "golden_system", "rule", "winner", "status", "created_at", "resolved_at")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("id") DO UPDATE SET "run_id" = excluded."run_id", "entity" = excluded."entity",
         "uid" = excluded."uid", "field" = excluded."field", "system" = excluded."system", "value" = excluded."value",
         "golden_value" = excluded."golden_value", "golden_system" = excluded."golden_system", "rule" = excluded."rule",
         "winner" = excluded."winner", "status" = excluded."status", "created_at" = excluded."created_at",
         "resolved_at" = excluded."resolved_at"`,
    ),
    getConflict: p<[string], ConflictRow>(`SELECT * FROM "conflicts" WHERE "id" = ?`),
    upsertDuplicate: p<[string, string, string, string, string, string, string]>(
      `INSERT INTO "duplicates" ("id", "entity", "uid", "other_uid", "reason", "status", "created_at")
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("id") DO UPDATE SET "entity" = excluded."entity", "uid" = excluded."uid",
         "other_uid" = excluded."other_uid", "reason" = excluded."reason", "status" = excluded."status",
         "created_at" = excluded."created_at"`,
    ),
    getDuplicate: p<[string], DuplicateRow>(`SELECT * FROM "duplicates" WHERE "id" = ?`),
    insertError: p<[string, string, string, string, Text, Text, string, string]>(
      `INSERT INTO "record_errors" ("run_id", "at", "system", "entity", "key", "uid", "stage", "message")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),

    upsertCursor: p<[string, string]>(
      `INSERT INTO "cursors" ("system", "cursor") VALUES (?, ?)
       ON CONFLICT ("system") DO UPDATE SET "cursor" = excluded."cursor"`,
    ),
    getCursor: p<[string], string>(`SELECT "cursor" FROM "cursors" WHERE "system" = ?`).pluck(),
    upsertMeta: p<[string, string]>(
      `INSERT INTO "meta" ("key", "value") VALUES (?, ?) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`,
    ),
    getMeta: p<[string], string>(`SELECT "value" FROM "meta" WHERE "key" = ?`).pluck(),
    // Taken when free, expired, or already the owner's; `changes` tells whether it was.
    tryLease: p<[string, string, number, number]>(
      `INSERT INTO "leases" ("name", "owner", "expires_at") VALUES (?, ?, ?)
       ON CONFLICT ("name") DO UPDATE SET "owner" = excluded."owner", "expires_at" = excluded."expires_at"
       WHERE "leases"."expires_at" < ? OR "leases"."owner" = excluded."owner"`,
    ),
    releaseLease: p<[string, string]>(`DELETE FROM "leases" WHERE "name" = ? AND "owner" = ?`),
    leaseHolder: p<[string, number], string>(
      `SELECT "owner" FROM "leases" WHERE "name" = ? AND "expires_at" >= ?`,
    ).pluck(),

    upsertParked: p<[string, string, string, string, string, string, string]>(
      `INSERT INTO "parked" ("id", "system", "entity", "change", "waiting_entity", "waiting_key", "at")
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("id") DO UPDATE SET "system" = excluded."system", "entity" = excluded."entity",
         "change" = excluded."change", "waiting_entity" = excluded."waiting_entity",
         "waiting_key" = excluded."waiting_key", "at" = excluded."at"`,
    ),
    deleteParked: p<[string]>(`DELETE FROM "parked" WHERE "id" = ?`),
    listParked: p<[], ParkedRow>(`SELECT * FROM "parked" ORDER BY "at", "id"`),

    upsertWriteFailure: p<[string, string, string, number, string, string, number, string]>(
      `INSERT INTO "write_failures" ("entity", "uid", "system", "attempts", "last_error", "next_at", "dead", "updated_at")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("entity", "uid", "system") DO UPDATE SET "attempts" = excluded."attempts",
         "last_error" = excluded."last_error", "next_at" = excluded."next_at", "dead" = excluded."dead",
         "updated_at" = excluded."updated_at"`,
    ),
    deleteWriteFailure: p<[string, string, string]>(
      `DELETE FROM "write_failures" WHERE "entity" = ? AND "uid" = ? AND "system" = ?`,
    ),
    writeFailuresByUids: p<[string, string, string], WriteFailureRow>(
      `SELECT * FROM "write_failures" WHERE "entity" = ? AND "uid" IN ${inList} AND "system" = ? ORDER BY "uid"`,
    ),

    upsertRun: p<[string, string, string, Text, string, Text]>(
      `INSERT INTO "runs" ("id", "command", "started_at", "finished_at", "status", "summary") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("id") DO UPDATE SET "command" = excluded."command", "started_at" = excluded."started_at",
         "finished_at" = excluded."finished_at", "status" = excluded."status", "summary" = excluded."summary"`,
    ),
    getRun: p<[string], RunRow>(`SELECT * FROM "runs" WHERE "id" = ?`),
    listRuns: p<[number], RunRow>(`SELECT * FROM "runs" ORDER BY "started_at" DESC, "id" DESC LIMIT ?`),
  };
}

/** The store's prepared statements. */
export type SqliteHubStatements = ReturnType<typeof prepareSqliteHubStatements>;

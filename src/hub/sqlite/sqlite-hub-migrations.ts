import type Database from "better-sqlite3";
import { ConcordError } from "../../core/errors.js";

/** One schema step; applied once, in version order, inside a transaction. */
export interface SqliteHubMigration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

// JSON columns are TEXT. No foreign keys: the engine keeps the hub consistent, and checking
// them would slow down million-record initial loads for no gain.
const initialSchema = `
CREATE TABLE "golden" (
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "fields" TEXT NOT NULL,
  "meta" TEXT NOT NULL,
  "deleted" INTEGER NOT NULL,
  "merged_into" TEXT,
  "dirty" INTEGER NOT NULL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  PRIMARY KEY ("entity", "uid")
);
CREATE INDEX "golden_dirty" ON "golden" ("entity", "dirty", "uid");

CREATE TABLE "links" (
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "system" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  "state" TEXT NOT NULL,
  "shadow" TEXT NOT NULL,
  PRIMARY KEY ("entity", "uid", "system"),
  UNIQUE ("entity", "system", "key")
);

CREATE TABLE "match_keys" (
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  PRIMARY KEY ("entity", "uid", "key")
);
CREATE INDEX "match_keys_key" ON "match_keys" ("entity", "key");

CREATE TABLE "journal" (
  "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
  "run_id" TEXT NOT NULL,
  "at" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "system" TEXT NOT NULL,
  "key" TEXT,
  "field" TEXT,
  "before" TEXT,
  "after" TEXT,
  "cause" TEXT NOT NULL
);
CREATE INDEX "journal_uid" ON "journal" ("uid");
CREATE INDEX "journal_run_id" ON "journal" ("run_id");
CREATE INDEX "journal_at" ON "journal" ("at");

CREATE TABLE "conflicts" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "run_id" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "field" TEXT NOT NULL,
  "system" TEXT NOT NULL,
  "value" TEXT NOT NULL,
  "golden_value" TEXT NOT NULL,
  "golden_system" TEXT NOT NULL,
  "rule" TEXT NOT NULL,
  "winner" TEXT,
  "status" TEXT NOT NULL,
  "created_at" TEXT NOT NULL,
  "resolved_at" TEXT
);
CREATE INDEX "conflicts_status" ON "conflicts" ("status", "created_at");
CREATE INDEX "conflicts_uid" ON "conflicts" ("uid");

CREATE TABLE "duplicates" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "other_uid" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "created_at" TEXT NOT NULL
);
CREATE INDEX "duplicates_status" ON "duplicates" ("status", "created_at");

CREATE TABLE "record_errors" (
  "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
  "run_id" TEXT NOT NULL,
  "at" TEXT NOT NULL,
  "system" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "key" TEXT,
  "uid" TEXT,
  "stage" TEXT NOT NULL,
  "message" TEXT NOT NULL
);
CREATE INDEX "record_errors_run_id" ON "record_errors" ("run_id");
CREATE INDEX "record_errors_system" ON "record_errors" ("system");

CREATE TABLE "cursors" (
  "system" TEXT PRIMARY KEY NOT NULL,
  "cursor" TEXT NOT NULL
);

CREATE TABLE "parked" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "system" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "change" TEXT NOT NULL,
  "waiting_entity" TEXT NOT NULL,
  "waiting_key" TEXT NOT NULL,
  "at" TEXT NOT NULL
);
CREATE INDEX "parked_waiting" ON "parked" ("waiting_entity", "waiting_key");

CREATE TABLE "write_failures" (
  "entity" TEXT NOT NULL,
  "uid" TEXT NOT NULL,
  "system" TEXT NOT NULL,
  "attempts" INTEGER NOT NULL,
  "last_error" TEXT NOT NULL,
  "next_at" TEXT NOT NULL,
  "dead" INTEGER NOT NULL,
  "updated_at" TEXT NOT NULL,
  PRIMARY KEY ("entity", "uid", "system")
);
CREATE INDEX "write_failures_system" ON "write_failures" ("system", "dead", "next_at");

CREATE TABLE "runs" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "command" TEXT NOT NULL,
  "started_at" TEXT NOT NULL,
  "finished_at" TEXT,
  "status" TEXT NOT NULL,
  "summary" TEXT
);
CREATE INDEX "runs_started_at" ON "runs" ("started_at");

CREATE TABLE "meta" (
  "key" TEXT PRIMARY KEY NOT NULL,
  "value" TEXT NOT NULL
);
`;

/** Every schema step this version of Concord knows, oldest first. Append; never edit one that shipped. */
export const sqliteHubMigrations: readonly SqliteHubMigration[] = [
  { version: 1, name: "initial", up: (db) => db.exec(initialSchema) },
  {
    version: 2,
    name: "leases",
    up: (db) =>
      db.exec(`CREATE TABLE "leases" (
        "name" TEXT PRIMARY KEY NOT NULL,
        "owner" TEXT NOT NULL,
        "expires_at" INTEGER NOT NULL
      )`),
  },
];

/** The newest schema version this code knows. */
export const latestSqliteHubVersion = Math.max(...sqliteHubMigrations.map((m) => m.version));

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS "schema_migrations" (
  "version" INTEGER PRIMARY KEY NOT NULL,
  "name" TEXT NOT NULL,
  "applied_at" TEXT NOT NULL
)`;

/** The hub's schema version: 0 for an empty database. */
export function sqliteHubVersion(db: Database.Database): number {
  const table = db
    .prepare<[string], { name: string }>(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" = ?`)
    .get("schema_migrations");
  if (table === undefined) return 0;
  const row = db
    .prepare<[], { version: number | null }>(`SELECT max("version") AS "version" FROM "schema_migrations"`)
    .get();
  return row?.version ?? 0;
}

/** Refuses a hub written by a newer Concord: its data may mean things this code cannot read. */
export function assertKnownSqliteHubVersion(version: number): void {
  if (version > latestSqliteHubVersion) {
    throw new ConcordError(
      "hub",
      `hub schema version ${version} is newer than this Concord knows (${latestSqliteHubVersion}): upgrade Concord`,
    );
  }
}

/** Applies the pending migrations; a no-op on an up-to-date hub. */
export function migrateSqliteHub(db: Database.Database): void {
  // IMMEDIATE takes the write lock first, so two processes starting at once do not both migrate.
  const apply = db.transaction(() => {
    db.exec(createMigrationsTable);
    const current = sqliteHubVersion(db);
    assertKnownSqliteHubVersion(current);
    const record = db.prepare<[number, string, string]>(
      `INSERT INTO "schema_migrations" ("version", "name", "applied_at") VALUES (?, ?, ?)`,
    );
    for (const migration of sqliteHubMigrations) {
      if (migration.version <= current) continue;
      migration.up(db);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  });
  apply.immediate();
}

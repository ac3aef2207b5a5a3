import type pg from "pg";
import { ConcordError } from "../../core/errors.js";
import { quoteIdent } from "./postgres-hub-connection.js";

/** One schema step; applied once, in version order, inside the migration transaction. */
export interface PostgresHubMigration {
  readonly version: number;
  readonly name: string;
  /** The step's SQL for the hub in schema `s` (already quoted). */
  readonly up: (s: string) => string;
}

// Every text column sorts bytewise (COLLATE "C"), as SQLite does: uid and key paging must give
// the same order on every server, whatever its locale. JSON columns are text, not jsonb: the
// store only ever reads and replaces whole values, text keeps them exactly as written (key
// order, "\u0000", which jsonb refuses), and 10k-row upserts of golden records ran 20-25 %
// faster than into jsonb columns (reads were equal).
// No foreign keys: the engine keeps the hub consistent, and checking them would slow down
// million-record initial loads for no gain.
const initialSchema = (s: string): string => `
CREATE TABLE ${s}."golden" (
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "fields" text NOT NULL,
  "meta" text NOT NULL,
  "deleted" boolean NOT NULL,
  "merged_into" text COLLATE "C",
  "dirty" boolean NOT NULL,
  "created_at" text COLLATE "C" NOT NULL,
  "updated_at" text COLLATE "C" NOT NULL,
  PRIMARY KEY ("entity", "uid")
);
-- Partial: the dirty set is small and churns, the whole table need not be indexed for it.
CREATE INDEX "golden_dirty" ON ${s}."golden" ("entity", "uid") WHERE "dirty";

CREATE TABLE ${s}."links" (
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "system" text COLLATE "C" NOT NULL,
  "key" text COLLATE "C" NOT NULL,
  "state" text COLLATE "C" NOT NULL,
  "shadow" text NOT NULL,
  PRIMARY KEY ("entity", "uid", "system"),
  UNIQUE ("entity", "system", "key")
);

CREATE TABLE ${s}."match_keys" (
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "key" text COLLATE "C" NOT NULL,
  PRIMARY KEY ("entity", "uid", "key")
);
CREATE INDEX "match_keys_key" ON ${s}."match_keys" ("entity", "key");

CREATE TABLE ${s}."journal" (
  "seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "run_id" text COLLATE "C" NOT NULL,
  "at" text COLLATE "C" NOT NULL,
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "kind" text COLLATE "C" NOT NULL,
  "system" text COLLATE "C" NOT NULL,
  "key" text COLLATE "C",
  "field" text COLLATE "C",
  "before" text,
  "after" text,
  "cause" text COLLATE "C" NOT NULL
);
CREATE INDEX "journal_uid" ON ${s}."journal" ("uid");
CREATE INDEX "journal_run_id" ON ${s}."journal" ("run_id");
CREATE INDEX "journal_at" ON ${s}."journal" ("at");

CREATE TABLE ${s}."conflicts" (
  "id" text COLLATE "C" PRIMARY KEY,
  "run_id" text COLLATE "C" NOT NULL,
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "field" text COLLATE "C" NOT NULL,
  "system" text COLLATE "C" NOT NULL,
  "value" text NOT NULL,
  "golden_value" text NOT NULL,
  "golden_system" text COLLATE "C" NOT NULL,
  "rule" text COLLATE "C" NOT NULL,
  "winner" text COLLATE "C",
  "status" text COLLATE "C" NOT NULL,
  "created_at" text COLLATE "C" NOT NULL,
  "resolved_at" text COLLATE "C"
);
CREATE INDEX "conflicts_status" ON ${s}."conflicts" ("status", "created_at");
CREATE INDEX "conflicts_uid" ON ${s}."conflicts" ("uid");

CREATE TABLE ${s}."duplicates" (
  "id" text COLLATE "C" PRIMARY KEY,
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "other_uid" text COLLATE "C" NOT NULL,
  "reason" text NOT NULL,
  "status" text COLLATE "C" NOT NULL,
  "created_at" text COLLATE "C" NOT NULL
);
CREATE INDEX "duplicates_status" ON ${s}."duplicates" ("status", "created_at");

CREATE TABLE ${s}."record_errors" (
  "seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "run_id" text COLLATE "C" NOT NULL,
  "at" text COLLATE "C" NOT NULL,
  "system" text COLLATE "C" NOT NULL,
  "entity" text COLLATE "C" NOT NULL,
  "key" text COLLATE "C",
  "uid" text COLLATE "C",
  "stage" text COLLATE "C" NOT NULL,
  "message" text NOT NULL
);
CREATE INDEX "record_errors_run_id" ON ${s}."record_errors" ("run_id");
CREATE INDEX "record_errors_system" ON ${s}."record_errors" ("system");

CREATE TABLE ${s}."cursors" (
  "system" text COLLATE "C" PRIMARY KEY,
  "cursor" text NOT NULL
);

CREATE TABLE ${s}."parked" (
  "id" text COLLATE "C" PRIMARY KEY,
  "system" text COLLATE "C" NOT NULL,
  "entity" text COLLATE "C" NOT NULL,
  "change" text NOT NULL,
  "waiting_entity" text COLLATE "C" NOT NULL,
  "waiting_key" text COLLATE "C" NOT NULL,
  "at" text COLLATE "C" NOT NULL
);
CREATE INDEX "parked_waiting" ON ${s}."parked" ("waiting_entity", "waiting_key");

CREATE TABLE ${s}."write_failures" (
  "entity" text COLLATE "C" NOT NULL,
  "uid" text COLLATE "C" NOT NULL,
  "system" text COLLATE "C" NOT NULL,
  "attempts" integer NOT NULL,
  "last_error" text NOT NULL,
  "next_at" text COLLATE "C" NOT NULL,
  "dead" boolean NOT NULL,
  "updated_at" text COLLATE "C" NOT NULL,
  PRIMARY KEY ("entity", "uid", "system")
);
CREATE INDEX "write_failures_system" ON ${s}."write_failures" ("system", "dead", "next_at");

CREATE TABLE ${s}."runs" (
  "id" text COLLATE "C" PRIMARY KEY,
  "command" text NOT NULL,
  "started_at" text COLLATE "C" NOT NULL,
  "finished_at" text COLLATE "C",
  "status" text COLLATE "C" NOT NULL,
  "summary" text
);
CREATE INDEX "runs_started_at" ON ${s}."runs" ("started_at");

CREATE TABLE ${s}."meta" (
  "key" text COLLATE "C" PRIMARY KEY,
  "value" text NOT NULL
);
`;

/** Every schema step this version of Concord knows, oldest first. Append; never edit one that shipped. */
export const postgresHubMigrations: readonly PostgresHubMigration[] = [
  { version: 1, name: "initial", up: initialSchema },
  {
    version: 2,
    name: "leases",
    up: (s) => `CREATE TABLE ${s}."leases" (
      "name" text COLLATE "C" PRIMARY KEY,
      "owner" text COLLATE "C" NOT NULL,
      "expires_at" bigint NOT NULL
    )`,
  },
];

/** The newest schema version this code knows. */
export const latestPostgresHubVersion = Math.max(...postgresHubMigrations.map((m) => m.version));

// Advisory lock keys are (space, hashtext(schema)): one migration at a time per hub schema,
// across every process and every database user. The number is "CoNm" in ASCII.
const migrationLockSpace = 0x436f4e6d;

/** The hub's schema version: 0 when the schema or its migrations table does not exist yet. */
export async function postgresHubVersion(client: pg.ClientBase, schema: string): Promise<number> {
  const table = `${quoteIdent(schema)}."schema_migrations"`;
  const found = await client.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS "t"`, [table]);
  if (found.rows[0]?.t == null) return 0;
  const row = await client.query<{ v: number | null }>(`SELECT max("version") AS "v" FROM ${table}`);
  return row.rows[0]?.v ?? 0;
}

/** Refuses a hub written by a newer Concord: its data may mean things this code cannot read. */
export function assertKnownPostgresHubVersion(version: number): void {
  if (version > latestPostgresHubVersion) {
    throw new ConcordError(
      "hub",
      `hub schema version ${version} is newer than this Concord knows (${latestPostgresHubVersion}): upgrade Concord`,
    );
  }
}

/** Applies the pending migrations; the caller runs this in one transaction. A no-op on an up-to-date hub. */
export async function migratePostgresHub(client: pg.ClientBase, schema: string): Promise<void> {
  // Held until the transaction ends: a second process starting at the same moment waits here,
  // then finds the schema current.
  await client.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [migrationLockSpace, schema]);
  const s = quoteIdent(schema);
  // CREATE … IF NOT EXISTS needs the CREATE privilege even when the object exists; asking first
  // lets a user without it run on a hub an administrator made.
  const exists = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
  const current = await postgresHubVersion(client, schema);
  if (current === 0) {
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}."schema_migrations" (
      "version" integer PRIMARY KEY,
      "name" text NOT NULL,
      "applied_at" text NOT NULL
    )`);
  }
  assertKnownPostgresHubVersion(current);
  for (const migration of postgresHubMigrations) {
    if (migration.version <= current) continue;
    await client.query(migration.up(s));
    await client.query(`INSERT INTO ${s}."schema_migrations" ("version", "name", "applied_at") VALUES ($1, $2, $3)`, [
      migration.version,
      migration.name,
      new Date().toISOString(),
    ]);
  }
}

import { qualified } from "./postgres-capture-schema.js";
import { type Db, quoteIdent } from "./postgres-session.js";
import type { TableInfo } from "./postgres-tables.js";

/** A replication slot as pg_replication_slots shows it. */
export interface SlotState {
  readonly database: string | null;
  readonly plugin: string | null;
  readonly confirmed: string | null;
  readonly here: boolean;
}

/** The slot named `slot`, wherever it is; undefined when there is none. */
export async function slotState(db: Db, slot: string): Promise<SlotState | undefined> {
  const { rows } = await db.query<SlotState>(
    `SELECT database, plugin, confirmed_flush_lsn::text AS confirmed,
            slot_type = 'logical' AND database = current_database() AND plugin = 'pgoutput' AS here
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  return rows[0];
}

/**
 * Why logical decoding could not name the key of a table's deleted rows, if it could not: it
 * sends only the replica identity of a deleted row (the primary key, unless the table says
 * otherwise). Such a table also refuses updates and deletes once published, so Concord does not
 * publish it: the user chooses (REPLICA IDENTITY FULL, an index, or trigger capture).
 */
export async function replicaIdentityProblem(db: Db, info: TableInfo): Promise<string | undefined> {
  const { rows } = await db.query<{ ident: string; columns: string[] | null }>(
    `SELECT c.relreplident AS ident,
            (SELECT array_agg(a.attname::text) FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
              WHERE i.indrelid = c.oid
                AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))
            ) AS columns
       FROM pg_class c WHERE c.oid = $1`,
    [info.oid],
  );
  const row = rows[0];
  if (!row || row.ident === "f" || row.columns?.includes(info.spec.key)) return undefined;
  return (
    `table "${info.spec.name}": logical decoding would not name the key "${info.spec.key}" of deleted rows ` +
    `(it is not in the table's replica identity); run ALTER TABLE ${info.table} REPLICA IDENTITY FULL ` +
    "(or USING INDEX a unique index on the key), or use capture: trigger"
  );
}

/** The tables of a publication, qualified; undefined when there is no such publication. */
async function publicationTables(db: Db, publication: string): Promise<Set<string> | undefined> {
  const { rows: found } = await db.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [publication]);
  if (found.length === 0) return undefined;
  const { rows } = await db.query<{ schemaname: string; tablename: string }>(
    "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1",
    [publication],
  );
  return new Set(rows.map((r) => qualified(r.schemaname, r.tablename)));
}

/** Whether the publication exists and publishes exactly these tables. */
export async function publicationInPlace(db: Db, publication: string, tables: readonly TableInfo[]): Promise<boolean> {
  const published = await publicationTables(db, publication);
  return (
    published !== undefined &&
    sameSet(
      published,
      tables.map((t) => t.table),
    )
  );
}

/** Creates the publication, or makes it publish exactly these tables; answers whether it was created. */
export async function ensurePublication(db: Db, publication: string, tables: readonly TableInfo[]): Promise<boolean> {
  const published = await publicationTables(db, publication);
  const names = tables.map((t) => t.table);
  const list = names.join(", ");
  if (published === undefined) {
    await db.query(`CREATE PUBLICATION ${quoteIdent(publication)}${list ? ` FOR TABLE ${list}` : ""}`);
    return true;
  }
  if (!sameSet(published, names) && list)
    await db.query(`ALTER PUBLICATION ${quoteIdent(publication)} SET TABLE ${list}`);
  return false;
}

function sameSet(a: ReadonlySet<string>, b: readonly string[]): boolean {
  return a.size === new Set(b).size && b.every((x) => a.has(x));
}

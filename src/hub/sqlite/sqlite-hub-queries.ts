import type { Conflict, DuplicateCandidate } from "../../core/types.js";
import type { JournalQuery } from "../hub-store.js";

/** SQL text with its bound values; the text depends only on which filters are set. */
export interface SqliteQuery {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

type Condition = readonly [sql: string, value: string | number | undefined];

// Only the filters that are set become conditions, so that SQLite can use the matching index
// (an `? IS NULL OR col = ?` form would defeat it).
function select(table: string, conditions: readonly Condition[], order: string, limit?: number): SqliteQuery {
  const set = conditions.filter((c): c is readonly [string, string | number] => c[1] !== undefined);
  const where = set.length === 0 ? "" : ` WHERE ${set.map((c) => c[0]).join(" AND ")}`;
  const params = set.map((c) => c[1]);
  // LIMIT -1 is SQLite's "no limit".
  return { sql: `SELECT * FROM "${table}"${where} ORDER BY ${order} LIMIT ?`, params: [...params, limit ?? -1] };
}

/** The journal, oldest first. */
export function journalQuery(q: JournalQuery): SqliteQuery {
  return select(
    "journal",
    [
      [`"uid" = ?`, q.uid],
      [`"run_id" = ?`, q.runId],
      [`"system" = ?`, q.system],
      [`"entity" = ?`, q.entity],
      [`"at" >= ?`, q.since],
      [`"seq" > ?`, q.afterSeq],
    ],
    `"seq"`,
    q.limit,
  );
}

/** Conflicts, oldest first. */
export function conflictsQuery(f: { status?: Conflict["status"]; uid?: string; entity?: string }): SqliteQuery {
  return select(
    "conflicts",
    [
      [`"status" = ?`, f.status],
      [`"uid" = ?`, f.uid],
      [`"entity" = ?`, f.entity],
    ],
    `"created_at", "id"`,
  );
}

/** Duplicate candidates, oldest first. */
export function duplicatesQuery(f: { status?: DuplicateCandidate["status"]; entity?: string }): SqliteQuery {
  return select(
    "duplicates",
    [
      [`"status" = ?`, f.status],
      [`"entity" = ?`, f.entity],
    ],
    `"created_at", "id"`,
  );
}

/** Record errors, newest first. */
export function errorsQuery(f: { runId?: string; system?: string; limit?: number }): SqliteQuery {
  return select(
    "record_errors",
    [
      [`"run_id" = ?`, f.runId],
      [`"system" = ?`, f.system],
    ],
    `"seq" DESC`,
    f.limit,
  );
}

/** Write failures, the next one due first. */
export function writeFailuresQuery(f: { dead?: boolean; system?: string }): SqliteQuery {
  return select(
    "write_failures",
    [
      [`"system" = ?`, f.system],
      [`"dead" = ?`, f.dead === undefined ? undefined : Number(f.dead)],
    ],
    `"next_at", "entity", "uid", "system"`,
  );
}

import type { Conflict, DuplicateCandidate } from "../../core/types.js";
import type { JournalQuery } from "../hub-store.js";
import {
  conflictColumns,
  duplicateColumns,
  errorColumns,
  failureColumns,
  hubTable,
  journalColumns,
} from "./postgres-hub-statements.js";

/** SQL text with its bound values; the text depends only on the schema and which filters are set. */
export interface PostgresQuery {
  readonly text: string;
  readonly values: readonly (string | number | boolean | null)[];
}

type Condition = readonly [column: string, op: "=" | ">=" | ">", value: string | number | boolean | undefined];

// Only the filters that are set become conditions, so that the planner can use the matching
// index (a `$1 IS NULL OR col = $1` form would defeat it).
function select(
  schema: string,
  table: string,
  columns: string,
  conditions: readonly Condition[],
  order: string,
  limit?: number,
): PostgresQuery {
  const set = conditions.filter(
    (c): c is readonly [string, Condition[1], string | number | boolean] => c[2] !== undefined,
  );
  const where = set.length === 0 ? "" : ` WHERE ${set.map((c, i) => `"${c[0]}" ${c[1]} $${i + 1}`).join(" AND ")}`;
  // LIMIT NULL is PostgreSQL's "no limit".
  return {
    text: `SELECT ${columns} FROM ${hubTable(schema, table)}${where} ORDER BY ${order} LIMIT $${set.length + 1}`,
    values: [...set.map((c) => c[2]), limit ?? null],
  };
}

/** The journal, oldest first. */
export function journalQuery(schema: string, q: JournalQuery): PostgresQuery {
  return select(
    schema,
    "journal",
    journalColumns,
    [
      ["uid", "=", q.uid],
      ["run_id", "=", q.runId],
      ["system", "=", q.system],
      ["entity", "=", q.entity],
      ["at", ">=", q.since],
      ["seq", ">", q.afterSeq],
    ],
    `"seq"`,
    q.limit,
  );
}

/** Conflicts, oldest first. */
export function conflictsQuery(
  schema: string,
  f: { status?: Conflict["status"]; uid?: string; entity?: string },
): PostgresQuery {
  return select(
    schema,
    "conflicts",
    conflictColumns,
    [
      ["status", "=", f.status],
      ["uid", "=", f.uid],
      ["entity", "=", f.entity],
    ],
    `"created_at", "id"`,
  );
}

/** Duplicate candidates, oldest first. */
export function duplicatesQuery(
  schema: string,
  f: { status?: DuplicateCandidate["status"]; entity?: string },
): PostgresQuery {
  return select(
    schema,
    "duplicates",
    duplicateColumns,
    [
      ["status", "=", f.status],
      ["entity", "=", f.entity],
    ],
    `"created_at", "id"`,
  );
}

/** Record errors, newest first. */
export function errorsQuery(schema: string, f: { runId?: string; system?: string; limit?: number }): PostgresQuery {
  return select(
    schema,
    "record_errors",
    errorColumns,
    [
      ["run_id", "=", f.runId],
      ["system", "=", f.system],
    ],
    `"seq" DESC`,
    f.limit,
  );
}

/** Write failures, the next one due first. */
export function writeFailuresQuery(schema: string, f: { dead?: boolean; system?: string }): PostgresQuery {
  return select(
    schema,
    "write_failures",
    failureColumns,
    [
      ["system", "=", f.system],
      ["dead", "=", f.dead],
    ],
    `"next_at", "entity", "uid", "system"`,
  );
}

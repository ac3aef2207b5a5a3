import type { SourceChange } from "../../core/types.js";
import type { ChangeBatch, ChangeCapture, ResourceSpec } from "../connector.js";
import { type MysqlSession, quoteIdent } from "./mysql-database.js";
import { rowFrom } from "./mysql-rows.js";
import type { MysqlTables, TableInfo } from "./mysql-tables.js";
import { teardownCapture } from "./mysql-teardown.js";

const DEFAULT_LIMIT = 1000;

/** Per table, the (cursor column, key) of the last row read, both as text. */
type PollCursor = Record<string, readonly [string, string]>;

/** Which column tells that a table's row changed. */
export interface CursorColumns {
  readonly cursorColumn: string;
  readonly cursorColumns?: Readonly<Record<string, string>> | undefined;
}

/** A row read, with what orders it. */
interface Polled {
  readonly tbl: string;
  readonly mark: readonly [string, string];
  /** Times, then numbers, then text: cursor columns of different kinds cannot be compared. */
  readonly order: readonly [kind: number, value: number | string];
  readonly change: SourceChange;
}

/**
 * Change capture by polling: a change is a row whose cursor column (an `updated_at` the
 * application or `ON UPDATE CURRENT_TIMESTAMP(6)` keeps, or a version number) is past the last
 * one read. Nothing is installed in the database. The cursor holds, per table, the last
 * (cursor value, key) read, so rows sharing a cursor value are told apart by key.
 *
 * What polling cannot see: deletes (a full snapshot, `concord sync --full`, finds them); rows
 * whose cursor column is NULL; a row whose transaction commits after a later value was already
 * read (its value is then behind the cursor). Concord's own writes come back as changes: the
 * engine's shadow compare makes them no-ops. How often it polls is the daemon's `pollEvery`.
 */
export class MysqlPollCapture implements ChangeCapture {
  readonly #session: MysqlSession;
  readonly #tables: MysqlTables;
  readonly #columns: CursorColumns;

  constructor(session: MysqlSession, tables: MysqlTables, columns: CursorColumns) {
    this.#session = session;
    this.#tables = tables;
    this.#columns = columns;
  }

  /** Installs nothing: checks that every table has its cursor column. */
  async install(): Promise<void> {
    for (const spec of this.#tables.specs) await this.#cursorColumn(spec);
  }

  async isInstalled(): Promise<boolean> {
    for (const spec of this.#tables.specs) {
      const info = await this.#tables.get(spec.name);
      if (!info.byName.has(this.#columnName(spec).toLowerCase())) return false;
    }
    return true;
  }

  /** Per table, the highest (cursor value, key) now. */
  async currentCursor(): Promise<string> {
    const cursor: PollCursor = {};
    for (const spec of this.#tables.specs) {
      const { info, column } = await this.#cursorColumn(spec);
      const [row] = await this.#session.run(`reading the last change of ${spec.name}`, (sql) =>
        sql.arrays(
          `SELECT CAST(${column} AS CHAR), ${info.keyText} FROM ${info.table}
           WHERE ${column} IS NOT NULL AND ${info.key} IS NOT NULL ORDER BY ${column} DESC, ${info.key} DESC LIMIT 1`,
        ),
      );
      if (row) cursor[spec.name] = [String(row[0]), String(row[1])];
    }
    return JSON.stringify(cursor);
  }

  async changes(cursor: string | null, options: { limit?: number } = {}): Promise<ChangeBatch> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw this.#session.error(`invalid limit ${limit}`);
    const from = this.#parse(cursor);
    const polled: Polled[] = [];
    let more = false;
    for (const spec of this.#tables.specs) {
      const rows = await this.#poll(spec, from[spec.name], limit + 1);
      more ||= rows.length > limit;
      polled.push(...rows);
    }
    // Oldest first across tables; a stable sort keeps each table's own order among equals.
    polled.sort((a, b) => compare(a.order, b.order));
    more ||= polled.length > limit;
    const page = polled.slice(0, limit);
    const next: PollCursor = { ...from };
    for (const p of page) next[p.tbl] = p.mark;
    return { changes: page.map((p) => p.change), cursor: JSON.stringify(next), more };
  }

  /** Nothing to prune; the cursor is still checked. */
  acknowledge(cursor: string): Promise<void> {
    return Promise.resolve(cursor).then((c) => {
      this.#parse(c);
    });
  }

  /** Removes what the writer may have created (`_concord_created`). */
  teardown(): Promise<string[]> {
    return teardownCapture(this.#session);
  }

  async #poll(spec: ResourceSpec, after: readonly [string, string] | undefined, limit: number): Promise<Polled[]> {
    const { info, column } = await this.#cursorColumn(spec);
    const past = after === undefined ? "" : ` AND (${column}, ${info.key}) > (?, ?)`;
    const rows = await this.#session.run(`reading changes of ${spec.name}`, (sql) =>
      sql.arrays(
        `SELECT CAST(${column} AS CHAR), ${info.keyText}, ${column}, ${info.columns.join(", ")} FROM ${info.table}
         WHERE ${column} IS NOT NULL AND ${info.key} IS NOT NULL${past} ORDER BY ${column}, ${info.key} LIMIT ?`,
        [...(after ?? []), limit],
      ),
    );
    return rows.map((values) => {
      const value = values[2];
      const key = String(values[1]);
      const sourceTime = value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
      const change: SourceChange = {
        resource: spec.name,
        op: "upsert",
        key,
        row: rowFrom(info, values, 3),
        ...(sourceTime !== undefined && { sourceTime }),
      };
      const order: Polled["order"] =
        value instanceof Date ? [0, value.getTime()] : typeof value === "number" ? [1, value] : [2, String(values[0])];
      return { tbl: spec.name, mark: [String(values[0]), key] as const, order, change };
    });
  }

  #columnName(spec: ResourceSpec): string {
    return this.#columns.cursorColumns?.[spec.name] ?? this.#columns.cursorColumn;
  }

  async #cursorColumn(spec: ResourceSpec): Promise<{ info: TableInfo; column: string }> {
    const info = await this.#tables.get(spec.name);
    const name = this.#columnName(spec);
    if (!info.byName.has(name.toLowerCase())) {
      throw this.#session.error(
        `table "${spec.name}" has no cursor column "${name}" for poll capture ` +
          `(name another with cursorColumn, or cursorColumns: { ${spec.name}: COLUMN })`,
      );
    }
    return { info, column: quoteIdent(name) };
  }

  #parse(cursor: string | null): PollCursor {
    if (cursor === null) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(cursor);
    } catch {
      parsed = undefined;
    }
    const valid =
      typeof parsed === "object" &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((v) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string"));
    if (!valid) throw this.#session.error(`invalid cursor "${cursor}": expected a poll position per table`);
    return parsed as PollCursor;
  }
}

/** Orders by kind, then times and numbers numerically and text as text. */
function compare([kindA, a]: Polled["order"], [kindB, b]: Polled["order"]): number {
  if (kindA !== kindB) return kindA - kindB;
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

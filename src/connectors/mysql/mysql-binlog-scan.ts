import { ECHO } from "./mysql-capture-schema.js";
import { type BinlogCursor, type BinlogPosition, comparePositions } from "./mysql-binlog-position.js";
import type { LoggedChange } from "./mysql-rows.js";
import { columnValue, keyTextOf } from "./mysql-tables.js";

/** The parts of a binlog event the scan reads (zongji's events have these members). */
export interface ScannedEvent {
  getEventName(): string;
  readonly timestamp: number;
  readonly nextPosition: number;
  readonly binlogName?: string;
  readonly position?: number | string;
  readonly query?: string;
  /** MariaDB GTID events: the group is one statement (DDL), with no COMMIT of its own. */
  readonly standalone?: boolean;
  readonly tableId?: number;
  readonly tableMap?: Record<number, { readonly tableName: string } | undefined>;
  readonly rows?: readonly unknown[];
}

/** What a scan is asked for. */
export interface ScanRequest {
  readonly from: BinlogCursor;
  /** The end of the log when reading began: the scan stops there. */
  readonly end: BinlogPosition;
  /** Resource table → its key column. */
  readonly keys: ReadonlyMap<string, string>;
  readonly limit: number;
}

type Row = Record<string, unknown>;

/**
 * Follows the events of the binary log from a cursor to the end it was given, collecting the row
 * changes of the resource tables. It keeps transaction boundaries (a cursor only ever points at
 * one, plus a count of row changes already read inside it), and skips the rows a transaction
 * wrote to a table it marked as Concord's in `_concord_echo` (see mysql-echo.ts).
 */
export class BinlogScan {
  readonly entries: LoggedChange[] = [];
  #file: string;
  /** The end of the last whole transaction (or other event) seen. */
  #boundary: number;
  #inTx = false;
  /** The open group is a single statement (DDL), which ends it. */
  #standalone = false;
  #txStart: BinlogPosition;
  /** Row changes of resource tables met in the current transaction. */
  #txRows = 0;
  /** Row changes of the cursor's transaction read by an earlier page. */
  #skip: number;
  #echo = new Set<string>();
  /** How many entries there were when the current transaction began. */
  #entriesBefore = 0;
  #stopped: BinlogCursor | undefined;
  /** The end of the last transaction that gave changes. */
  #lastYield: BinlogPosition | undefined;
  readonly #request: ScanRequest;

  constructor(request: ScanRequest) {
    this.#request = request;
    this.#file = request.from.file;
    this.#boundary = request.from.pos;
    this.#txStart = request.from;
    this.#skip = request.from.skip;
  }

  /**
   * Where a next read starts. After the last transaction that gave changes, when there was one:
   * the rest up to the end (other databases' writes) is read again next time, so that reading the
   * same cursor twice gives the same batch however busy the server is. With no changes at all, the
   * end: a quiet database on a busy server does not read ever longer stretches of the log.
   */
  get cursor(): BinlogCursor {
    return this.#stopped ?? { ...(this.#lastYield ?? this.#position()), skip: 0 };
  }

  #position(): BinlogPosition {
    return { file: this.#file, pos: this.#boundary };
  }

  /** True when the page filled up before the end. */
  get more(): boolean {
    return this.#stopped !== undefined;
  }

  /** Whether the scan has reached its end or filled its page. */
  get done(): boolean {
    return this.more || (!this.#inTx && comparePositions(this.#position(), this.#request.end) >= 0);
  }

  /** Takes one event, in log order. */
  accept(event: ScannedEvent): void {
    if (this.done) return;
    const name = event.getEventName();
    if (name === "rotate") {
      this.#file = event.binlogName ?? this.#file;
      if (!this.#inTx) this.#boundary = Number(event.position ?? 4);
      return;
    }
    if (name === "mariadbgtid" || name === "gtid" || name === "anonymousgtid") {
      this.#begin();
      // MySQL's GTID event precedes a BEGIN or a lone statement; MariaDB's says which.
      this.#standalone = name === "mariadbgtid" ? event.standalone === true : true;
      return;
    }
    if (name === "query") return this.#statement(event);
    if (name === "xid" || name === "xaprepare") return this.#end(event);
    if (name === "writerows" || name === "updaterows" || name === "deleterows") return this.#rows(name, event);
    // Format descriptions, GTID lists, checkpoints, heartbeats: between transactions, they move the end on.
    if (!this.#inTx) this.#boundary = Math.max(this.#boundary, event.nextPosition);
  }

  #begin(): void {
    if (this.#inTx) return;
    this.#inTx = true;
    this.#txStart = { file: this.#file, pos: this.#boundary };
    this.#txRows = 0;
    this.#entriesBefore = this.entries.length;
    this.#echo = new Set();
  }

  /** BEGIN, COMMIT, SAVEPOINT…, or a statement (DDL) that is a group of its own. */
  #statement(event: ScannedEvent): void {
    const statement = (event.query ?? "").trim().toUpperCase();
    if (statement === "BEGIN") {
      this.#begin();
      this.#standalone = false;
    } else if (statement === "COMMIT" || statement === "ROLLBACK" || this.#standalone || !this.#inTx) {
      this.#end(event);
    } // else a savepoint inside the transaction
  }

  #end(event: ScannedEvent): void {
    this.#inTx = false;
    this.#boundary = Math.max(this.#boundary, event.nextPosition);
    this.#skip = 0; // only the cursor's own transaction was partly read
    if (this.entries.length > this.#entriesBefore) this.#lastYield = this.#position();
  }

  #rows(name: string, event: ScannedEvent): void {
    if (!this.#inTx) this.#begin();
    const table = event.tableMap?.[event.tableId ?? -1]?.tableName;
    if (table === undefined) return;
    const rows = (event.rows ?? []) as Row[];
    if (table === ECHO) {
      if (name === "writerows") for (const row of rows) this.#echo.add(String(row["tbl"]));
      return;
    }
    const keyColumn = this.#request.keys.get(table);
    if (keyColumn === undefined) return;
    const at = new Date(event.timestamp).toISOString();
    for (const row of rows) {
      const index = this.#txRows++;
      if (index < this.#skip || this.#echo.has(table)) continue;
      const changes = rowChanges(name, row, keyColumn).map((c): LoggedChange => ({ ...c, tbl: table, at }));
      if (this.entries.length > 0 && this.entries.length + changes.length > this.#request.limit) {
        this.#stopped = { ...this.#txStart, skip: index };
        return;
      }
      this.entries.push(...changes);
    }
  }
}

/** The changes one row event of a row means: an update of the key deletes the old key. */
function rowChanges(name: string, row: Row, keyColumn: string): { op: "upsert" | "delete"; pk: string }[] {
  if (name === "writerows") return keyed("upsert", keyOf(row, keyColumn));
  if (name === "deleterows") return keyed("delete", keyOf(row, keyColumn));
  const before = keyOf(row["before"] as Row, keyColumn);
  // An after image without the key column (binlog_row_image MINIMAL) left the key as it was.
  const image = row["after"] as Row | undefined;
  const after = image !== undefined && columnValue(image, keyColumn) === undefined ? before : keyOf(image, keyColumn);
  return [...(before !== after ? keyed("delete", before) : []), ...keyed("upsert", after)];
}

function keyed(op: "upsert" | "delete", pk: string | undefined): { op: "upsert" | "delete"; pk: string }[] {
  return pk === undefined ? [] : [{ op, pk }];
}

/** A row image's key as text (the form of CAST(key AS CHAR)); undefined when NULL or absent. */
function keyOf(row: Row | undefined, keyColumn: string): string | undefined {
  return row === undefined ? undefined : keyTextOf(columnValue(row, keyColumn));
}

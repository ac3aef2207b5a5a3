/**
 * Positions in the binary log, and the cursor text of binlog capture:
 * `file:pos` (the start of a transaction, or the end of the log) or `file:pos+n` (the first n row
 * changes of the transaction starting at pos were read already: a page may end inside a large
 * transaction).
 */

/** A place between two events of the binary log. */
export interface BinlogPosition {
  readonly file: string;
  readonly pos: number;
}

/** A binlog cursor: a position, and how many row changes of the transaction there were read. */
export interface BinlogCursor extends BinlogPosition {
  readonly skip: number;
}

const CURSOR = /^([^\s:+/\\]{1,255}):(\d{1,15})(?:\+(\d{1,9}))?$/;

/** Parses a cursor's text; undefined when it is not one this connector gives. */
export function parseBinlogCursor(text: string): BinlogCursor | undefined {
  const match = CURSOR.exec(text);
  if (!match) return undefined;
  return { file: match[1] ?? "", pos: Number(match[2]), skip: Number(match[3] ?? 0) };
}

/** The text form of a cursor. */
export function formatBinlogCursor(cursor: BinlogCursor): string {
  return `${cursor.file}:${cursor.pos}${cursor.skip > 0 ? `+${cursor.skip}` : ""}`;
}

/** The sequence number of a binlog file (`mysql-bin.000012` → 12); files of one server share the stem. */
function fileIndex(file: string): number {
  return Number(/\.(\d+)$/.exec(file)?.[1] ?? Number.NaN);
}

/** Orders files by their sequence number (names grow a digit past 999999), else by name. */
export function compareFiles(a: string, b: string): number {
  const [x, y] = [fileIndex(a), fileIndex(b)];
  if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders positions. */
export function comparePositions(a: BinlogPosition, b: BinlogPosition): number {
  return compareFiles(a.file, b.file) || a.pos - b.pos;
}

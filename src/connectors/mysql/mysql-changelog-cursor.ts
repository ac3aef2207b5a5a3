/**
 * The cursor of trigger capture, and why it is more than a number.
 *
 * `_concord_changelog.seq` is an AUTO_INCREMENT: InnoDB hands out values when a row is inserted,
 * but they become visible when their transaction commits. Transaction A may take seq 5, B seq 6,
 * and B commit first: a reader that then moves its cursor to 6 would never see 5. So the cursor
 * keeps, besides the highest seq read (`hw`), the *gaps* below it: seqs that were missing when a
 * higher one was read. Every read looks at `seq > hw` and at the gaps again; a gap that fills is
 * reported then. A gap dies when it can no longer fill: it is older than the timeout and (when the
 * server tells, information_schema.INNODB_TRX) no transaction that began before it is still open
 * — a rolled-back transaction leaves such gaps for good. Gap times are the server's clock (the
 * `at` of the entry above the gap), so reading the same cursor twice gives the same answer.
 *
 * Text form: `hw`, or `hw~from-to@sinceMs,seq@sinceMs,…` (gaps as ranges, oldest first).
 */

/** Consecutive missing seqs, missing since `since` (epoch ms, the server's clock). */
export interface SeqGap {
  readonly from: number;
  readonly to: number;
  readonly since: number;
}

/** Where a reader of the changelog stands. */
export interface ChangelogCursor {
  /** The highest seq read. */
  readonly hw: number;
  /** Seqs below `hw` that were missing and may still come, ascending. */
  readonly gaps: readonly SeqGap[];
}

/** An entry as far as the cursor cares. */
export interface SeqEntry {
  readonly seq: number;
  /** Epoch ms at which the entry was logged (server clock). */
  readonly atMs: number;
}

/** What decides whether a gap may still fill. */
export interface GapClock {
  /** The server's time, epoch ms. */
  readonly nowMs: number;
  /** Start of the oldest open InnoDB transaction, epoch ms; null when none or when the server does not tell. */
  readonly oldestOpenMs: number | null;
  /** Whether the server told about open transactions at all. */
  readonly knowsOpen: boolean;
  /** @@auto_increment_increment: seqs step by it. */
  readonly step: number;
  readonly timeoutMs: number;
}

/** More gap ranges than this and the oldest are given up: a cursor stays a short string. */
export const MAX_GAPS = 500;

const CURSOR = /^(\d{1,15})(?:~((?:\d{1,15}(?:-\d{1,15})?@\d{1,15})(?:,\d{1,15}(?:-\d{1,15})?@\d{1,15})*))?$/;

/** Parses a cursor's text; undefined when it is not one this connector gives. */
export function parseChangelogCursor(text: string): ChangelogCursor | undefined {
  const match = CURSOR.exec(text);
  if (!match) return undefined;
  const hw = Number(match[1]);
  const gaps: SeqGap[] = [];
  for (const part of match[2]?.split(",") ?? []) {
    const [range = "", since = ""] = part.split("@");
    const [from = "", to = from] = range.split("-");
    const gap = { from: Number(from), to: Number(to), since: Number(since) };
    const previous = gaps.at(-1);
    if (gap.from > gap.to || gap.to >= hw || (previous && gap.from <= previous.to)) return undefined;
    gaps.push(gap);
  }
  return Number.isSafeInteger(hw) ? { hw, gaps } : undefined;
}

/** The text form of a cursor. */
export function formatChangelogCursor(cursor: ChangelogCursor): string {
  if (cursor.gaps.length === 0) return String(cursor.hw);
  const gaps = cursor.gaps.map((g) => `${g.from === g.to ? g.from : `${g.from}-${g.to}`}@${g.since}`);
  return `${cursor.hw}~${gaps.join(",")}`;
}

/** The lowest seq that may still come below `hw`: everything before it has been read or given up. */
export function settledBelow(cursor: ChangelogCursor): number {
  return cursor.gaps[0]?.from ?? cursor.hw + 1;
}

/** A WHERE condition on `seq` for what a reader at `cursor` has yet to read, with its values. */
export function unreadCondition(cursor: ChangelogCursor): { sql: string; values: number[] } {
  const parts = ["seq > ?", ...cursor.gaps.map(() => "seq BETWEEN ? AND ?")];
  return { sql: parts.join(" OR "), values: [cursor.hw, ...cursor.gaps.flatMap((g) => [g.from, g.to])] };
}

/**
 * The cursor after reading `read` (ascending, every one unread at `cursor`): read gaps close, new
 * gaps open between the seqs read above `hw`, dead gaps are dropped.
 */
export function advanceCursor(cursor: ChangelogCursor, read: readonly SeqEntry[], clock: GapClock): ChangelogCursor {
  const step = Math.max(1, clock.step);
  let gaps = cursor.gaps.flatMap((gap) => without(gap, read, step));
  let hw = cursor.hw;
  for (const entry of read) {
    if (entry.seq <= hw) continue;
    if (entry.seq - hw > step) gaps.push({ from: hw + step, to: entry.seq - step, since: entry.atMs });
    hw = entry.seq;
  }
  gaps = gaps.filter((gap) => mayStillFill(gap, clock));
  return { hw, gaps: gaps.length > MAX_GAPS ? gaps.slice(gaps.length - MAX_GAPS) : gaps };
}

function mayStillFill(gap: SeqGap, clock: GapClock): boolean {
  if (clock.nowMs - gap.since < clock.timeoutMs) return true;
  // A transaction that took a seq of the gap began before the gap was seen (second precision).
  return clock.knowsOpen && clock.oldestOpenMs !== null && clock.oldestOpenMs <= gap.since;
}

/** A gap minus the seqs read, as the ranges that remain. */
function without(gap: SeqGap, read: readonly SeqEntry[], step: number): SeqGap[] {
  const inside = read.filter((e) => e.seq >= gap.from && e.seq <= gap.to).map((e) => e.seq);
  const out: SeqGap[] = [];
  let from = gap.from;
  for (const seq of inside) {
    if (seq > from) out.push({ from, to: seq - step, since: gap.since });
    from = seq + step;
  }
  if (from <= gap.to) out.push({ from, to: gap.to, since: gap.since });
  return out;
}

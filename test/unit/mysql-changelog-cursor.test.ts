import { describe, expect, it } from "vitest";
import {
  advanceCursor,
  type ChangelogCursor,
  formatChangelogCursor,
  type GapClock,
  MAX_GAPS,
  parseChangelogCursor,
  settledBelow,
  unreadCondition,
} from "../../src/connectors/mysql/mysql-changelog-cursor.js";

const T0 = Date.UTC(2024, 0, 1);
const clock = (over: Partial<GapClock> = {}): GapClock => ({
  nowMs: T0,
  oldestOpenMs: null,
  knowsOpen: true,
  step: 1,
  timeoutMs: 60_000,
  ...over,
});
const entries = (...seqs: number[]) => seqs.map((seq) => ({ seq, atMs: T0 }));

describe("changelog cursor", () => {
  it("is a plain number while nothing is missing", () => {
    const next = advanceCursor({ hw: 0, gaps: [] }, entries(1, 2, 3), clock());
    expect(formatChangelogCursor(next)).toBe("3");
    expect(parseChangelogCursor("3")).toEqual({ hw: 3, gaps: [] });
  });

  it("keeps seqs missing below the highest read as gaps, and reads them again", () => {
    const next = advanceCursor({ hw: 2, gaps: [] }, entries(3, 6, 7, 9), clock());
    expect(next).toEqual({
      hw: 9,
      gaps: [
        { from: 4, to: 5, since: T0 },
        { from: 8, to: 8, since: T0 },
      ],
    });
    const text = formatChangelogCursor(next);
    expect(text).toBe(`9~4-5@${T0},8@${T0}`);
    expect(parseChangelogCursor(text)).toEqual(next);
    expect(unreadCondition(next)).toEqual({
      sql: "seq > ? OR seq BETWEEN ? AND ? OR seq BETWEEN ? AND ?",
      values: [9, 4, 5, 8, 8],
    });
    expect(settledBelow(next)).toBe(4);
  });

  it("closes a gap that fills, keeping what is still missing of it", () => {
    const at: ChangelogCursor = { hw: 9, gaps: [{ from: 4, to: 6, since: T0 }] };
    expect(advanceCursor(at, entries(5), clock())).toEqual({
      hw: 9,
      gaps: [
        { from: 4, to: 4, since: T0 },
        { from: 6, to: 6, since: T0 },
      ],
    });
    expect(advanceCursor(at, entries(4, 5, 6, 10), clock())).toEqual({ hw: 10, gaps: [] });
  });

  it("gives a gap up after the timeout, unless a transaction older than the gap is still open", () => {
    const at: ChangelogCursor = { hw: 9, gaps: [{ from: 4, to: 4, since: T0 }] };
    const later = T0 + 61_000;
    expect(advanceCursor(at, [], clock({ nowMs: T0 + 59_000 })).gaps).toHaveLength(1);
    expect(advanceCursor(at, [], clock({ nowMs: later })).gaps).toEqual([]);
    expect(advanceCursor(at, [], clock({ nowMs: later, oldestOpenMs: T0 - 1000 })).gaps).toHaveLength(1);
    expect(advanceCursor(at, [], clock({ nowMs: later, oldestOpenMs: T0 + 1000 })).gaps).toEqual([]);
    // Without a view of open transactions, the timeout alone decides.
    expect(advanceCursor(at, [], clock({ nowMs: later, oldestOpenMs: T0 - 1000, knowsOpen: false })).gaps).toEqual([]);
  });

  it("steps by auto_increment_increment", () => {
    expect(advanceCursor({ hw: 1, gaps: [] }, entries(3, 5, 9), clock({ step: 2 }))).toEqual({
      hw: 9,
      gaps: [{ from: 7, to: 7, since: T0 }],
    });
  });

  it("keeps at most MAX_GAPS ranges, dropping the oldest", () => {
    const seqs = Array.from({ length: MAX_GAPS + 10 }, (_, i) => 2 * (i + 1));
    const next = advanceCursor({ hw: 0, gaps: [] }, entries(...seqs), clock());
    expect(next.gaps).toHaveLength(MAX_GAPS);
    expect(next.gaps[0]?.from).toBe(21);
  });

  it("refuses text it never gives", () => {
    for (const text of ["", "x", "-1", "3~", "3~5@1", "9~4@1,4@1", "9~6-5@1", "1.5", "not-a-cursor"]) {
      expect(parseChangelogCursor(text), text).toBeUndefined();
    }
  });
});

const wide = /[\ud800-\uffff]/;

/** Ranks a UTF-16 unit so that units compare in code point order (what UTF-8 bytes give). */
function rank(unit: number): number {
  // UTF-16 puts surrogates (code points above U+FFFF) before U+E000–U+FFFF; UTF-8 puts them after.
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/**
 * Orders text as the hub's SQL does (SQLite's BINARY collation, PostgreSQL's "C"): by UTF-8 bytes.
 * Merged pages must agree with the underlying store's order exactly, or paging would skip or repeat.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  // JavaScript's order differs from the bytes' only where both strings hold units from U+D800 up.
  if (!wide.test(a) || !wide.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Compares rows by several text columns in turn. */
export function byText<T>(...columns: ((row: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const column of columns) {
      const order = compareText(column(a), column(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** The first index of `sorted` whose item comes after `key`. */
function firstAfter(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareText(sorted[mid] ?? "", key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A set of strings that lists its members in text order after a given one. Additions wait in a
 * buffer and removals are only forgotten, until the next listing merges them in one pass: a run
 * adds many members between two listings, and re-sorting on every addition would be quadratic.
 */
export class SortedKeys {
  readonly #members = new Set<string>();
  /** Sorted; may still hold removed members. */
  #sorted: string[] = [];
  /** Added since the last listing, in no order; may repeat. */
  #added: string[] = [];

  add(key: string): void {
    if (this.#members.has(key)) return;
    this.#members.add(key);
    this.#added.push(key);
  }

  delete(key: string): void {
    this.#members.delete(key);
  }

  /** Members after `after` (from the first when null), in order, at most `limit`. */
  after(after: string | null, limit: number): string[] {
    this.#settle();
    const out: string[] = [];
    for (let i = after === null ? 0 : firstAfter(this.#sorted, after); i < this.#sorted.length; i++) {
      if (out.length >= limit) break;
      const key = this.#sorted[i] ?? "";
      if (this.#members.has(key)) out.push(key);
    }
    return out;
  }

  #settle(): void {
    // Removed members are dropped once they make up half of the array, so memory stays bounded.
    if (this.#added.length === 0 && this.#sorted.length <= 2 * this.#members.size + 64) return;
    const added = this.#added.filter((k) => this.#members.has(k)).sort(compareText);
    const old = this.#sorted;
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < added.length) {
      const a = old[i];
      const b = added[j];
      let next: string;
      if (b === undefined || (a !== undefined && compareText(a, b) <= 0)) {
        next = a ?? "";
        i++;
      } else {
        next = b;
        j++;
      }
      // A member removed and added again may sit in both arrays.
      if (this.#members.has(next) && merged[merged.length - 1] !== next) merged.push(next);
    }
    this.#sorted = merged;
    this.#added = [];
  }
}

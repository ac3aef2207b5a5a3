/** One map key from an identity's parts (entity, uid, system, …); NUL never occurs in them. */
export function idOf(...parts: readonly string[]): string {
  return parts.join("\u0000");
}

/**
 * A copy through JSON, as a store that keeps JSON text hands it back: callers may change what
 * they committed or read without changing the overlay, and values read are the values a real
 * hub would give (`undefined` members dropped, dates as strings).
 */
export function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Rows of one kind that the overlay inserted, replaced or removed (`null`), by identity. Rows of
 * the underlying store with an identity the overlay holds are hidden behind it.
 */
export class OverlayRows<T> {
  readonly #rows = new Map<string, T | null>();

  constructor(readonly identify: (row: T) => string) {}

  /** Stores a copy of the row, replacing the one with its identity. */
  put(row: T): void {
    this.#rows.set(this.identify(row), copyJson(row));
  }

  remove(id: string): void {
    this.#rows.set(id, null);
  }

  /** The overlay's row (a copy), `null` if the overlay removed it, `undefined` if it holds nothing. */
  get(id: string): T | null | undefined {
    const row = this.#rows.get(id);
    return row === undefined || row === null ? row : copyJson(row);
  }

  /** Whether the overlay decides this identity (so the underlying row is hidden). */
  holds(id: string): boolean {
    return this.#rows.has(id);
  }

  get size(): number {
    return this.#rows.size;
  }

  /**
   * The underlying store's list (read with the same filter) with the overlay applied: its rows
   * replace or remove theirs, its new rows join if they pass the filter; in the list's order.
   */
  merge(underlying: readonly T[], matches: (row: T) => boolean, order: (a: T, b: T) => number): T[] {
    const out = underlying.filter((row) => !this.#rows.has(this.identify(row)));
    for (const row of this.#rows.values()) if (row !== null && matches(row)) out.push(copyJson(row));
    return out.sort(order);
  }
}

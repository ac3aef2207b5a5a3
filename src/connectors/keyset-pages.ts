import type { NativeRow } from "../core/types.js";

/** Rows per snapshot batch when the caller names none. */
export const DEFAULT_SNAPSHOT_BATCH = 1000;

/**
 * Streams a resource by keyset pagination: each page is one query for the rows after the last
 * page's first column (the paging key), so memory stays bounded and no statement or transaction
 * stays open between pages. Each connector supplies its own query; `toRow` drops the paging key.
 */
export async function* keysetPages(
  batchSize: number,
  fetchPage: (after: unknown, limit: number) => Promise<unknown[][]>,
  toRow: (values: unknown[]) => NativeRow,
): AsyncIterable<NativeRow[]> {
  let after: unknown;
  for (;;) {
    const page = await fetchPage(after, batchSize);
    const last = page.at(-1);
    if (last === undefined) return;
    after = last[0];
    yield page.map(toRow);
    if (page.length < batchSize) return;
  }
}

/** Whether a batch size is usable. */
export function isBatchSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

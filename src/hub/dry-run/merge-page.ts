import { compareText } from "./sorted-keys.js";

/** The largest page asked of the underlying store while looking past what the overlay hides. */
const MAX_PAGE = 5000;

/** One page of an ordered list, split into where it comes from. */
export interface MergedPageSources {
  /** Reads the underlying store's list after `after`, at most `limit` items. */
  readonly read: (after: string | null, limit: number) => Promise<string[]>;
  /** Whether the overlay hides an item of the underlying list (it may still list it itself). */
  readonly hidden: (item: string) => boolean;
  /** The overlay's own items after `after`, in order, at most `limit`. */
  readonly own: (after: string | null, limit: number) => string[];
}

/** SQL's LIMIT: negative means none. */
export function limitOf(limit: number | undefined): number {
  return limit === undefined || limit < 0 ? Number.POSITIVE_INFINITY : limit;
}

/**
 * One page (items after `after`, at most `limit`) of the union of the underlying list minus what
 * the overlay hides and the overlay's own items. The page is the first `limit` items of that
 * union, so the next page, read after its last item, neither skips nor repeats one.
 */
export async function mergePage(sources: MergedPageSources, after: string | null, limit: number): Promise<string[]> {
  const want = limitOf(limit);
  if (want === 0) return [];
  const own = sources.own(after, want);
  // With a full page of its own, nothing the underlying list holds past its end can make the page.
  const ceiling = own.length >= want ? own[own.length - 1] : undefined;
  const visible: string[] = [];
  let cursor = after;
  let size = Math.min(want, MAX_PAGE);
  for (;;) {
    const page = await sources.read(cursor, size);
    for (const item of page) if (!sources.hidden(item)) visible.push(item);
    const last = page[page.length - 1];
    if (page.length < size || last === undefined || visible.length >= want) break;
    if (ceiling !== undefined && compareText(last, ceiling) >= 0) break;
    // Hidden items ate into the page: read on, in growing pages, until enough are visible.
    cursor = last;
    size = Math.min(size * 2, MAX_PAGE);
  }
  const merged = [...new Set([...visible, ...own])].sort(compareText);
  return Number.isFinite(want) ? merged.slice(0, want) : merged;
}

import type { JournalEntry, RecordError } from "../../core/types.js";
import type { HubBatch, HubStore, JournalQuery } from "../hub-store.js";
import { limitOf } from "./merge-page.js";
import { copyJson } from "./overlay-rows.js";
import { compareText } from "./sorted-keys.js";

/**
 * The journal and record errors appended through a dry run. Overlay entries follow every
 * underlying one, numbered on from the underlying journal's last seq as the store would number
 * them, so that paging by `afterSeq` runs across both.
 */
export class OverlayJournal {
  readonly #base: HubStore;
  readonly #entries: JournalEntry[] = [];
  /** The seq of the first overlay entry, known once the first one is about to be appended. */
  #firstSeq: number | undefined;
  readonly #errors: RecordError[] = [];

  constructor(base: HubStore) {
    this.#base = base;
  }

  /** Finds where the overlay's numbering starts, before its first entry. */
  async prepare(batch: HubBatch): Promise<void> {
    if (this.#firstSeq === undefined && (batch.journal?.length ?? 0) > 0) {
      this.#firstSeq = (await lastSeq(this.#base)) + 1;
    }
  }

  apply(batch: HubBatch): void {
    const first = this.#firstSeq ?? 1;
    for (const { seq: _ignored, ...entry } of batch.journal ?? []) {
      this.#entries.push({ seq: first + this.#entries.length, ...copyJson(entry) });
    }
    for (const error of batch.errors ?? []) this.#errors.push(copyJson(error));
  }

  /** Oldest first: the underlying entries, then the overlay's. */
  async query(q: JournalQuery): Promise<JournalEntry[]> {
    const limit = limitOf(q.limit);
    const first = this.#firstSeq ?? Number.POSITIVE_INFINITY;
    const underlying = q.afterSeq !== undefined && q.afterSeq >= first ? [] : await this.#base.queryJournal(q);
    if (underlying.length >= limit) return underlying;
    const out = underlying;
    // Overlay seqs are consecutive, so the first one after `afterSeq` is found by subtraction.
    const start = q.afterSeq === undefined ? 0 : Math.max(0, Math.floor(q.afterSeq) + 1 - (this.#firstSeq ?? 1));
    for (let i = start; i < this.#entries.length && out.length < limit; i++) {
      const e = this.#entries[i];
      if (e !== undefined && matches(e, q)) out.push(copyJson(e));
    }
    return out;
  }

  /** Newest first: the overlay's errors, then the underlying ones. */
  async errors(filter: { runId?: string; system?: string; limit?: number }): Promise<RecordError[]> {
    const limit = limitOf(filter.limit);
    const out: RecordError[] = [];
    for (let i = this.#errors.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.#errors[i];
      if (e === undefined) continue;
      if (
        (filter.runId === undefined || e.runId === filter.runId) &&
        (filter.system === undefined || e.system === filter.system)
      ) {
        out.push(copyJson(e));
      }
    }
    if (out.length >= limit) return out;
    const rest = Number.isFinite(limit) ? { limit: limit - out.length } : {};
    const { limit: _all, ...without } = filter;
    return [...out, ...(await this.#base.listErrors({ ...without, ...rest }))];
  }
}

function matches(e: JournalEntry, q: JournalQuery): boolean {
  return (
    (q.uid === undefined || e.uid === q.uid) &&
    (q.runId === undefined || e.runId === q.runId) &&
    (q.system === undefined || e.system === q.system) &&
    (q.entity === undefined || e.entity === q.entity) &&
    (q.since === undefined || compareText(e.at, q.since) >= 0)
  );
}

/**
 * The underlying journal's last seq (0 when empty). The store offers no such read, so it is
 * found with `afterSeq` probes: doubling steps, then halving; a few dozen indexed reads at most.
 */
async function lastSeq(base: HubStore): Promise<number> {
  const firstAfter = async (seq: number | undefined): Promise<number | undefined> =>
    (await base.queryJournal(seq === undefined ? { limit: 1 } : { afterSeq: seq, limit: 1 }))[0]?.seq;
  let known = await firstAfter(undefined);
  if (known === undefined) return 0;
  // `known` is a seq that exists; no entry lies after `bound`.
  let bound: number;
  for (let step = 1; ; step *= 2) {
    const next = await firstAfter(known + step);
    if (next === undefined) {
      bound = known + step;
      break;
    }
    known = next;
  }
  while (bound > known) {
    const mid = Math.floor((known + bound) / 2);
    const next = await firstAfter(mid);
    if (next === undefined) bound = mid;
    else known = next;
  }
  return known;
}

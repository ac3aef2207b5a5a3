import type { GoldenRecord } from "../../core/types.js";
import type { HubBatch, HubStore } from "../hub-store.js";
import { mergePage } from "./merge-page.js";
import { copyJson, idOf } from "./overlay-rows.js";
import { byText } from "./sorted-keys.js";
import { SortedKeys } from "./sorted-keys.js";

/** Counts of golden records, as `countGoldens` gives them. */
export interface GoldenCounts {
  live: number;
  deleted: number;
  dirty: number;
}

/** The underlying store's version of records a batch touches for the first time (null: none). */
export type GoldenBases = ReadonlyMap<string, GoldenRecord | null>;

const byUid = byText<GoldenRecord>((g) => g.uid);

/**
 * Golden records written or cleaned through a dry run. The overlay never removes a record, so a
 * uid it holds is decided here; the counts are the underlying ones plus what the overlay changed.
 */
export class OverlayGoldens {
  readonly #base: HubStore;
  readonly #records = new Map<string, GoldenRecord>();
  /** Per entity: the uids the overlay holds, and those of them that are dirty. */
  readonly #uids = new Map<string, SortedKeys>();
  readonly #dirty = new Map<string, SortedKeys>();
  /** Per entity: what the overlay added to the underlying counts. */
  readonly #counts = new Map<string, GoldenCounts>();

  constructor(base: HubStore) {
    this.#base = base;
  }

  /** Reads the underlying versions of records that the batch touches and the overlay does not hold yet. */
  async prepare(batch: HubBatch): Promise<GoldenBases> {
    const wanted = new Map<string, Set<string>>();
    for (const g of [...(batch.goldens ?? []), ...(batch.clean ?? [])]) {
      if (this.#records.has(idOf(g.entity, g.uid))) continue;
      const uids = wanted.get(g.entity) ?? new Set<string>();
      uids.add(g.uid);
      wanted.set(g.entity, uids);
    }
    const bases = new Map<string, GoldenRecord | null>();
    for (const [entity, uids] of wanted) {
      for (const uid of uids) bases.set(idOf(entity, uid), null);
      for (const g of await this.#base.getGoldens(entity, [...uids])) bases.set(idOf(entity, g.uid), g);
    }
    return bases;
  }

  /** Applies the batch's goldens, then its `clean` (a record written in the same batch included). */
  apply(batch: HubBatch, bases: GoldenBases): void {
    for (const g of batch.goldens ?? []) this.#put(copyJson(g), bases);
    for (const c of batch.clean ?? []) {
      const current = this.#current(idOf(c.entity, c.uid), bases);
      if (current?.dirty === true) this.#put({ ...current, dirty: false }, bases);
    }
  }

  /** The overlay's record (a copy), or undefined when the underlying store decides. */
  get(entity: string, uid: string): GoldenRecord | undefined {
    const record = this.#records.get(idOf(entity, uid));
    return record === undefined ? undefined : copyJson(record);
  }

  /** Records by uid: the overlay's, else the underlying store's; in uid order. */
  async getMany(entity: string, uids: readonly string[]): Promise<GoldenRecord[]> {
    const wanted = [...new Set(uids)];
    const missing = wanted.filter((uid) => !this.#records.has(idOf(entity, uid)));
    const underlying = missing.length === 0 ? [] : await this.#base.getGoldens(entity, missing);
    // Read the overlay after the await: a commit may have landed meanwhile.
    const out = underlying.filter((g) => !this.#records.has(idOf(entity, g.uid)));
    for (const uid of wanted) {
      const own = this.get(entity, uid);
      if (own !== undefined) out.push(own);
    }
    return out.sort(byUid);
  }

  listDirty(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    return mergePage(
      {
        read: (after, n) => this.#base.listDirty(entity, after, n),
        hidden: (uid) => this.#records.has(idOf(entity, uid)),
        own: (after, n) => this.#dirty.get(entity)?.after(after, n) ?? [],
      },
      afterUid,
      limit,
    );
  }

  listUids(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    return mergePage(
      {
        read: (after, n) => this.#base.listUids(entity, after, n),
        hidden: () => false,
        own: (after, n) => this.#uids.get(entity)?.after(after, n) ?? [],
      },
      afterUid,
      limit,
    );
  }

  async count(entity: string): Promise<GoldenCounts> {
    const base = await this.#base.countGoldens(entity);
    const delta = this.#counts.get(entity) ?? { live: 0, deleted: 0, dirty: 0 };
    return { live: base.live + delta.live, deleted: base.deleted + delta.deleted, dirty: base.dirty + delta.dirty };
  }

  #current(id: string, bases: GoldenBases): GoldenRecord | null {
    return this.#records.get(id) ?? bases.get(id) ?? null;
  }

  #put(record: GoldenRecord, bases: GoldenBases): void {
    const id = idOf(record.entity, record.uid);
    const previous = this.#current(id, bases);
    const delta = this.#counts.get(record.entity) ?? { live: 0, deleted: 0, dirty: 0 };
    this.#counts.set(record.entity, delta);
    if (previous !== null) tally(delta, previous, -1);
    tally(delta, record, 1);
    this.#records.set(id, record);
    keysOf(this.#uids, record.entity).add(record.uid);
    const dirty = keysOf(this.#dirty, record.entity);
    if (record.dirty) dirty.add(record.uid);
    else dirty.delete(record.uid);
  }
}

function tally(counts: GoldenCounts, g: GoldenRecord, sign: 1 | -1): void {
  if (g.deleted) counts.deleted += sign;
  else counts.live += sign;
  if (g.dirty) counts.dirty += sign;
}

function keysOf(map: Map<string, SortedKeys>, entity: string): SortedKeys {
  let keys = map.get(entity);
  if (keys === undefined) {
    keys = new SortedKeys();
    map.set(entity, keys);
  }
  return keys;
}

import type { HubBatch, HubStore } from "../hub-store.js";
import { idOf } from "./overlay-rows.js";
import { byText } from "./sorted-keys.js";

type Found = { key: string; uid: string };

const byKeyUid = byText<Found>(
  (f) => f.key,
  (f) => f.uid,
);

/**
 * Match keys replaced through a dry run. A record whose keys the overlay replaced is found only
 * by its new keys: its underlying keys are hidden, all of them.
 */
export class OverlayMatchKeys {
  readonly #base: HubStore;
  /** Per (entity, uid): the record's keys, as the overlay set them. */
  readonly #keysOf = new Map<string, ReadonlySet<string>>();
  /** Per (entity, key): the records the overlay gave that key. */
  readonly #uidsOf = new Map<string, Set<string>>();

  constructor(base: HubStore) {
    this.#base = base;
  }

  apply(batch: HubBatch): void {
    for (const { entity, uid, keys } of batch.matchKeys ?? []) {
      for (const key of this.#keysOf.get(idOf(entity, uid)) ?? []) {
        const uids = this.#uidsOf.get(idOf(entity, key));
        uids?.delete(uid);
        if (uids?.size === 0) this.#uidsOf.delete(idOf(entity, key));
      }
      const unique = new Set(keys);
      this.#keysOf.set(idOf(entity, uid), unique);
      for (const key of unique) {
        const uids = this.#uidsOf.get(idOf(entity, key)) ?? new Set<string>();
        this.#uidsOf.set(idOf(entity, key), uids.add(uid));
      }
    }
  }

  async find(entity: string, keys: readonly string[]): Promise<Found[]> {
    const wanted = [...new Set(keys)];
    if (wanted.length === 0) return [];
    const underlying = await this.#base.findByMatchKeys(entity, wanted);
    const out = underlying.filter((f) => !this.#keysOf.has(idOf(entity, f.uid)));
    for (const key of wanted) for (const uid of this.#uidsOf.get(idOf(entity, key)) ?? []) out.push({ key, uid });
    return out.sort(byKeyUid);
  }
}

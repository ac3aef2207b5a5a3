import { ConcordError } from "../../core/errors.js";
import type { Link } from "../../core/types.js";
import type { HubBatch, HubStore, LinkStats } from "../hub-store.js";
import { linkId, planLinkChanges } from "./link-changes.js";
import { mergePage } from "./merge-page.js";
import { copyJson, idOf } from "./overlay-rows.js";
import { byText, SortedKeys } from "./sorted-keys.js";

/** What the underlying store holds for the links a batch touches (null: nothing). */
export interface LinkBases {
  /** By link identity (entity, system, uid). */
  readonly links: ReadonlyMap<string, Link | null>;
  /** The uid of the underlying link holding each key the batch's links take, by (entity, system, key). */
  readonly holders: ReadonlyMap<string, string>;
}

type Counts = { -readonly [K in keyof LinkStats]: LinkStats[K] };

const byKey = byText<Link>((l) => l.key);
const byUidSystem = byText<Link>(
  (l) => l.uid,
  (l) => l.system,
);

/**
 * Links set or removed through a dry run, by identity (entity, system, uid), with the indexes a
 * merged read needs: which uid holds a key, which keys are active, which underlying keys are hidden.
 */
export class OverlayLinks {
  readonly #base: HubStore;
  /** The overlay's links; null where it removed one. */
  readonly #links = new Map<string, Link | null>();
  /** Per (entity, uid): the systems whose link the overlay decides. */
  readonly #systemsOf = new Map<string, Set<string>>();
  /** Per (entity, system, key): the uid whose overlay link holds the key. */
  readonly #holders = new Map<string, string>();
  /** Per (entity, system): keys of the overlay's active links. */
  readonly #active = new Map<string, SortedKeys>();
  /** Per (entity, system): keys of underlying links the overlay replaced or removed. */
  readonly #hidden = new Map<string, Set<string>>();
  /** Per (entity, system): what the overlay added to the underlying link counts. */
  readonly #counts = new Map<string, Counts>();

  constructor(base: HubStore) {
    this.#base = base;
  }

  /** Reads the underlying links the batch replaces and those holding the keys it takes. */
  async prepare(batch: HubBatch): Promise<LinkBases> {
    const links = new Map<string, Link | null>();
    const uidsOf = new Map<string, Set<string>>();
    for (const ref of [...(batch.unlinks ?? []), ...(batch.links ?? [])]) {
      const id = linkId(ref);
      if (this.#links.has(id) || links.has(id)) continue;
      links.set(id, null);
      setOf(uidsOf, ref.entity).add(ref.uid);
    }
    for (const [entity, uids] of uidsOf) {
      for (const l of await this.#base.getLinksByUids(entity, [...uids])) {
        if (links.has(linkId(l))) links.set(linkId(l), l);
      }
    }
    const holders = new Map<string, string>();
    const keysOf = new Map<string, { entity: string; system: string; keys: Set<string> }>();
    for (const l of batch.links ?? []) {
      const group = keysOf.get(pairOf(l)) ?? { entity: l.entity, system: l.system, keys: new Set<string>() };
      keysOf.set(pairOf(l), group);
      group.keys.add(l.key);
    }
    for (const { entity, system, keys } of keysOf.values()) {
      for (const l of await this.#base.getLinksByKeys(entity, system, [...keys])) {
        holders.set(idOf(entity, system, l.key), l.uid);
        if (!links.has(linkId(l))) links.set(linkId(l), l);
      }
    }
    return { links, holders };
  }

  /** Applies the batch's unlinks and links, or throws (changing nothing) where a key is taken. */
  apply(batch: HubBatch, bases: LinkBases): void {
    const changes = planLinkChanges(batch, {
      current: (id) => {
        const own = this.#links.get(id);
        return own === undefined ? (bases.links.get(id) ?? null) : own;
      },
      holders: (keyId) => [this.#holders.get(keyId), bases.holders.get(keyId)],
      taken: (l, holder) =>
        new ConcordError(
          "hub",
          `hub (dry run): ${l.entity} key ${l.key} of ${l.system} is already linked to ${holder}`,
        ),
    });
    // Two passes: a key one link gives up may be taken by another link of the same batch.
    for (const [id, { next }] of changes) {
      const previous = this.#links.get(id);
      const replaced = previous === undefined ? (bases.links.get(id) ?? null) : previous;
      if (previous === undefined && replaced !== null) setOf(this.#hidden, pairOf(replaced)).add(replaced.key);
      if (replaced !== null) this.#count(replaced, -1);
      if (next !== null) this.#count(next, 1);
      if (previous === undefined || previous === null) continue;
      this.#holders.delete(idOf(previous.entity, previous.system, previous.key));
      if (previous.state === "active") this.#active.get(pairOf(previous))?.delete(previous.key);
    }
    for (const [id, { ref, next }] of changes) {
      this.#links.set(id, next === null ? null : copyJson(next));
      setOf(this.#systemsOf, idOf(ref.entity, ref.uid)).add(ref.system);
      if (next === null) continue;
      this.#holders.set(idOf(next.entity, next.system, next.key), next.uid);
      if (next.state === "active") sortedOf(this.#active, pairOf(next)).add(next.key);
    }
  }

  async getByKeys(entity: string, system: string, keys: readonly string[]): Promise<Link[]> {
    const wanted = [...new Set(keys)];
    if (wanted.length === 0) return [];
    const underlying = await this.#base.getLinksByKeys(entity, system, wanted);
    const out = underlying.filter((l) => !this.#links.has(linkId(l)));
    for (const key of wanted) {
      const uid = this.#holders.get(idOf(entity, system, key));
      const own = uid === undefined ? undefined : this.#links.get(linkId({ entity, system, uid }));
      if (own !== undefined && own !== null) out.push(copyJson(own));
    }
    return out.sort(byKey);
  }

  async getByUids(entity: string, uids: readonly string[]): Promise<Link[]> {
    const wanted = [...new Set(uids)];
    if (wanted.length === 0) return [];
    const underlying = await this.#base.getLinksByUids(entity, wanted);
    const out = underlying.filter((l) => !this.#links.has(linkId(l)));
    for (const uid of wanted) {
      for (const system of this.#systemsOf.get(idOf(entity, uid)) ?? []) {
        const own = this.#links.get(linkId({ entity, system, uid }));
        if (own !== undefined && own !== null) out.push(copyJson(own));
      }
    }
    return out.sort(byUidSystem);
  }

  listKeys(entity: string, system: string, afterKey: string | null, limit: number): Promise<string[]> {
    const pair = idOf(entity, system);
    return mergePage(
      {
        read: (after, n) => this.#base.listLinkKeys(entity, system, after, n),
        hidden: (key) => this.#hidden.get(pair)?.has(key) ?? false,
        own: (after, n) => this.#active.get(pair)?.after(after, n) ?? [],
      },
      afterKey,
      limit,
    );
  }

  async stats(): Promise<LinkStats[]> {
    const merged = new Map<string, LinkStats>();
    for (const s of await this.#base.linkStats()) merged.set(idOf(s.entity, s.system), s);
    for (const [pair, { entity, system, ...delta }] of this.#counts) {
      const s = merged.get(pair) ?? { entity, system, active: 0, detached: 0 };
      merged.set(pair, { entity, system, active: s.active + delta.active, detached: s.detached + delta.detached });
    }
    return [...merged.values()]
      .filter((s) => s.active !== 0 || s.detached !== 0)
      .sort(
        byText(
          (s) => s.entity,
          (s) => s.system,
        ),
      );
  }

  #count(l: Link, sign: 1 | -1): void {
    const counts = this.#counts.get(pairOf(l)) ?? { entity: l.entity, system: l.system, active: 0, detached: 0 };
    this.#counts.set(pairOf(l), counts);
    counts[l.state] += sign;
  }
}

const pairOf = (l: { entity: string; system: string }): string => idOf(l.entity, l.system);

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function sortedOf(map: Map<string, SortedKeys>, key: string): SortedKeys {
  let keys = map.get(key);
  if (keys === undefined) {
    keys = new SortedKeys();
    map.set(key, keys);
  }
  return keys;
}

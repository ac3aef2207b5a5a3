import type { Link } from "../../core/types.js";
import type { HubBatch } from "../hub-store.js";
import { idOf } from "./overlay-rows.js";

/** A link's identity. */
export interface LinkRef {
  readonly entity: string;
  readonly uid: string;
  readonly system: string;
}

/** One identity's link after a batch; null where the batch removed it. */
export interface LinkChange {
  readonly ref: LinkRef;
  readonly next: Link | null;
}

/** The links as they stand before a batch, as far as the batch's checks need them. */
export interface LinkView {
  /** The link with this identity (`linkId`), or null. */
  current(id: string): Link | null;
  /** Uids whose link may hold this key (`idOf(entity, system, key)`); each is checked with `current`. */
  holders(keyId: string): readonly (string | undefined)[];
  /** The error for a link whose key another record's link holds. */
  taken(link: Link, holder: string): Error;
}

/** The map key of a link identity. */
export function linkId(ref: LinkRef): string {
  return idOf(ref.entity, ref.system, ref.uid);
}

/**
 * The final link of every identity a batch touches, in the SQL store's order: unlinks; then
 * links whose key moves let go of their old key; then each link is set, refused if another
 * record's link holds its key at that moment. Throws before anything is applied.
 */
export function planLinkChanges(batch: HubBatch, before: LinkView): Map<string, LinkChange> {
  const changes = new Map<string, LinkChange>();
  const view = (ref: LinkRef): Link | null => {
    const change = changes.get(linkId(ref));
    return change === undefined ? before.current(linkId(ref)) : change.next;
  };
  for (const u of batch.unlinks ?? []) changes.set(linkId(u), { ref: u, next: null });
  const links = batch.links ?? [];
  for (const l of links) {
    const current = view(l);
    if (current !== null && current.key !== l.key) changes.set(linkId(l), { ref: l, next: null });
  }
  const claimed = new Map<string, string>();
  for (const l of links) {
    const keyId = idOf(l.entity, l.system, l.key);
    for (const holder of [claimed.get(keyId), ...before.holders(keyId)]) {
      if (holder === undefined || holder === l.uid) continue;
      if (view({ entity: l.entity, system: l.system, uid: holder })?.key === l.key) throw before.taken(l, holder);
    }
    changes.set(linkId(l), { ref: l, next: l });
    claimed.set(keyId, l.uid);
  }
  return changes;
}

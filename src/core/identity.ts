/** How a record new to the hub from one system was placed. */
export type IdentityDecision =
  | { readonly kind: "link"; readonly uid: string; readonly reattach: boolean }
  | { readonly kind: "new"; readonly duplicateOf: readonly string[]; readonly reason?: string };

/**
 * Places a (system, key) the hub has not seen, from the records its match keys found.
 *
 * `candidates` holds, per match alternative in the entity's order, the live golden records that
 * share that alternative's key. The first alternative that finds anything decides: one record →
 * link to it; several → a new record plus duplicate candidates. A record that already has an
 * active link of this system is never linked again (never two links of one system on one golden
 * record): a new record and a duplicate candidate instead. A detached link of this system is
 * re-attached to the new key.
 */
export function decideIdentity(
  candidates: readonly (readonly string[])[],
  linkStateOf: (uid: string) => "active" | "detached" | undefined,
): IdentityDecision {
  for (const [alternative, found] of candidates.entries()) {
    const uids = [...new Set(found)];
    if (uids.length === 0) continue;
    const only = uids[0];
    if (uids.length > 1 || only === undefined) {
      return { kind: "new", duplicateOf: uids, reason: `match key ${alternative + 1} found ${uids.length} records` };
    }
    const state = linkStateOf(only);
    if (state === "active") {
      return { kind: "new", duplicateOf: [only], reason: `match key ${alternative + 1} found a record already linked` };
    }
    return { kind: "link", uid: only, reattach: state === "detached" };
  }
  return { kind: "new", duplicateOf: [] };
}

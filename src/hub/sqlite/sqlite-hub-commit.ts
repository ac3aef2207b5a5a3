import type { HubBatch } from "../hub-store.js";
import { optionalJson } from "../hub-rows.js";
import type { SqliteHubStatements } from "./sqlite-hub-statements.js";

const bit = (flag: boolean): number => (flag ? 1 : 0);

/**
 * Applies every member of a batch with the store's prepared statements; the caller wraps this
 * in one transaction. Order matters where members touch the same rows: unlinks before links,
 * goldens before `clean`, `park` before `unpark`, `writeFailures` before `clearWriteFailures`.
 */
export function applySqliteHubBatch(s: SqliteHubStatements, batch: HubBatch): void {
  for (const g of batch.goldens ?? []) {
    s.upsertGolden.run(
      g.entity,
      g.uid,
      JSON.stringify(g.fields),
      JSON.stringify(g.meta),
      bit(g.deleted),
      g.mergedInto ?? null,
      bit(g.dirty),
      g.createdAt,
      g.updatedAt,
    );
  }
  applyLinks(s, batch);
  for (const m of batch.matchKeys ?? []) {
    s.deleteMatchKeys.run(m.entity, m.uid);
    for (const key of m.keys) s.insertMatchKey.run(m.entity, m.uid, key);
  }
  for (const j of batch.journal ?? []) {
    s.insertJournal.run(
      j.runId,
      j.at,
      j.entity,
      j.uid,
      j.kind,
      j.system,
      j.key ?? null,
      j.field ?? null,
      optionalJson(j.before),
      optionalJson(j.after),
      j.cause,
    );
  }
  for (const c of batch.conflicts ?? []) {
    s.upsertConflict.run(
      c.id,
      c.runId,
      c.entity,
      c.uid,
      c.field,
      c.system,
      JSON.stringify(c.value),
      JSON.stringify(c.goldenValue),
      c.goldenSystem,
      c.rule,
      c.winner,
      c.status,
      c.createdAt,
      c.resolvedAt ?? null,
    );
  }
  for (const d of batch.duplicates ?? []) {
    s.upsertDuplicate.run(d.id, d.entity, d.uid, d.otherUid, d.reason, d.status, d.createdAt);
  }
  for (const e of batch.errors ?? []) {
    s.insertError.run(e.runId, e.at, e.system, e.entity, e.key ?? null, e.uid ?? null, e.stage, e.message);
  }
  for (const c of batch.cursors ?? []) s.upsertCursor.run(c.system, c.cursor);
  for (const p of batch.park ?? []) {
    s.upsertParked.run(p.id, p.system, p.entity, JSON.stringify(p.change), p.waitingFor.entity, p.waitingFor.key, p.at);
  }
  for (const id of batch.unpark ?? []) s.deleteParked.run(id);
  for (const f of batch.writeFailures ?? []) {
    s.upsertWriteFailure.run(f.entity, f.uid, f.system, f.attempts, f.lastError, f.nextAt, bit(f.dead), f.updatedAt);
  }
  for (const f of batch.clearWriteFailures ?? []) s.deleteWriteFailure.run(f.entity, f.uid, f.system);
  for (const c of batch.clean ?? []) s.cleanGolden.run(c.entity, c.uid);
  for (const m of batch.meta ?? []) s.upsertMeta.run(m.key, m.value);
}

function applyLinks(s: SqliteHubStatements, batch: HubBatch): void {
  for (const u of batch.unlinks ?? []) s.deleteLink.run(u.entity, u.uid, u.system);
  const links = batch.links ?? [];
  // A link whose key moves is removed first, so that another link of this batch may take over
  // its old key. A key held by a link outside the batch still fails the UNIQUE constraint.
  for (const l of links) s.deleteMovedLink.run(l.entity, l.uid, l.system, l.key);
  for (const l of links) {
    s.upsertLink.run(l.entity, l.uid, l.system, l.key, l.state, JSON.stringify(l.shadow));
  }
}

import type pg from "pg";
import type { HubBatch } from "../hub-store.js";
import { lockBatchRecords } from "./postgres-hub-locks.js";
import { optionalJson } from "../hub-rows.js";
import type { PostgresHubStatement, PostgresHubStatements } from "./postgres-hub-statements.js";

/** Rows per statement: big enough to amortize a round trip, small enough to keep messages moderate. */
export const commitChunkRows = 5000;

/** One row for `json_to_recordset`, keyed by column name (other keys are ignored); undefined and null become SQL NULL. */
type BatchRow = object;

const ek = (r: { entity: string; uid: string }): string => `${r.entity}\0${r.uid}`;
const eks = (r: { entity: string; uid: string; system: string }): string => `${r.entity}\0${r.uid}\0${r.system}`;

/**
 * Applies every member of a batch inside the caller's transaction, each member as one
 * multi-row statement per chunk. Same order as the SQLite store: unlinks before links, goldens
 * before `clean`, `park` before `unpark`, `writeFailures` before `clearWriteFailures`.
 */
export async function applyPostgresHubBatch(
  client: pg.ClientBase,
  s: PostgresHubStatements,
  schema: string,
  batch: HubBatch,
): Promise<void> {
  await lockBatchRecords(client, s, schema, batch);
  const run = (statement: PostgresHubStatement, rows: readonly BatchRow[]) => runChunked(client, statement, rows);

  await run(s.deleteLinks, lastByKey(batch.unlinks ?? [], eks));
  await run(
    s.upsertGoldens,
    lastByKey(batch.goldens ?? [], ek).map((g) => ({
      entity: g.entity,
      uid: g.uid,
      fields: JSON.stringify(g.fields),
      meta: JSON.stringify(g.meta),
      deleted: g.deleted,
      merged_into: g.mergedInto,
      dirty: g.dirty,
      created_at: g.createdAt,
      updated_at: g.updatedAt,
    })),
  );
  // A link whose key moves is removed first, so that another link of this batch may take over
  // its old key. A key held by a link outside the batch still fails the UNIQUE constraint.
  const links = lastByKey(batch.links ?? [], eks);
  await run(
    s.deleteMovedLinks,
    links.map((l) => ({ entity: l.entity, uid: l.uid, system: l.system, key: l.key })),
  );
  await run(
    s.upsertLinks,
    links.map((l) => ({ ...l, shadow: JSON.stringify(l.shadow) })),
  );
  const matchKeys = lastByKey(batch.matchKeys ?? [], ek);
  await run(
    s.deleteMatchKeys,
    matchKeys.map((m) => ({ entity: m.entity, uid: m.uid })),
  );
  await run(
    s.insertMatchKeys,
    matchKeys.flatMap((m) => m.keys.map((key) => ({ entity: m.entity, uid: m.uid, key }))),
  );
  await run(
    s.insertJournal,
    (batch.journal ?? []).map((j) => ({
      run_id: j.runId,
      at: j.at,
      entity: j.entity,
      uid: j.uid,
      kind: j.kind,
      system: j.system,
      key: j.key,
      field: j.field,
      before: optionalJson(j.before),
      after: optionalJson(j.after),
      cause: j.cause,
    })),
  );
  await run(
    s.upsertConflicts,
    lastByKey(batch.conflicts ?? [], (c) => c.id).map((c) => ({
      id: c.id,
      run_id: c.runId,
      entity: c.entity,
      uid: c.uid,
      field: c.field,
      system: c.system,
      value: JSON.stringify(c.value),
      golden_value: JSON.stringify(c.goldenValue),
      golden_system: c.goldenSystem,
      rule: c.rule,
      winner: c.winner,
      status: c.status,
      created_at: c.createdAt,
      resolved_at: c.resolvedAt,
    })),
  );
  await run(
    s.upsertDuplicates,
    lastByKey(batch.duplicates ?? [], (d) => d.id).map((d) => ({
      id: d.id,
      entity: d.entity,
      uid: d.uid,
      other_uid: d.otherUid,
      reason: d.reason,
      status: d.status,
      created_at: d.createdAt,
    })),
  );
  await run(
    s.insertErrors,
    (batch.errors ?? []).map((e) => ({
      run_id: e.runId,
      at: e.at,
      system: e.system,
      entity: e.entity,
      key: e.key,
      uid: e.uid,
      stage: e.stage,
      message: e.message,
    })),
  );
  await run(
    s.upsertCursors,
    lastByKey(batch.cursors ?? [], (c) => c.system),
  );
  await run(
    s.upsertParked,
    lastByKey(batch.park ?? [], (p) => p.id).map((p) => ({
      id: p.id,
      system: p.system,
      entity: p.entity,
      change: JSON.stringify(p.change),
      waiting_entity: p.waitingFor.entity,
      waiting_key: p.waitingFor.key,
      at: p.at,
    })),
  );
  await run(
    s.deleteParked,
    lastByKey(batch.unpark ?? [], (id) => id).map((id) => ({ id })),
  );
  await run(
    s.upsertWriteFailures,
    lastByKey(batch.writeFailures ?? [], eks).map((f) => ({
      entity: f.entity,
      uid: f.uid,
      system: f.system,
      attempts: f.attempts,
      last_error: f.lastError,
      next_at: f.nextAt,
      dead: f.dead,
      updated_at: f.updatedAt,
    })),
  );
  await run(s.deleteWriteFailures, lastByKey(batch.clearWriteFailures ?? [], eks));
  await run(s.cleanGoldens, lastByKey(batch.clean ?? [], ek));
  await run(
    s.upsertMeta,
    lastByKey(batch.meta ?? [], (m) => m.key),
  );
}

/**
 * The last item per key, in key order. The SQLite store applies a batch row by row, so a later
 * item of the same key wins; one multi-row upsert may not touch a row twice, so the earlier
 * ones are dropped here. Key order makes concurrent commits take row locks in the same order.
 */
function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(key(item), item);
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as T);
}

/** Runs `statement` once per chunk of rows, each chunk sent as one JSON array. */
async function runChunked(client: pg.ClientBase, statement: PostgresHubStatement, rows: readonly BatchRow[]) {
  for (let start = 0; start < rows.length; start += commitChunkRows) {
    const chunk = JSON.stringify(rows.slice(start, start + commitChunkRows));
    await client.query({ name: statement.name, text: statement.text, values: [chunk] });
  }
}

import { createHash } from "node:crypto";
import type pg from "pg";
import type { HubBatch } from "../hub-store.js";
import type { PostgresHubStatements } from "./postgres-hub-statements.js";

/**
 * Past this many records, a batch locks the whole hub instead of each record: every advisory
 * lock takes a slot in the server's shared lock table (max_locks_per_transaction × connections,
 * 6,400 by default), and a 10k-record batch would exhaust it.
 */
export const maxRecordLocks = 256;

// The hub-wide lock is (space, hashtext(schema)); per-record locks are int8 keys, a separate
// key space. "CoNc" in ASCII.
const hubLockSpace = 0x436f4e63;

/**
 * Serializes the commits of processes that share the hub, per record.
 *
 * Why: several Concord processes may commit batches that touch the same records. Row locks
 * alone would let two batches lock rows of golden, links and match_keys in different orders
 * (deadlocks) and interleave their changes of one record across tables. So a commit first takes
 * a transaction-scoped advisory lock per (entity, uid) it touches, in ascending key order:
 * two commits sharing records queue behind each other, and no two can wait on each other in a
 * cycle. Locks are released by COMMIT or ROLLBACK, never by hand.
 *
 * A batch of more than `maxRecordLocks` records takes the hub lock exclusively instead; small
 * batches hold it shared, so they still run side by side but never alongside a big one. The hub
 * lock is always taken before any record lock, which keeps the order total.
 */
export async function lockBatchRecords(
  client: pg.ClientBase,
  s: PostgresHubStatements,
  schema: string,
  batch: HubBatch,
): Promise<void> {
  const records = touchedRecords(batch);
  if (records.size === 0) return;
  if (records.size > maxRecordLocks) {
    await client.query({ ...s.lockHubExclusive, values: [hubLockSpace, schema] });
    return;
  }
  await client.query({ ...s.lockHubShared, values: [hubLockSpace, schema] });
  const keys = [...new Set([...records].map((record) => recordLockKey(schema, record)))];
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await client.query({ ...s.lockRecords, values: [keys.map(String)] });
}

/** Every (entity, uid) whose state the batch changes, as `entity\0uid`. */
function touchedRecords(batch: HubBatch): Set<string> {
  const records = new Set<string>();
  const add = (items: readonly { readonly entity: string; readonly uid: string }[] | undefined): void => {
    for (const item of items ?? []) records.add(`${item.entity}\0${item.uid}`);
  };
  add(batch.goldens);
  add(batch.links);
  add(batch.unlinks);
  add(batch.matchKeys);
  add(batch.writeFailures);
  add(batch.clearWriteFailures);
  add(batch.clean);
  return records;
}

/** A signed 64-bit lock key for one record of the hub in `schema`, the same in every process. */
export function recordLockKey(schema: string, record: string): bigint {
  const digest = createHash("sha256").update(`${schema}\0${record}`).digest();
  return digest.readBigInt64BE(0);
}

import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
import type { Binding, EntityDef } from "../config/model.js";
import type { RecordWriter, WriteOp, WriteResult } from "../connectors/connector.js";
import { ConcordError, messageOf } from "../core/errors.js";
import { mapOut } from "../core/mapping.js";
import type { Fields, WriteCounts, WriteFailure } from "../core/types.js";
import { entry } from "./apply-upsert.js";
import { releaseReusedKeys } from "./reused-keys.js";
import type { TargetOp } from "./plan-page.js";
import { labelOf, recordError, type RunContext, shownFields, tell } from "./run-context.js";
import type { UnitOfWork } from "./unit-of-work.js";

/** Writes per connector call. */
const CHUNK = 500;
/** Attempts of one retryable write failure, across runs, before it is dead-lettered. */
const MAX_ATTEMPTS = 5;

/** A planned write, mapped to native form. */
export interface NativeOp {
  readonly target: TargetOp;
  readonly fields: Fields;
  readonly write: WriteOp | undefined;
}

/** Which records were written (or needed nothing) and which failed. */
export interface WriteOutcome {
  readonly failed: Set<string>;
}

/** How to write: for real, or only report what would be written (`plan`). */
export interface WriteMode {
  readonly dryRun: boolean;
  readonly onPlanned?: (system: string, entity: string, op: NativeOp) => void;
}

/**
 * Writes one target's planned ops: maps them out, asks the system which creates already
 * happened (a crash may have lost their acknowledgement), writes in chunks with retries, and
 * acknowledges each success into the shadows (in `uow`). Failures go to the outbox ledger.
 */
export async function writeTarget(
  ctx: RunContext,
  uow: UnitOfWork,
  binding: Binding,
  ops: readonly NativeOp[],
  mode: WriteMode,
): Promise<WriteOutcome> {
  const failed = new Set<string>();
  const entity = ctx.rt.entity(binding.entity);
  const counts = countsFor(ctx, binding.system);
  const writes: NativeOp[] = [];
  for (const op of ops) {
    if (op.target.op.kind === "detach") {
      if (!mode.dryRun)
        acknowledge(ctx, uow, entity, binding, op, { ok: true, key: op.target.link?.key ?? "" }, counts);
      continue;
    }
    if (mode.dryRun) {
      mode.onPlanned?.(binding.system, entity.name, op);
      count(counts, op);
      continue;
    }
    writes.push(op);
  }
  if (writes.length === 0) return { failed };
  const connector = await ctx.rt.connector(binding.system);
  const writer = connector.writer;
  if (writer === undefined) {
    throw new ConcordError(
      "config",
      `${binding.system}: its connector cannot write, but ${entity.name} is bound with direction ${binding.direction}`,
    );
  }
  const pending = await skipAlreadyCreated(ctx, uow, entity, binding, writer, writes, counts);
  const writeAll = async (list: readonly NativeOp[], acks: UnitOfWork): Promise<void> => {
    for (let i = 0; i < list.length; i += CHUNK) {
      const chunk = list.slice(i, i + CHUNK);
      let results: WriteResult[];
      try {
        results = await writeWithRetry(
          writer,
          binding.table,
          chunk.map((op) => op.write).filter((w) => w !== undefined),
        );
      } catch (err) {
        const retryable = err instanceof ConcordError ? err.retryable : false;
        results = chunk.map(() => ({ ok: false, error: messageOf(err), retryable }));
      }
      const created = chunk.flatMap((op, index) => {
        const result = results[index];
        return op.write?.op === "insert" && result?.ok === true ? [{ uid: op.target.golden.uid, key: result.key }] : [];
      });
      await releaseReusedKeys(ctx, acks, entity, binding, created);
      chunk.forEach((op, index) => {
        const result = results[index] ?? { ok: false, error: "no result from connector", retryable: true };
        if (result.ok || (op.target.op.kind === "delete" && result.notFound === true)) {
          acknowledge(
            ctx,
            acks,
            entity,
            binding,
            op,
            result.ok ? result : { ok: true, key: op.target.link?.key ?? "" },
            counts,
          );
        } else {
          failed.add(op.target.golden.uid);
          fail(ctx, uow, binding, op.target.golden.uid, result.error, result.retryable);
        }
      });
    }
  };
  // Deletes never share a call with creates: propagation writes tombstones in a later phase. A
  // key a crash left linked to a deleted record is released when a create receives it.
  await writeAll(pending, uow);
  return { failed };
}

/**
 * Maps a planned op to native form. `resolved` holds the op's fields with refs already
 * translated to the target's keys; the shadow keeps the canonical ones. A value that cannot be
 * mapped fails the record.
 */
export async function toNative(
  ctx: RunContext,
  uow: UnitOfWork,
  binding: Binding,
  target: TargetOp,
  resolved: Fields,
): Promise<NativeOp | undefined> {
  const entity = ctx.rt.entity(binding.entity);
  const { op, golden, link } = target;
  const fields = op.kind === "create" || op.kind === "update" ? op.fields : {};
  try {
    switch (op.kind) {
      case "create":
        return {
          target,
          fields,
          write: { op: "insert", ref: golden.uid, row: await mapOut(entity, binding, resolved) },
        };
      case "update":
        return {
          target,
          fields,
          write: { op: "update", key: link?.key ?? "", row: await mapOut(entity, binding, resolved) },
        };
      case "delete":
        return { target, fields, write: { op: "delete", key: link?.key ?? "" } };
      case "detach":
        return { target, fields, write: undefined };
    }
  } catch (err) {
    fail(ctx, uow, binding, golden.uid, messageOf(err), false, "map-out");
    return undefined;
  }
}

async function skipAlreadyCreated(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  writer: RecordWriter,
  ops: readonly NativeOp[],
  counts: WriteCounts,
): Promise<NativeOp[]> {
  const creates = ops.filter((op) => op.write?.op === "insert");
  if (creates.length === 0 || writer.findCreated === undefined) return [...ops];
  const found = await writer.findCreated(
    binding.table,
    creates.map((op) => op.target.golden.uid),
  );
  if (found.size === 0) return [...ops];
  await releaseReusedKeys(
    ctx,
    uow,
    entity,
    binding,
    [...found].map(([uid, key]) => ({ uid, key })),
  );
  return ops.filter((op) => {
    const key = op.write?.op === "insert" ? found.get(op.target.golden.uid) : undefined;
    if (key === undefined) return true;
    acknowledge(ctx, uow, entity, binding, op, { ok: true, key }, counts);
    return false;
  });
}

async function writeWithRetry(writer: RecordWriter, table: string, ops: WriteOp[]): Promise<WriteResult[]> {
  const policy = retry(
    handleWhen((err) => err instanceof ConcordError && err.retryable),
    { maxAttempts: 3, backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 2000 }) },
  );
  return policy.execute(() => writer.write(table, ops));
}

function acknowledge(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  op: NativeOp,
  result: { ok: true; key: string },
  counts: WriteCounts,
): void {
  const { golden, link } = op.target;
  const system = binding.system;
  const shown = shownFields(ctx, entity, op.fields);
  const label = () => labelOf(entity, golden.fields, golden.uid);
  const kind = op.target.op.kind;
  if (kind === "detach") {
    if (link !== undefined) uow.putLink({ ...link, state: "detached" });
    uow.journal.push(entry(ctx, entity, golden.uid, "detach", system, { key: result.key, cause: "filter" }));
    tell(ctx, () => ({
      type: "detached",
      entity: entity.name,
      uid: golden.uid,
      system,
      reason: "no longer satisfies the filter",
      label: label(),
    }));
    return;
  }
  if (kind === "create") {
    uow.putLink({ entity: entity.name, uid: golden.uid, system, key: result.key, state: "active", shadow: op.fields });
    uow.journal.push(
      entry(ctx, entity, golden.uid, "created", system, { key: result.key, after: shown, cause: "propagate" }),
    );
  } else if (kind === "update" && link !== undefined) {
    uow.putLink({ ...link, shadow: { ...link.shadow, ...op.fields } });
    const before = op.target.op.kind === "update" ? shownFields(ctx, entity, op.target.op.before) : {};
    uow.journal.push(
      entry(ctx, entity, golden.uid, "write", system, { key: result.key, before, after: shown, cause: "propagate" }),
    );
  } else if (kind === "delete" && link !== undefined) {
    uow.removeLink(link);
    uow.journal.push(entry(ctx, entity, golden.uid, "deleted", system, { key: result.key, cause: "propagate" }));
  }
  if (uow.failureOf(entity.name, golden.uid, system) !== undefined) {
    uow.clearFailures.push({ entity: entity.name, uid: golden.uid, system });
  }
  count(counts, op);
  if (ctx.rt.observer.detail) {
    tell(ctx, () => ({
      type: "written",
      entity: entity.name,
      uid: golden.uid,
      system,
      op: kind,
      key: result.key,
      fields: Object.keys(op.fields),
      label: label(),
    }));
  }
}

/** Records a failed write in the outbox ledger and as a record error. */
export function fail(
  ctx: RunContext,
  uow: UnitOfWork,
  binding: Binding,
  uid: string,
  message: string,
  retryable: boolean,
  stage: "write" | "map-out" | "reference" = "write",
): void {
  const now = ctx.rt.now();
  const previous = uow.failureOf(binding.entity, uid, binding.system);
  const attempts = (previous?.attempts ?? 0) + 1;
  const dead = !retryable || attempts >= MAX_ATTEMPTS;
  // Exponential backoff with full jitter, capped at an hour.
  const delayMs = Math.random() * Math.min(3_600_000, 1000 * 2 ** attempts);
  const failure: WriteFailure = {
    entity: binding.entity,
    uid,
    system: binding.system,
    attempts,
    lastError: message,
    nextAt: new Date(Date.parse(now) + delayMs).toISOString(),
    dead,
    updatedAt: now,
  };
  uow.writeFailures.push(failure);
  uow.errors.push(recordError(ctx, { system: binding.system, entity: binding.entity, uid, stage, message }));
}

function countsFor(ctx: RunContext, system: string): WriteCounts {
  const existing = ctx.stats.written[system];
  if (existing !== undefined) return existing;
  const fresh = { created: 0, updated: 0, deleted: 0 };
  ctx.stats.written[system] = fresh;
  return fresh;
}

function count(counts: WriteCounts, op: NativeOp): void {
  const kind = op.target.op.kind;
  if (kind === "create") counts.created += 1;
  else if (kind === "update") counts.updated += 1;
  else if (kind === "delete") counts.deleted += 1;
}

import type { Binding } from "../config/model.js";
import type { Connector } from "../connectors/connector.js";
import { ConcordError } from "../core/errors.js";
import type { SourceChange } from "../core/types.js";
import { ingestChanges } from "./ingest.js";
import type { RunContext } from "./run-context.js";
import { UnitOfWork } from "./unit-of-work.js";

/** What to read from a system in one run. */
export interface CaptureOptions {
  /** Read whole snapshots (initial load, drift and delete detection) instead of the feed. */
  readonly full: boolean;
  /** Limit snapshots to these entities (the feed is always read whole: a cursor spans entities). */
  readonly entities?: ReadonlySet<string>;
  /** Read only: install nothing, acknowledge nothing. */
  readonly dryRun: boolean;
  readonly batchSize: number;
}

/**
 * Reads what changed in one system into the hub. First contact (no cursor yet, or capture
 * missing for a resource) installs change capture and takes full snapshots; later runs read the
 * feed since the cursor. Every batch commits with the cursor that produced it.
 */
export async function captureSystem(ctx: RunContext, system: string, options: CaptureOptions): Promise<void> {
  const bindings = readableBindings(ctx, system);
  if (bindings.length === 0) return;
  const connector = await ctx.rt.connector(system);
  const capture = connector.capture;
  const cursor = await ctx.rt.hub.getCursor(system);
  const installed = capture === undefined ? false : await capture.isInstalled();
  const firstContact = cursor === null || (capture !== undefined && !installed);

  if (!firstContact && !options.full && capture !== undefined) {
    await readFeed(ctx, connector, system, cursor, options);
    return;
  }
  let start: string | undefined;
  if (capture !== undefined && !options.dryRun) {
    await capture.install();
    start = await capture.currentCursor();
  } else if (capture !== undefined && installed) {
    start = await capture.currentCursor();
  }
  const scope =
    firstContact || options.entities === undefined ? bindings : bindings.filter((b) => options.entities?.has(b.entity));
  for (const binding of scope) await snapshotBinding(ctx, connector, binding, options);
  if (start !== undefined) {
    await ctx.rt.hub.commit({ cursors: [{ system, cursor: start }] });
    if (!options.dryRun) await capture?.acknowledge(start);
  }
}

async function readFeed(
  ctx: RunContext,
  connector: Connector,
  system: string,
  cursor: string | null,
  options: CaptureOptions,
): Promise<void> {
  const capture = connector.capture;
  if (capture === undefined) return;
  let position = cursor;
  let done = 0;
  for (;;) {
    const batch = await capture.changes(position, { limit: options.batchSize });
    // An empty feed leaves the cursor where the hub has it: nothing to commit or acknowledge
    // again (the daemon's every run reads each system's feed, most of them empty).
    const idle = batch.changes.length === 0 && batch.cursor === position;
    if (!idle) {
      const uow = new UnitOfWork(ctx.rt.hub);
      await ingestChanges(ctx, uow, system, batch.changes);
      uow.setCursor(system, batch.cursor);
      await uow.commit();
      if (!options.dryRun) await capture.acknowledge(batch.cursor);
    }
    done += batch.changes.length;
    ctx.rt.observer.emit({ type: "progress", stage: "read", system, entity: "*", done });
    if (!batch.more || batch.cursor === position) return;
    position = batch.cursor;
  }
}

/**
 * Streams a binding's whole resource into the hub, then treats every linked key the snapshot
 * did not contain as deleted in that system.
 */
async function snapshotBinding(
  ctx: RunContext,
  connector: Connector,
  binding: Binding,
  options: CaptureOptions,
): Promise<void> {
  const reader = connector.reader;
  if (reader === undefined) return;
  const { system, entity, table, key } = binding;
  // Deletes are found by comparing the snapshot's keys with the links it had before. With no
  // link yet (a first load) there is nothing to compare, and not remembering every key read
  // keeps a load's memory the same whatever the table's size.
  const linkedBefore = (await ctx.rt.hub.listLinkKeys(entity, system, null, 1)).length > 0;
  const seen = linkedBefore ? new Set<string>() : undefined;
  let done = 0;
  for await (const rows of reader.snapshot(table, { batchSize: options.batchSize })) {
    const changes: SourceChange[] = rows.map((row) => {
      const value = row[key];
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
        throw new ConcordError("connector", `${system}.${table}: a row has no usable value in key column "${key}"`);
      }
      const k = String(value);
      seen?.add(k);
      return { resource: table, op: "upsert", key: k, row };
    });
    const uow = new UnitOfWork(ctx.rt.hub);
    await ingestChanges(ctx, uow, system, changes);
    await uow.commit();
    done += rows.length;
    ctx.rt.observer.emit({ type: "progress", stage: "read", system, entity, done });
  }
  if (seen !== undefined) await detectDeletes(ctx, binding, seen, options.batchSize);
}

async function detectDeletes(
  ctx: RunContext,
  binding: Binding,
  seen: ReadonlySet<string>,
  pageSize: number,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const keys = await ctx.rt.hub.listLinkKeys(binding.entity, binding.system, after, pageSize);
    if (keys.length === 0) return;
    const gone = keys.filter((k) => !seen.has(k));
    if (gone.length > 0) {
      const uow = new UnitOfWork(ctx.rt.hub);
      const changes = gone.map((k): SourceChange => ({ resource: binding.table, op: "delete", key: k }));
      await ingestChanges(ctx, uow, binding.system, changes);
      await uow.commit();
    }
    after = keys[keys.length - 1] ?? null;
  }
}

/** Bindings of a system that the hub reads (direction both or in), in reference order. */
function readableBindings(ctx: RunContext, system: string): Binding[] {
  const out: Binding[] = [];
  for (const name of ctx.rt.config.entityOrder) {
    const binding = ctx.rt.entity(name).bindings[system];
    if (binding !== undefined && binding.direction !== "out") out.push(binding);
  }
  return out;
}

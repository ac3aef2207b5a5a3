import { v7 as uuidv7 } from "uuid";
import type { Binding, EntityDef } from "../config/model.js";
import { mapIn } from "../core/mapping.js";
import { matchKeys } from "../core/normalize.js";
import { validateFields } from "../core/field-types.js";
import type { Fields, SourceChange } from "../core/types.js";
import { applyDelete } from "./apply-delete.js";
import { applyUpsert } from "./apply-upsert.js";
import { recordError, type RunContext } from "./run-context.js";
import type { UnitOfWork } from "./unit-of-work.js";

/** One upsert after mapping in: canonical fields, refs translated to uids. */
export interface PreparedUpsert {
  readonly change: SourceChange;
  readonly fields: Fields;
}

/** Options of one ingest call. */
export interface IngestOptions {
  /** When these changes come back from the parking lot: their ids, to unpark them. */
  readonly parkedIds?: ReadonlyMap<SourceChange, string>;
}

/**
 * Applies a batch of changes from one system to the hub (in `uow`, committed by the caller):
 * map in → validate → translate references → identify → merge. Entities go in reference
 * order, so an order and the contact it references may arrive in the same batch.
 */
export async function ingestChanges(
  ctx: RunContext,
  uow: UnitOfWork,
  system: string,
  changes: readonly SourceChange[],
  options: IngestOptions = {},
): Promise<void> {
  const byEntity = groupByEntity(ctx, system, changes);
  for (const entityName of ctx.rt.config.entityOrder) {
    const list = byEntity.get(entityName);
    if (list === undefined) continue;
    const entity = ctx.rt.entity(entityName);
    const binding = entity.bindings[system];
    // An `out` binding is never read: the hub does not take its changes.
    if (binding === undefined || binding.direction === "out") continue;
    ctx.stats.read += list.length;
    for (const change of list) supersedeParked(ctx, uow, system, entityName, change, options.parkedIds?.get(change));
    await ingestEntity(ctx, uow, entity, binding, list);
  }
}

async function ingestEntity(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  changes: readonly SourceChange[],
): Promise<void> {
  const system = binding.system;
  await uow.loadLinksByKeys(
    entity.name,
    system,
    changes.map((c) => c.key),
  );
  const upserts: PreparedUpsert[] = [];
  for (const change of changes) {
    if (change.op === "delete") continue;
    const prepared = await prepareUpsert(ctx, uow, entity, binding, change);
    if (prepared !== undefined) upserts.push(prepared);
  }
  const ready = await translateRefs(ctx, uow, entity, binding, upserts);
  const linked = changes.map((c) => uow.link(entity.name, system, c.key)?.uid).filter((u) => u !== undefined);
  await uow.loadRecords(entity.name, linked);
  // One lookup for the match keys of every record new to the hub, instead of one per record.
  const fresh = ready.filter((p) => uow.link(entity.name, system, p.change.key) === undefined);
  await uow.findByMatchKeys(
    entity.name,
    fresh.flatMap((p) => matchKeys(entity, p.fields)),
  );

  // Changes apply in feed order, so a delete after an upsert of the same key wins.
  const readyByChange = new Map(ready.map((p) => [p.change, p]));
  for (const change of changes) {
    if (change.op === "delete") {
      applyDelete(ctx, uow, entity, binding, change);
      continue;
    }
    const prepared = readyByChange.get(change);
    if (prepared !== undefined) await applyUpsert(ctx, uow, entity, binding, prepared);
  }
}

async function prepareUpsert(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  change: SourceChange,
): Promise<PreparedUpsert | undefined> {
  const base = { system: binding.system, entity: entity.name, key: change.key };
  const { fields, errors } = await mapIn(entity, binding, change.row ?? {});
  const problems = [...errors, ...validateFields(entity, fields)];
  if (problems.length > 0) {
    const message = problems.map((p) => p.message).join("; ");
    uow.errors.push(recordError(ctx, { ...base, stage: errors.length > 0 ? "map-in" : "validate", message }));
    return undefined;
  }
  return { change, fields };
}

/**
 * Replaces each ref field's native key with the referenced record's uid, through the links of
 * the same system. A change whose referenced record has not arrived yet is parked.
 */
async function translateRefs(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  upserts: readonly PreparedUpsert[],
): Promise<PreparedUpsert[]> {
  const refFields = binding.fields.map((m) => entity.fields[m.field]).filter((d) => d?.type === "ref");
  if (refFields.length === 0) return [...upserts];
  for (const def of refFields) {
    if (def?.entity === undefined) continue;
    const keys = upserts.map((p) => p.fields[def.name]).filter((v) => typeof v === "string");
    await uow.loadLinksByKeys(def.entity, binding.system, keys);
  }
  const ready: PreparedUpsert[] = [];
  for (const prepared of upserts) {
    const fields = { ...prepared.fields };
    let waitingFor: { entity: string; key: string } | undefined;
    for (const def of refFields) {
      const native = def === undefined ? null : fields[def.name];
      if (def?.entity === undefined || typeof native !== "string") continue;
      const target = uow.link(def.entity, binding.system, native);
      if (target === undefined) {
        waitingFor = { entity: def.entity, key: native };
        break;
      }
      fields[def.name] = target.uid;
    }
    if (waitingFor === undefined) {
      ready.push({ change: prepared.change, fields });
      continue;
    }
    park(ctx, uow, entity.name, binding.system, prepared.change, waitingFor);
  }
  return ready;
}

/** A change for a key that has a parked change replaces it: the parked one is older. */
function supersedeParked(
  ctx: RunContext,
  uow: UnitOfWork,
  system: string,
  entity: string,
  change: SourceChange,
  parkedId: string | undefined,
): void {
  const slot = `${system}/${entity}/${change.key}`;
  const older = ctx.parked.get(slot);
  if (older !== undefined && older !== parkedId) uow.unpark.push(older);
  if (parkedId !== undefined) uow.unpark.push(parkedId);
  ctx.parked.delete(slot);
}

function park(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: string,
  system: string,
  change: SourceChange,
  waitingFor: { entity: string; key: string },
): void {
  const slot = `${system}/${entity}/${change.key}`;
  const id = uuidv7();
  ctx.parked.set(slot, id);
  uow.park.push({ id, system, entity, change, waitingFor, at: ctx.rt.now() });
}

function groupByEntity(ctx: RunContext, system: string, changes: readonly SourceChange[]): Map<string, SourceChange[]> {
  const entityOf = new Map<string, string>();
  for (const entity of Object.values(ctx.rt.config.entities)) {
    const binding = entity.bindings[system];
    if (binding !== undefined) entityOf.set(binding.table, entity.name);
  }
  const grouped = new Map<string, SourceChange[]>();
  for (const change of changes) {
    const entity = entityOf.get(change.resource);
    if (entity === undefined) continue;
    const list = grouped.get(entity) ?? [];
    list.push(change);
    grouped.set(entity, list);
  }
  return grouped;
}

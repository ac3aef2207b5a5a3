import { v7 as uuidv7 } from "uuid";
import type { Binding, EntityDef } from "../config/model.js";
import { evaluateFilter } from "../core/expression.js";
import { decideIdentity } from "../core/identity.js";
import { conflictRecord, mergeRecord, type MergeResult } from "../core/merge.js";
import { matchKeys } from "../core/normalize.js";
import { valuesEqual } from "../core/values.js";
import type { Fields, GoldenRecord, JournalEntry, Link } from "../core/types.js";
import type { PreparedUpsert } from "./ingest.js";
import { labelOf, normalizeTime, type RunContext, shown, shownFields, tell } from "./run-context.js";
import type { UnitOfWork } from "./unit-of-work.js";

/** Applies one mapped upsert from `binding.system`: to its linked record, or identifies it. */
export async function applyUpsert(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  prepared: PreparedUpsert,
): Promise<void> {
  const { change, fields } = prepared;
  const link = uow.link(entity.name, binding.system, change.key);
  if (link === undefined) return placeNew(ctx, uow, entity, binding, prepared);

  const golden = uow.golden(entity.name, link.uid);
  // A tombstoned record's late changes are dropped: the delete reaches this system instead.
  if (golden === undefined || golden.deleted) return;
  const admitted = await admits(binding, { ...golden.fields, ...fields });
  if (link.state === "detached") {
    // A detached record that satisfies the filter again comes back, once its system changes it:
    // re-reading it unchanged (a full snapshot) must not bring back its stale values.
    if (!admitted || binding.filter === undefined || sameAsShadow(fields, link.shadow)) return;
    journalLink(ctx, uow, entity, { ...link, state: "active" }, "filter");
  } else if (!admitted) {
    uow.putLink({ ...link, state: "detached" });
    uow.putGolden({ ...golden, dirty: true });
    uow.journal.push(entry(ctx, entity, golden.uid, "detach", binding.system, { key: link.key, cause: "filter" }));
    tell(ctx, () => ({
      type: "detached",
      entity: entity.name,
      uid: golden.uid,
      system: binding.system,
      reason: "no longer satisfies the filter",
      label: labelOf(entity, golden.fields, golden.uid),
    }));
    return;
  }
  const at = normalizeTime(change.sourceTime);
  const merged = mergeRecord(entity, golden, link.state === "active" ? link.shadow : undefined, {
    system: binding.system,
    fields,
    at,
    direction: binding.direction,
  });
  commitMerge(ctx, uow, entity, golden, { ...link, state: "active" }, merged);
}

/** Identifies a record this system reports for the first time, then creates or links. */
async function placeNew(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  binding: Binding,
  prepared: PreparedUpsert,
): Promise<void> {
  const { change, fields } = prepared;
  const system = binding.system;
  const keys = matchKeys(entity, fields);
  const found = await uow.findByMatchKeys(entity.name, keys);
  const candidateUids = [...new Set([...found.values()].flat())];
  await uow.loadRecords(entity.name, candidateUids);
  const live = (uid: string) => uow.golden(entity.name, uid)?.deleted === false;
  const candidates = entity.match.map((_, alt) => {
    const key = keys.find((k) => k.startsWith(`${alt}#`));
    return key === undefined ? [] : (found.get(key) ?? []).filter(live);
  });
  const decision = decideIdentity(
    candidates,
    (uid) => uow.linksOf(entity.name, uid).find((l) => l.system === system)?.state,
  );
  const at = normalizeTime(change.sourceTime);

  if (decision.kind === "link") {
    const golden = uow.golden(entity.name, decision.uid);
    if (golden === undefined) return;
    // Records the filter rejects are not taken into the hub. One that joins a golden record is
    // judged with the fields it would join, as a linked record is: its system may not hold them all.
    if (!(await admits(binding, { ...golden.fields, ...fields }))) return;
    const link: Link = { entity: entity.name, uid: golden.uid, system, key: change.key, state: "active", shadow: {} };
    journalLink(ctx, uow, entity, link, decision.reattach ? "re-attach" : "match");
    const merged = mergeRecord(entity, golden, undefined, { system, fields, at, direction: binding.direction });
    commitMerge(ctx, uow, entity, golden, link, merged);
    return;
  }

  if (!(await admits(binding, fields))) return;
  const uid = uuidv7();
  const now = ctx.rt.now();
  const meta = Object.fromEntries(Object.keys(fields).map((f) => [f, { system, at }]));
  const golden: GoldenRecord = {
    entity: entity.name,
    uid,
    fields,
    meta,
    deleted: false,
    dirty: true,
    createdAt: now,
    updatedAt: now,
  };
  uow.putGolden(golden);
  uow.putLink({ entity: entity.name, uid, system, key: change.key, state: "active", shadow: fields });
  uow.setMatchKeys(entity.name, uid, keys);
  uow.journal.push(
    entry(ctx, entity, uid, "create", system, {
      key: change.key,
      after: shownFields(ctx, entity, fields),
      cause: "change",
    }),
  );
  ctx.stats.applied += 1;
  const label = () => labelOf(entity, fields, uid);
  tell(ctx, () => ({ type: "created", entity: entity.name, uid, system, label: label() }));
  for (const otherUid of decision.duplicateOf) {
    const reason = decision.reason ?? "same match key";
    uow.duplicates.push({ id: uuidv7(), entity: entity.name, uid, otherUid, reason, status: "open", createdAt: now });
    tell(ctx, () => ({ type: "duplicate", entity: entity.name, uid, otherUid, reason, label: label() }));
  }
}

/** Stores a merge: golden, shadow, journal, conflicts, match keys. */
function commitMerge(
  ctx: RunContext,
  uow: UnitOfWork,
  entity: EntityDef,
  golden: GoldenRecord,
  link: Link,
  merged: MergeResult,
): void {
  const system = link.system;
  const label = () => labelOf(entity, merged.fields, golden.uid);
  let touched = merged.changed;
  for (const [field, outcome] of Object.entries(merged.outcomes)) {
    if (outcome.kind === "unchanged" || outcome.kind === "agreed") continue;
    touched = true;
    if (outcome.kind === "rejected") {
      const after = shown(ctx, entity, field, outcome.value);
      uow.journal.push(
        entry(ctx, entity, golden.uid, "rejected", system, { key: link.key, field, after, cause: "owner" }),
      );
      tell(ctx, () => ({
        type: "rejected",
        entity: entity.name,
        uid: golden.uid,
        system,
        field,
        reason: outcome.reason,
        label: label(),
      }));
      continue;
    }
    if (outcome.kind === "conflict") {
      const conflict = conflictRecord(
        { id: uuidv7(), runId: ctx.runId, entity: entity.name, uid: golden.uid, createdAt: ctx.rt.now() },
        field,
        system,
        outcome,
      );
      uow.conflicts.push(conflict);
      ctx.stats.conflicts += 1;
      tell(ctx, () => ({ type: "conflict", conflict: redactConflict(ctx, entity, conflict), label: label() }));
      if (outcome.winner !== system) continue;
    }
    const before = golden.fields[field] ?? null;
    const after = merged.fields[field] ?? null;
    const cause = outcome.kind === "conflict" ? `conflict:${outcome.rule}` : "change";
    uow.journal.push(
      entry(ctx, entity, golden.uid, "golden", system, {
        key: link.key,
        field,
        before: shown(ctx, entity, field, before),
        after: shown(ctx, entity, field, after),
        cause,
      }),
    );
    tell(ctx, () => ({
      type: "changed",
      entity: entity.name,
      uid: golden.uid,
      system,
      field,
      before: shown(ctx, entity, field, before),
      after: shown(ctx, entity, field, after),
      label: label(),
    }));
  }
  uow.putLink({ ...link, shadow: merged.shadow });
  if (!touched && golden.dirty) return;
  if (merged.changed) {
    ctx.stats.applied += 1;
    const matchFields = new Set(entity.match.flat());
    if (Object.keys(merged.outcomes).some((f) => matchFields.has(f))) {
      uow.setMatchKeys(entity.name, golden.uid, matchKeys(entity, merged.fields));
    }
  }
  uow.putGolden({ ...golden, fields: merged.fields, meta: merged.meta, dirty: true, updatedAt: ctx.rt.now() });
}

function journalLink(ctx: RunContext, uow: UnitOfWork, entity: EntityDef, link: Link, cause: string): void {
  uow.putLink(link);
  uow.journal.push(entry(ctx, entity, link.uid, "link", link.system, { key: link.key, cause }));
  const golden = uow.golden(entity.name, link.uid);
  tell(ctx, () => ({
    type: "linked",
    entity: entity.name,
    uid: link.uid,
    system: link.system,
    label: labelOf(entity, golden?.fields ?? {}, link.uid),
  }));
}

function sameAsShadow(fields: Fields, shadow: Fields): boolean {
  return Object.entries(fields).every(([field, x]) => field in shadow && valuesEqual(x, shadow[field]));
}

async function admits(binding: Binding, fields: Fields): Promise<boolean> {
  return binding.filter === undefined ? true : evaluateFilter(binding.filter, fields);
}

function redactConflict<C extends { field: string; value: Fields[string]; goldenValue: Fields[string] }>(
  ctx: RunContext,
  entity: EntityDef,
  conflict: C,
): C {
  return {
    ...conflict,
    value: shown(ctx, entity, conflict.field, conflict.value),
    goldenValue: shown(ctx, entity, conflict.field, conflict.goldenValue),
  };
}

/** A journal entry of this run. */
export function entry(
  ctx: RunContext,
  entity: EntityDef,
  uid: string,
  kind: JournalEntry["kind"],
  system: string,
  rest: Omit<JournalEntry, "runId" | "at" | "entity" | "uid" | "kind" | "system">,
): JournalEntry {
  return { runId: ctx.runId, at: ctx.rt.now(), entity: entity.name, uid, kind, system, ...rest };
}

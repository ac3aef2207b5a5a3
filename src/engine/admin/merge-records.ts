import { ConcordError } from "../../core/errors.js";
import { matchKeys } from "../../core/normalize.js";
import type { GoldenRecord, JournalEntry, Link, RunSummary } from "../../core/types.js";
import type { HubBatch } from "../../hub/hub-store.js";
import { entry } from "../apply-upsert.js";
import type { RunContext } from "../run-context.js";
import type { Runtime } from "../runtime.js";
import { adminRun } from "./admin-run.js";

/** Finds a golden record by uid in whichever entity holds it. */
export async function findGolden(rt: Runtime, uid: string): Promise<GoldenRecord> {
  for (const entity of rt.config.entityOrder) {
    const [golden] = await rt.hub.getGoldens(entity, [uid]);
    if (golden !== undefined) return golden;
  }
  throw new ConcordError("not-found", `no golden record ${uid}`);
}

/**
 * Merges golden record `dropUid` into `keepUid` everywhere. The kept record keeps its values and
 * takes the other's where it has none. In each system where only the dropped record exists, its
 * link moves to the kept record; where both exist, the dropped one is deleted there.
 */
export async function mergeRecords(rt: Runtime, keepUid: string, dropUid: string): Promise<RunSummary> {
  if (keepUid === dropUid) throw new ConcordError("usage", "merge needs two different records");
  const keep = await findGolden(rt, keepUid);
  const drop = await findGolden(rt, dropUid);
  if (keep.entity !== drop.entity)
    throw new ConcordError("usage", `${keepUid} is a ${keep.entity}, ${dropUid} a ${drop.entity}`);
  if (keep.deleted || drop.deleted) throw new ConcordError("usage", "cannot merge a deleted record");
  const entity = rt.entity(keep.entity);

  return adminRun(rt, `merge ${keepUid} ${dropUid}`, async (ctx) => {
    const links = await rt.hub.getLinksByUids(entity.name, [keepUid, dropUid]);
    const keptSystems = new Set(links.filter((l) => l.uid === keepUid).map((l) => l.system));
    const fields = { ...keep.fields };
    const meta = { ...keep.meta };
    for (const [field, m] of Object.entries(drop.meta)) {
      // A gap is a field the kept record never had or holds no value in (null).
      if (field in keep.meta && (keep.fields[field] ?? null) !== null) continue;
      fields[field] = drop.fields[field] ?? null;
      meta[field] = m;
    }
    const now = rt.now();
    const moved: Link[] = links
      .filter((l) => l.uid === dropUid && !keptSystems.has(l.system))
      .map((l) => ({ ...l, uid: keepUid }));
    const duplicates = (await rt.hub.listDuplicates({ status: "open", entity: entity.name }))
      .filter((d) => [d.uid, d.otherUid].includes(keepUid) && [d.uid, d.otherUid].includes(dropUid))
      .map((d) => ({ ...d, status: "merged" as const }));
    const batch: HubBatch = {
      unlinks: moved.map((l) => ({ entity: entity.name, uid: dropUid, system: l.system })),
      goldens: [
        { ...keep, fields, meta, dirty: true, updatedAt: now },
        { ...drop, deleted: true, mergedInto: keepUid, dirty: true, updatedAt: now },
      ],
      links: moved,
      matchKeys: [
        { entity: entity.name, uid: keepUid, keys: matchKeys(entity, fields) },
        { entity: entity.name, uid: dropUid, keys: [] },
      ],
      duplicates,
      journal: [
        entry(ctx, entity, dropUid, "merge", "hub", { after: keepUid, cause: "manual" }),
        ...moved.map((l) => entry(ctx, entity, keepUid, "link", l.system, { key: l.key, cause: `merge:${dropUid}` })),
      ],
    };
    await rt.hub.commit(batch);
    ctx.stats.applied += 1;
    await repointReferences(ctx, entity.name, dropUid, keepUid);
  });
}

/** Records that referenced the dropped record now reference the kept one. */
async function repointReferences(ctx: RunContext, target: string, from: string, to: string): Promise<void> {
  const { rt } = ctx;
  for (const name of rt.config.entityOrder) {
    const entity = rt.entity(name);
    const refFields = Object.values(entity.fields).filter((f) => f.type === "ref" && f.entity === target);
    if (refFields.length === 0) continue;
    let after: string | null = null;
    for (;;) {
      const uids = await rt.hub.listUids(name, after, 500);
      if (uids.length === 0) break;
      after = uids[uids.length - 1] ?? null;
      const changed: GoldenRecord[] = [];
      const journal: JournalEntry[] = [];
      for (const golden of await rt.hub.getGoldens(name, uids)) {
        const pointing = refFields.filter((f) => golden.fields[f.name] === from);
        if (pointing.length === 0) continue;
        const fields = { ...golden.fields };
        for (const f of pointing) {
          fields[f.name] = to;
          journal.push(
            entry(ctx, entity, golden.uid, "golden", "hub", { field: f.name, before: from, after: to, cause: "merge" }),
          );
        }
        changed.push({ ...golden, fields, dirty: true, updatedAt: rt.now() });
      }
      if (changed.length > 0) await rt.hub.commit({ goldens: changed, journal });
    }
  }
}

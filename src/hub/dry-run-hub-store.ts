import type {
  Conflict,
  DuplicateCandidate,
  GoldenRecord,
  JournalEntry,
  Link,
  ParkedChange,
  RecordError,
  RunRecord,
  WriteFailure,
} from "../core/types.js";
import { OverlayGoldens } from "./dry-run/overlay-goldens.js";
import { OverlayJournal } from "./dry-run/overlay-journal.js";
import { OverlayLinks } from "./dry-run/overlay-links.js";
import { OverlayMatchKeys } from "./dry-run/overlay-match-keys.js";
import { idOf, OverlayRows } from "./dry-run/overlay-rows.js";
import { byText } from "./dry-run/sorted-keys.js";
import type { HubBatch, HubStore, JournalQuery, LinkStats } from "./hub-store.js";

type ConflictFilter = { status?: Conflict["status"]; uid?: string; entity?: string };
type DuplicateFilter = { status?: DuplicateCandidate["status"]; entity?: string };
type FailureRef = { readonly entity: string; readonly uid: string; readonly system: string };

const failureId = (f: FailureRef): string => idOf(f.entity, f.uid, f.system);
const byCreated = byText<{ createdAt: string; id: string }>(
  (r) => r.createdAt,
  (r) => r.id,
);
const byDue = byText<WriteFailure>(
  (f) => f.nextAt,
  (f) => f.entity,
  (f) => f.uid,
  (f) => f.system,
);
const byStart = byText<RunRecord>(
  (r) => r.startedAt,
  (r) => r.id,
);
const byNewest = (a: RunRecord, b: RunRecord): number => byStart(b, a);
const byFailedUid = byText<WriteFailure>((f) => f.uid);

/**
 * The hub of a dry run (`concord plan`): reads answer as if every committed batch had been
 * applied to the underlying store, but nothing is ever written to it. Batches, runs and their
 * effects live in memory, in proportion to what was committed here; everything else is read
 * from the underlying store and merged, in the orders the HubStore contract gives.
 */
export class DryRunHubStore implements HubStore {
  readonly kind = "dry-run";
  readonly #base: HubStore;
  readonly #goldens: OverlayGoldens;
  readonly #links: OverlayLinks;
  readonly #matchKeys: OverlayMatchKeys;
  readonly #journal: OverlayJournal;
  readonly #conflicts = new OverlayRows<Conflict>((c) => c.id);
  readonly #duplicates = new OverlayRows<DuplicateCandidate>((d) => d.id);
  readonly #parked = new OverlayRows<ParkedChange>((p) => p.id);
  readonly #failures = new OverlayRows<WriteFailure>(failureId);
  readonly #runs = new OverlayRows<RunRecord>((r) => r.id);
  readonly #cursors = new Map<string, string>();
  readonly #meta = new Map<string, string>();
  /** Commits run one after another: each reads the underlying store, then applies in one step. */
  #commits: Promise<void> = Promise.resolve();
  readonly #leases = new Map<string, { owner: string; expiresAt: number }>();

  /** Wraps `base`, which must be migrated; it is only read, and closed by `close()`. */
  constructor(base: HubStore) {
    this.#base = base;
    this.#goldens = new OverlayGoldens(base);
    this.#links = new OverlayLinks(base);
    this.#matchKeys = new OverlayMatchKeys(base);
    this.#journal = new OverlayJournal(base);
  }

  /** Nothing to do: a dry run changes no schema. */
  migrate(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.#base.close();
  }

  commit(batch: HubBatch): Promise<void> {
    const done = this.#commits.then(() => this.#apply(batch));
    this.#commits = done.catch(() => undefined);
    return done;
  }

  getGoldens(entity: string, uids: readonly string[]): Promise<GoldenRecord[]> {
    return this.#goldens.getMany(entity, uids);
  }

  listDirty(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    return this.#goldens.listDirty(entity, afterUid, limit);
  }

  listUids(entity: string, afterUid: string | null, limit: number): Promise<string[]> {
    return this.#goldens.listUids(entity, afterUid, limit);
  }

  countGoldens(entity: string): Promise<{ live: number; deleted: number; dirty: number }> {
    return this.#goldens.count(entity);
  }

  getLinksByKeys(entity: string, system: string, keys: readonly string[]): Promise<Link[]> {
    return this.#links.getByKeys(entity, system, keys);
  }

  getLinksByUids(entity: string, uids: readonly string[]): Promise<Link[]> {
    return this.#links.getByUids(entity, uids);
  }

  listLinkKeys(entity: string, system: string, afterKey: string | null, limit: number): Promise<string[]> {
    return this.#links.listKeys(entity, system, afterKey, limit);
  }

  linkStats(): Promise<LinkStats[]> {
    return this.#links.stats();
  }

  findByMatchKeys(entity: string, keys: readonly string[]): Promise<{ key: string; uid: string }[]> {
    return this.#matchKeys.find(entity, keys);
  }

  async getCursor(system: string): Promise<string | null> {
    return this.#cursors.get(system) ?? (await this.#base.getCursor(system));
  }

  async getMeta(key: string): Promise<string | null> {
    return this.#meta.get(key) ?? (await this.#base.getMeta(key));
  }

  startRun(run: RunRecord): Promise<void> {
    this.#runs.put(run);
    return Promise.resolve();
  }

  finishRun(run: RunRecord): Promise<void> {
    this.#runs.put(run);
    return Promise.resolve();
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.#byId(this.#runs, id, () => this.#base.getRun(id));
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    // Ask for more than `limit`: the overlay may replace some of the newest underlying runs.
    const underlying = await this.#base.listRuns(limit < 0 ? limit : limit + this.#runs.size);
    const merged = this.#runs.merge(underlying, () => true, byNewest);
    return limit < 0 ? merged : merged.slice(0, limit);
  }

  queryJournal(query: JournalQuery): Promise<JournalEntry[]> {
    return this.#journal.query(query);
  }

  getConflict(id: string): Promise<Conflict | undefined> {
    return this.#byId(this.#conflicts, id, () => this.#base.getConflict(id));
  }

  async listConflicts(filter: ConflictFilter): Promise<Conflict[]> {
    const matches = (c: Conflict): boolean =>
      (filter.status === undefined || c.status === filter.status) &&
      (filter.uid === undefined || c.uid === filter.uid) &&
      (filter.entity === undefined || c.entity === filter.entity);
    return this.#conflicts.merge(await this.#base.listConflicts(filter), matches, byCreated);
  }

  getDuplicate(id: string): Promise<DuplicateCandidate | undefined> {
    return this.#byId(this.#duplicates, id, () => this.#base.getDuplicate(id));
  }

  async listDuplicates(filter: DuplicateFilter): Promise<DuplicateCandidate[]> {
    const matches = (d: DuplicateCandidate): boolean =>
      (filter.status === undefined || d.status === filter.status) &&
      (filter.entity === undefined || d.entity === filter.entity);
    return this.#duplicates.merge(await this.#base.listDuplicates(filter), matches, byCreated);
  }

  listErrors(filter: { runId?: string; system?: string; limit?: number }): Promise<RecordError[]> {
    return this.#journal.errors(filter);
  }

  async getWriteFailures(entity: string, system: string, uids: readonly string[]): Promise<WriteFailure[]> {
    const wanted = [...new Set(uids)];
    if (wanted.length === 0) return [];
    const underlying = await this.#base.getWriteFailures(entity, system, wanted);
    const asked = new Set(wanted);
    const matches = (f: WriteFailure): boolean => f.entity === entity && f.system === system && asked.has(f.uid);
    return this.#failures.merge(underlying, matches, byFailedUid);
  }

  async listWriteFailures(filter: { dead?: boolean; system?: string }): Promise<WriteFailure[]> {
    const matches = (f: WriteFailure): boolean =>
      (filter.dead === undefined || f.dead === filter.dead) &&
      (filter.system === undefined || f.system === filter.system);
    return this.#failures.merge(await this.#base.listWriteFailures(filter), matches, byDue);
  }

  async listParked(): Promise<ParkedChange[]> {
    return this.#parked.merge(
      await this.#base.listParked(),
      () => true,
      byText(
        (p) => p.at,
        (p) => p.id,
      ),
    );
  }

  /**
   * Leases live in the overlay only: a dry run writes nothing, so it neither waits for a real
   * run nor keeps one waiting.
   */
  tryLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.#leases.get(name);
    if (held !== undefined && held.owner !== owner && held.expiresAt >= now) return Promise.resolve(false);
    this.#leases.set(name, { owner, expiresAt: now + ttlMs });
    return Promise.resolve(true);
  }

  leaseHolder(name: string): Promise<string | undefined> {
    const held = this.#leases.get(name);
    return Promise.resolve(held !== undefined && held.expiresAt >= Date.now() ? held.owner : undefined);
  }

  releaseLease(name: string, owner: string): Promise<void> {
    if (this.#leases.get(name)?.owner === owner) this.#leases.delete(name);
    return Promise.resolve();
  }

  /** Reads what the batch needs from the underlying store, checks it, then applies it all at once. */
  async #apply(batch: HubBatch): Promise<void> {
    const goldenBases = await this.#goldens.prepare(batch);
    const linkBases = await this.#links.prepare(batch);
    await this.#journal.prepare(batch);
    // Only the links can refuse a batch; they go first so that a refusal leaves everything as it was.
    this.#links.apply(batch, linkBases);
    this.#goldens.apply(batch, goldenBases);
    this.#matchKeys.apply(batch);
    this.#journal.apply(batch);
    for (const c of batch.conflicts ?? []) this.#conflicts.put(c);
    for (const d of batch.duplicates ?? []) this.#duplicates.put(d);
    for (const c of batch.cursors ?? []) this.#cursors.set(c.system, c.cursor);
    for (const p of batch.park ?? []) this.#parked.put(p);
    for (const id of batch.unpark ?? []) this.#parked.remove(id);
    for (const f of batch.writeFailures ?? []) this.#failures.put(f);
    for (const f of batch.clearWriteFailures ?? []) this.#failures.remove(failureId(f));
    for (const m of batch.meta ?? []) this.#meta.set(m.key, m.value);
  }

  async #byId<T>(rows: OverlayRows<T>, id: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const own = rows.get(id);
    if (own === null) return undefined;
    return own ?? (await read());
  }
}

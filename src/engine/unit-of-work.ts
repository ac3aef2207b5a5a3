import type {
  Conflict,
  DuplicateCandidate,
  GoldenRecord,
  JournalEntry,
  Link,
  ParkedChange,
  RecordError,
  WriteFailure,
} from "../core/types.js";
import type { HubBatch, HubStore } from "../hub/hub-store.js";

const SEP = "\u0000";
const linkKey = (entity: string, system: string, key: string) => `${entity}${SEP}${system}${SEP}${key}`;
const uidKey = (entity: string, uid: string) => `${entity}${SEP}${uid}`;
/** A link's identity: one per (entity, uid, system). */
const slotKey = (entity: string, uid: string, system: string) => `${entity}${SEP}${uid}${SEP}${system}`;

/**
 * The hub as one unit of work sees it: reads go to the store once (batched) and are cached;
 * changes are kept here and become one atomic HubBatch. Later reads see earlier changes of the
 * same unit, so two records of one batch that match each other are stitched correctly.
 */
export class UnitOfWork {
  private readonly goldens = new Map<string, GoldenRecord | null>();
  private readonly links = new Map<string, Link | null>();
  private readonly linksOfUid = new Map<string, Map<string, Link>>();
  private readonly loadedUidLinks = new Set<string>();
  private readonly newMatchKeys = new Map<string, Set<string>>();
  private readonly storedMatches = new Map<string, string[]>();
  private readonly dirtyGoldens = new Set<string>();
  private readonly changedLinks = new Map<string, Link>();
  private readonly removedLinks = new Map<string, { entity: string; uid: string; system: string }>();
  private readonly matchKeyUpdates = new Map<string, { entity: string; uid: string; keys: string[] }>();
  readonly journal: JournalEntry[] = [];
  readonly conflicts: Conflict[] = [];
  readonly duplicates: DuplicateCandidate[] = [];
  readonly errors: RecordError[] = [];
  readonly park: ParkedChange[] = [];
  readonly unpark: string[] = [];
  readonly writeFailures: WriteFailure[] = [];
  readonly clearFailures: { entity: string; uid: string; system: string }[] = [];
  readonly clean: { entity: string; uid: string }[] = [];
  private cursor: { system: string; cursor: string } | undefined;
  private readonly failures = new Map<string, WriteFailure>();

  constructor(private readonly hub: HubStore) {}

  /** Loads the links of these keys of one system (one query for those not cached). */
  async loadLinksByKeys(entity: string, system: string, keys: readonly string[]): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.links.has(linkKey(entity, system, k)));
    if (missing.length === 0) return;
    for (const key of missing) this.links.set(linkKey(entity, system, key), null);
    for (const link of await this.hub.getLinksByKeys(entity, system, missing)) this.remember(link);
  }

  /** Loads golden records and all their links. */
  async loadRecords(entity: string, uids: readonly string[]): Promise<void> {
    const missing = [...new Set(uids)].filter((u) => !this.loadedUidLinks.has(uidKey(entity, u)));
    if (missing.length === 0) return;
    const [goldens, links] = await Promise.all([
      this.hub.getGoldens(entity, missing),
      this.hub.getLinksByUids(entity, missing),
    ]);
    for (const uid of missing) {
      this.loadedUidLinks.add(uidKey(entity, uid));
      if (!this.goldens.has(uidKey(entity, uid))) this.goldens.set(uidKey(entity, uid), null);
    }
    for (const golden of goldens) {
      if (!this.dirtyGoldens.has(uidKey(entity, golden.uid))) this.goldens.set(uidKey(entity, golden.uid), golden);
    }
    for (const link of links) {
      const cached = this.links.get(linkKey(link.entity, link.system, link.key));
      if (!this.changedLinks.has(linkKey(link.entity, link.system, link.key)) && cached !== null) this.remember(link);
    }
  }

  /**
   * Uids holding these match keys, in the store or created in this unit. The store is asked
   * once per key per unit: call this with a whole batch's keys first, and per record later.
   */
  async findByMatchKeys(entity: string, keys: readonly string[]): Promise<Map<string, string[]>> {
    const unknown = [...new Set(keys)].filter((k) => !this.storedMatches.has(uidKey(entity, k)));
    if (unknown.length > 0) {
      for (const key of unknown) this.storedMatches.set(uidKey(entity, key), []);
      for (const hit of await this.hub.findByMatchKeys(entity, unknown)) {
        this.storedMatches.get(uidKey(entity, hit.key))?.push(hit.uid);
      }
    }
    const found = new Map<string, string[]>();
    const add = (key: string, uid: string) => {
      const list = found.get(key) ?? [];
      if (!list.includes(uid)) list.push(uid);
      found.set(key, list);
    };
    for (const key of keys) {
      for (const uid of this.storedMatches.get(uidKey(entity, key)) ?? []) {
        // A record whose keys this unit replaced answers only for its new keys.
        const replaced = this.matchKeyUpdates.get(uidKey(entity, uid));
        if (replaced === undefined || replaced.keys.includes(key)) add(key, uid);
      }
      for (const uid of this.newMatchKeys.get(uidKey(entity, key)) ?? []) add(key, uid);
    }
    return found;
  }

  link(entity: string, system: string, key: string): Link | undefined {
    return this.links.get(linkKey(entity, system, key)) ?? undefined;
  }

  linksOf(entity: string, uid: string): Link[] {
    return [...(this.linksOfUid.get(uidKey(entity, uid))?.values() ?? [])];
  }

  golden(entity: string, uid: string): GoldenRecord | undefined {
    return this.goldens.get(uidKey(entity, uid)) ?? undefined;
  }

  putGolden(golden: GoldenRecord): void {
    this.goldens.set(uidKey(golden.entity, golden.uid), golden);
    this.loadedUidLinks.add(uidKey(golden.entity, golden.uid));
    this.dirtyGoldens.add(uidKey(golden.entity, golden.uid));
  }

  putLink(link: Link): void {
    const previous = this.linksOfUid.get(uidKey(link.entity, link.uid))?.get(link.system);
    if (previous !== undefined && previous.key !== link.key) {
      this.links.set(linkKey(previous.entity, previous.system, previous.key), null);
      this.changedLinks.delete(linkKey(previous.entity, previous.system, previous.key));
    }
    this.remember(link);
    this.changedLinks.set(linkKey(link.entity, link.system, link.key), link);
    this.removedLinks.delete(slotKey(link.entity, link.uid, link.system));
  }

  removeLink(link: Link): void {
    this.links.set(linkKey(link.entity, link.system, link.key), null);
    this.linksOfUid.get(uidKey(link.entity, link.uid))?.delete(link.system);
    this.changedLinks.delete(linkKey(link.entity, link.system, link.key));
    this.removedLinks.set(slotKey(link.entity, link.uid, link.system), {
      entity: link.entity,
      uid: link.uid,
      system: link.system,
    });
  }

  setMatchKeys(entity: string, uid: string, keys: string[]): void {
    this.matchKeyUpdates.set(uidKey(entity, uid), { entity, uid, keys });
    for (const key of keys) {
      const set = this.newMatchKeys.get(uidKey(entity, key)) ?? new Set<string>();
      set.add(uid);
      this.newMatchKeys.set(uidKey(entity, key), set);
    }
  }

  /** Keeps loaded write failures, so a new failure counts its attempts on from them. */
  rememberFailures(failures: readonly WriteFailure[]): void {
    for (const f of failures) this.failures.set(slotKey(f.entity, f.uid, f.system), f);
  }

  failureOf(entity: string, uid: string, system: string): WriteFailure | undefined {
    return this.failures.get(slotKey(entity, uid, system));
  }

  setCursor(system: string, cursor: string): void {
    this.cursor = { system, cursor };
  }

  toBatch(): HubBatch {
    const goldens = [...this.dirtyGoldens].map((k) => this.goldens.get(k)).filter((g) => g != null);
    return {
      goldens,
      links: [...this.changedLinks.values()],
      unlinks: [...this.removedLinks.values()],
      matchKeys: [...this.matchKeyUpdates.values()],
      journal: this.journal,
      conflicts: this.conflicts,
      duplicates: this.duplicates,
      errors: this.errors,
      park: this.park,
      unpark: this.unpark,
      writeFailures: this.writeFailures,
      clearWriteFailures: this.clearFailures,
      clean: this.clean,
      ...(this.cursor === undefined ? {} : { cursors: [this.cursor] }),
    };
  }

  /** Commits everything as one transaction. */
  async commit(): Promise<void> {
    await this.hub.commit(this.toBatch());
  }

  private remember(link: Link): void {
    this.links.set(linkKey(link.entity, link.system, link.key), link);
    const byUid = this.linksOfUid.get(uidKey(link.entity, link.uid)) ?? new Map<string, Link>();
    byUid.set(link.system, link);
    this.linksOfUid.set(uidKey(link.entity, link.uid), byUid);
  }
}

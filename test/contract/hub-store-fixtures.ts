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
} from "../../src/core/types.js";
import type { HubStore } from "../../src/hub/hub-store.js";

/** A hub store under test, as an implementation's test file provides it. */
export interface HubStoreUnderTest {
  /** A fresh, migrated, empty store. */
  readonly store: HubStore;
  /** Removes the hub; must cope with a store the test already closed. */
  readonly cleanup: () => Promise<void>;
  /** Opens a second store on the same hub (after the test closed the first); without it the reopen test is skipped. */
  readonly reopen?: () => Promise<HubStore>;
}

/** Makes one fresh store per test. */
export type MakeHubStore = () => Promise<HubStoreUnderTest>;

/** What each group of contract cases gets: the current test's store. */
export interface HubStoreContext {
  readonly store: () => HubStore;
  readonly underTest: () => HubStoreUnderTest;
}

/** An ISO-8601 UTC time `minutes` after 2024-05-01T10:00Z, in the hub's canonical form. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2024, 4, 1, 10, minutes)).toISOString();
}

/** A uuid-v7-shaped uid that sorts by `n`. */
export function uid(n: number): string {
  return `0190a0b2-7c4e-7000-8000-${String(n).padStart(12, "0")}`;
}

/** A contact golden record with realistic canonical values of every kind. */
export function contact(n: number, over: Partial<GoldenRecord> = {}): GoldenRecord {
  return {
    entity: "contact",
    uid: uid(n),
    fields: {
      email: `person${n}@example.com`,
      firstName: "Zoë",
      lastName: "O'Hara-日本",
      birthDate: "1985-12-10",
      tier: "pro",
      score: 12.5,
      balance: "1234.56",
      vip: true,
      tags: ["a", "b"],
      address: { city: "Lyon", zip: null, lines: ["1 rue X"] },
      ssn: { sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
      fax: null,
    },
    meta: {
      email: { system: "crm", at: at(n) },
      tier: { system: "erp", at: at(n + 1) },
    },
    deleted: false,
    dirty: true,
    createdAt: at(n),
    updatedAt: at(n + 5),
    ...over,
  };
}

/** An order golden record referencing a contact. */
export function order(n: number, over: Partial<GoldenRecord> = {}): GoldenRecord {
  return {
    entity: "order",
    uid: uid(1000 + n),
    fields: { number: `SO-${n}`, customer: uid(n), total: "99.9" },
    meta: { number: { system: "erp", at: at(n) } },
    deleted: false,
    dirty: false,
    createdAt: at(n),
    updatedAt: at(n),
    ...over,
  };
}

/** A link of a contact in `system` under `key`. */
export function link(n: number, system: string, key: string, over: Partial<Link> = {}): Link {
  return {
    entity: "contact",
    uid: uid(n),
    system,
    key,
    state: "active",
    shadow: { email: `person${n}@example.com`, firstName: "Zoë", vip: true, score: 12.5, fax: null },
    ...over,
  };
}

/** A journal line about contact `n`. */
export function entry(n: number, over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    runId: "run-1",
    at: at(n),
    entity: "contact",
    uid: uid(n),
    kind: "golden",
    system: "crm",
    key: `c-${n}`,
    field: "email",
    before: `old${n}@example.com`,
    after: `person${n}@example.com`,
    cause: "change",
    ...over,
  };
}

/** An open conflict on contact `n`. */
export function conflict(id: string, n: number, over: Partial<Conflict> = {}): Conflict {
  return {
    id,
    runId: "run-1",
    entity: "contact",
    uid: uid(n),
    field: "tier",
    system: "erp",
    value: "enterprise",
    goldenValue: "pro",
    goldenSystem: "crm",
    rule: "manual",
    winner: null,
    status: "open",
    createdAt: at(n),
    ...over,
  };
}

/** A duplicate candidate pairing contact `n` with `n + 1`. */
export function duplicate(id: string, n: number, over: Partial<DuplicateCandidate> = {}): DuplicateCandidate {
  return {
    id,
    entity: "contact",
    uid: uid(n),
    otherUid: uid(n + 1),
    reason: "match key email#person@example.com held by two records",
    status: "open",
    createdAt: at(n),
    ...over,
  };
}

/** A record error. */
export function recordError(n: number, over: Partial<RecordError> = {}): RecordError {
  return {
    runId: "run-1",
    at: at(n),
    system: "erp",
    entity: "contact",
    key: `E-${n}`,
    uid: uid(n),
    stage: "validate",
    message: `email: not an e-mail address (row ${n})`,
    ...over,
  };
}

/** A change from shop waiting for its customer. */
export function parked(id: string, n: number): ParkedChange {
  return {
    id,
    system: "shop",
    entity: "order",
    change: {
      resource: "orders",
      op: "upsert",
      key: `o-${n}`,
      row: { id: n, number: `SO-${n}`, customer_id: `c-${n}`, amount: "10.5", note: null },
      sourceTime: at(n),
    },
    waitingFor: { entity: "contact", key: `c-${n}` },
    at: at(n),
  };
}

/** A write failure of contact `n` towards `system`. */
export function writeFailure(n: number, system: string, over: Partial<WriteFailure> = {}): WriteFailure {
  return {
    entity: "contact",
    uid: uid(n),
    system,
    attempts: 1,
    lastError: "connect ECONNREFUSED 127.0.0.1:5432",
    nextAt: at(n + 10),
    dead: false,
    updatedAt: at(n),
    ...over,
  };
}

/** A run that is still going. */
export function run(id: string, startedMinute: number): RunRecord {
  return { id, command: "sync", startedAt: at(startedMinute), status: "running" };
}

/** Sorts a copy by the given key, for lists whose order the interface leaves open. */
export function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

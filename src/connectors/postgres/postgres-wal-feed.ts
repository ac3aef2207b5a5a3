import type { ResourceSpec } from "../connector.js";
import { echoMessage, MESSAGE_PREFIX, originOf } from "./postgres-capture-schema.js";
import type { FeedEntry } from "./postgres-feed.js";
import { decodePgoutput, type TupleValues } from "./postgres-pgoutput.js";

/** A decoded change of one record; `skip` when it is Concord's own write. */
export interface WalEntry extends FeedEntry {
  readonly skip: boolean;
}

/** One committed transaction: its entries in WAL order and the end of its commit record. */
export interface WalTransaction {
  readonly endLsn: bigint;
  readonly entries: readonly WalEntry[];
}

interface Relation {
  readonly name: string;
  readonly origin: string;
  /** Position of the key column in the relation's tuples; undefined for a table not bound. */
  readonly keyIndex: number | undefined;
}

interface Pending {
  readonly entries: (FeedEntry & { readonly origin: string })[];
  readonly echoes: Set<string>;
}

/**
 * Turns pgoutput messages, as a slot peek returns them, into transactions of record changes:
 * an update of the key becomes a delete of the old key and an upsert of the new one.
 */
export class WalFeedDecoder {
  readonly #schema: string;
  readonly #system: string;
  readonly #keys: ReadonlyMap<string, string>;
  readonly #relations = new Map<number, Relation>();

  constructor(system: string, schema: string, specs: readonly ResourceSpec[]) {
    this.#system = system;
    this.#schema = schema;
    this.#keys = new Map(specs.map((s) => [s.name, s.key]));
  }

  /** The complete transactions among `messages`, in commit order. */
  decode(messages: readonly Buffer[]): WalTransaction[] {
    const done: WalTransaction[] = [];
    let txn: Pending | undefined;
    for (const buf of messages) {
      const m = decodePgoutput(buf);
      switch (m.tag) {
        case "begin":
          txn = { entries: [], echoes: new Set() };
          break;
        case "relation": {
          const bound = m.schema === this.#schema ? this.#keys.get(m.name) : undefined;
          const keyIndex = bound === undefined ? -1 : m.columns.indexOf(bound);
          this.#relations.set(m.oid, {
            name: m.name,
            origin: originOf(m.schema, m.name),
            keyIndex: keyIndex < 0 ? undefined : keyIndex,
          });
          break;
        }
        case "message":
          if (txn && m.transactional && m.prefix === MESSAGE_PREFIX) txn.echoes.add(m.content);
          break;
        case "insert":
        case "update":
        case "delete":
          if (txn)
            this.#record(txn, m.oid, m.tag === "insert" ? undefined : m.old, m.tag === "delete" ? undefined : m.new);
          break;
        case "commit":
          if (txn) done.push(this.#finish(txn, m.endLsn, m.commitTime));
          txn = undefined;
          break;
        case "skip":
          break;
      }
    }
    return done;
  }

  #record(txn: Pending, oid: number, old: TupleValues | undefined, next: TupleValues | undefined): void {
    const relation = this.#relations.get(oid);
    if (!relation) throw new Error(`pgoutput: a change of relation ${oid} came before its description`);
    const { keyIndex, name: tbl, origin } = relation;
    const push = (op: FeedEntry["op"], pk: string) => txn.entries.push({ tbl, op, pk, origin });
    if (keyIndex === undefined) return; // not a bound table (the publication was changed by hand)
    const oldKey = old?.[keyIndex];
    if (next === undefined) {
      if (typeof oldKey === "string") push("delete", oldKey);
      return;
    }
    const newKey = next[keyIndex];
    if (typeof oldKey === "string" && newKey !== undefined && oldKey !== newKey) push("delete", oldKey);
    // An unchanged TOASTed key is not sent again: the old key (if sent) is still the key.
    const key = newKey === undefined ? oldKey : newKey;
    if (typeof key === "string") push("upsert", key);
  }

  #finish(txn: Pending, endLsn: bigint, commitTime: string): WalTransaction {
    const echo = (origin: string) => txn.echoes.has(echoMessage(this.#system, origin));
    return {
      endLsn,
      entries: txn.entries.map(({ tbl, op, pk, origin }) => ({ tbl, op, pk, at: commitTime, skip: echo(origin) })),
    };
  }
}

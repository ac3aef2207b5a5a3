import type { ChangeTracker } from "./change-tracker.js";
import type { BenchEngine } from "./engine.js";

/** What the paced writer does in one window. */
export interface WriterSpec {
  readonly engine: BenchEngine;
  readonly url: string;
  readonly table: string;
  /** Rows are picked at random among ids 1..rows. */
  readonly rows: number;
  /** Changes per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Rows per transaction. */
  readonly txSize: number;
  readonly tracker: ChangeTracker;
  /** The next marker number: unique across windows, so a late arrival is never mistaken. */
  readonly nextSeq: () => number;
}

/** What the writer managed. */
export interface WriterResult {
  readonly committed: number;
  readonly transactions: number;
  /** Committed changes per second over the window. */
  readonly achievedRate: number;
}

const TICK_MS = 5;
const CONNECTIONS = 4;
/** Transactions in flight beyond which the writer falls behind instead of queueing without end. */
const MAX_IN_FLIGHT = 32;

/**
 * Updates random rows at a fixed rate, paced by a timer: every tick it sends the changes that are
 * due, in autocommitted transactions of `txSize` rows, each row getting a unique marker
 * `id:seq` in its note. A commit is timed when the server acknowledges it.
 */
export async function runWriter(spec: WriterSpec): Promise<WriterResult> {
  const updater = await spec.engine.openUpdater(spec.url, spec.table, CONNECTIONS);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let issued = 0;
  let transactions = 0;
  // Rows of transactions in flight are not picked again: two concurrent transactions on one row
  // could commit in the other order than their markers, and the older marker would then win.
  const busy = new Set<number>();

  /** Sends one transaction of up to `count` rows; answers how many it took. */
  const send = (count: number): number => {
    const ids = new Set<number>();
    const n = Math.min(count, spec.rows - busy.size);
    while (ids.size < n) {
      const id = 1 + Math.floor(Math.random() * spec.rows);
      if (!busy.has(id)) ids.add(id);
    }
    if (n === 0) return 0;
    const seqs: number[] = [];
    const notes: string[] = [];
    for (const id of ids) {
      const seq = spec.nextSeq();
      spec.tracker.issued(id, seq);
      seqs.push(seq);
      notes.push(`${id}:${seq}`);
    }
    issued += ids.size;
    for (const id of ids) busy.add(id);
    const done = () => {
      for (const id of ids) busy.delete(id);
      inFlight.delete(tx);
    };
    const tx: Promise<void> = updater.update([...ids], notes).then(
      () => {
        const at = performance.now();
        for (const seq of seqs) spec.tracker.committed(seq, at);
        transactions++;
        done();
      },
      (err: unknown) => {
        failure ??= err;
        done();
      },
    );
    inFlight.add(tx);
    return ids.size;
  };

  try {
    const started = performance.now();
    const end = started + spec.seconds * 1000;
    for (let now = started; now < end && failure === undefined; now = performance.now()) {
      let due = Math.floor((spec.rate * (now - started)) / 1000) - issued;
      while (due > 0 && inFlight.size < MAX_IN_FLIGHT) {
        const sent = send(Math.min(spec.txSize, due));
        if (sent === 0) break;
        due -= sent;
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    await Promise.all(inFlight);
    if (failure !== undefined) {
      throw failure instanceof Error ? failure : new Error("the writer failed", { cause: failure });
    }
    return {
      committed: spec.tracker.committedCount,
      transactions,
      achievedRate: spec.tracker.committedCount / spec.seconds,
    };
  } finally {
    await updater.end();
  }
}

/** Latency percentiles of the changes that arrived, in ms. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

interface Change {
  readonly seq: number;
  committedAt: number;
  arrivedAt: number;
}

/**
 * Follows the changes of one steady-state window from the writer's commit to their arrival in the
 * target. A change counts as arrived when its row arrives with its marker or a later one: a sync
 * engine may rightly fold two changes of one row into the newer.
 */
export class ChangeTracker {
  readonly #changes: Change[] = [];
  readonly #pending = new Map<number, Change[]>();
  readonly #bySeq = new Map<number, Change>();
  #committed = 0;
  #arrived = 0;

  /** The writer is about to send change `seq` of row `id`. */
  issued(id: number, seq: number): void {
    const change: Change = { seq, committedAt: Number.NaN, arrivedAt: Number.NaN };
    this.#changes.push(change);
    this.#bySeq.set(seq, change);
    const queue = this.#pending.get(id);
    if (queue === undefined) this.#pending.set(id, [change]);
    else queue.push(change);
  }

  /** The transaction holding change `seq` committed at `at` (performance.now()). */
  committed(seq: number, at: number): void {
    const change = this.#bySeq.get(seq);
    if (change === undefined || !Number.isNaN(change.committedAt)) return;
    change.committedAt = at;
    this.#committed++;
  }

  /** Row `id` arrived in the target holding marker `seq` at `at`; earlier markers of it are done too. */
  arrived(id: number, seq: number, at: number): void {
    const queue = this.#pending.get(id);
    if (queue === undefined) return;
    while (queue.length > 0 && (queue[0]?.seq ?? Number.POSITIVE_INFINITY) <= seq) {
      const change = queue.shift();
      if (change === undefined) break;
      change.arrivedAt = at;
      this.#arrived++;
    }
    if (queue.length === 0) this.#pending.delete(id);
  }

  /** Changes committed so far. */
  get committedCount(): number {
    return this.#committed;
  }

  /** Committed changes that have not arrived yet. */
  get backlog(): number {
    return Math.max(0, this.#committed - this.#arrived);
  }

  /** Whether every committed change has arrived. */
  get drained(): boolean {
    return this.#arrived >= this.#committed;
  }

  /** Latency from commit to arrival of the changes that arrived. */
  latency(): LatencySummary {
    const ms: number[] = [];
    for (const c of this.#changes) {
      // A notification can be handled before the commit's acknowledgement: that is zero latency.
      if (!Number.isNaN(c.committedAt) && !Number.isNaN(c.arrivedAt)) ms.push(Math.max(0, c.arrivedAt - c.committedAt));
    }
    ms.sort((a, b) => a - b);
    return {
      count: ms.length,
      p50: quantile(ms, 0.5),
      p95: quantile(ms, 0.95),
      p99: quantile(ms, 0.99),
      max: ms.at(-1) ?? 0,
    };
  }
}

/** The q-quantile of sorted values (nearest rank); 0 when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Least-squares slope of y over x; 0 with fewer than two points. */
export function slope(points: readonly { readonly x: number; readonly y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

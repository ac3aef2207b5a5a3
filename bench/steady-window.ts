import { ChangeTracker, type LatencySummary, slope } from "./change-tracker.js";
import { cpuSecondsOf } from "./child.js";
import type { BenchEngine } from "./engine.js";
import { runWriter } from "./writer.js";

/** One steady-state window at one rate. */
export interface WindowSpec {
  /** The source's engine, and its database the writer changes. */
  readonly engine: BenchEngine;
  readonly url: string;
  readonly table: string;
  readonly rows: number;
  readonly rate: number;
  readonly seconds: number;
  readonly txSize: number;
  readonly nextSeq: () => number;
  /** Where arrivals are sent: the window installs its tracker here. */
  readonly arrivals: { tracker: ChangeTracker | undefined };
  /** The propagating process, whose CPU use is measured over the window. */
  readonly propagatorPid: number;
  /** Its stdout so far: Concord's daemon prints one JSON summary per run there. */
  readonly propagatorOutput: () => string;
}

/** Why a window counts as sustained or not. */
export type Verdict = "sustained" | "backlog grew" | "not drained" | "writer too slow";

/** The daemon's runs during a window (from `concord run --json`). */
export interface RunStats {
  readonly runs: number;
  readonly meanMs: number;
  readonly maxMs: number;
  /** Changes read per run, on average. */
  readonly meanRead: number;
}

/** What one window measured. */
export interface RateResult {
  readonly rate: number;
  /** Committed changes per second; below `rate` when the writer could not keep up itself. */
  readonly achievedRate: number;
  readonly committed: number;
  /** Committed but not yet in the target when the writer stopped. */
  readonly backlogAtEnd: number;
  /** Least-squares slope of the backlog over the window's last two thirds, in changes/s. */
  readonly backlogGrowthPerSec: number;
  /** Whether every change arrived within the drain time after the window. */
  readonly drained: boolean;
  readonly drainMs: number;
  readonly latencyMs: LatencySummary;
  /** CPU used by the propagating process over the window, in % of one core. */
  readonly propagatorCpuPercent: number | null;
  /** Concord's runs from the window's start to the end of the drain; null for the reference. */
  readonly runs: RunStats | null;
  readonly verdict: Verdict;
  /** The backlog did not grow (less than 10% of the rate), it drained, and the writer reached the rate. */
  readonly sustained: boolean;
}

const SAMPLE_MS = 100;

/** Runs the writer at one rate, samples the backlog, waits for the drain and summarizes. */
export async function measureWindow(spec: WindowSpec): Promise<RateResult> {
  const tracker = new ChangeTracker();
  spec.arrivals.tracker = tracker;
  const samples: { x: number; y: number }[] = [];
  const outputBefore = spec.propagatorOutput().length;
  const started = performance.now();
  const cpuBefore = cpuSecondsOf(spec.propagatorPid);
  const sampler = setInterval(
    () => samples.push({ x: (performance.now() - started) / 1000, y: tracker.backlog }),
    SAMPLE_MS,
  );
  let writer: Awaited<ReturnType<typeof runWriter>>;
  try {
    writer = await runWriter({ ...spec, tracker });
  } finally {
    clearInterval(sampler);
  }
  const windowMs = performance.now() - started;
  const cpuAfter = cpuSecondsOf(spec.propagatorPid);
  const backlogAtEnd = tracker.backlog;

  const drainStarted = performance.now();
  const drainLimit = Math.max(5000, spec.seconds * 1000);
  while (!tracker.drained && performance.now() - drainStarted < drainLimit) await sleep(20);
  const drainMs = performance.now() - drainStarted;
  // The run that delivered the last changes prints its summary when it ends, a little later.
  const printed = spec.propagatorOutput().length;
  for (let waited = 0; printed > 0 && spec.propagatorOutput().length === printed && waited < 1000; waited += 20) {
    await sleep(20);
  }

  const growth = slope(samples.filter((s) => s.x >= spec.seconds / 3));
  const verdict: Verdict =
    growth > 0.1 * spec.rate
      ? "backlog grew"
      : !tracker.drained
        ? "not drained"
        : writer.achievedRate < 0.95 * spec.rate
          ? "writer too slow"
          : "sustained";
  return {
    rate: spec.rate,
    achievedRate: writer.achievedRate,
    committed: writer.committed,
    backlogAtEnd,
    backlogGrowthPerSec: growth,
    drained: tracker.drained,
    drainMs,
    latencyMs: tracker.latency(),
    propagatorCpuPercent:
      cpuBefore === undefined || cpuAfter === undefined ? null : (100 * (cpuAfter - cpuBefore)) / (windowMs / 1000),
    runs: runStats(spec.propagatorOutput().slice(outputBefore)),
    verdict,
    sustained: verdict === "sustained",
  };
}

/** Statistics of the run summaries (JSON lines) in `output`; null when it holds none. */
function runStats(output: string): RunStats | null {
  const runs: { durationMs: number; read: number }[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    const run = JSON.parse(line) as { durationMs?: unknown; read?: unknown };
    if (typeof run.durationMs === "number" && typeof run.read === "number") {
      runs.push({ durationMs: run.durationMs, read: run.read });
    }
  }
  if (runs.length === 0) return null;
  const sum = (f: (r: (typeof runs)[number]) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    runs: runs.length,
    meanMs: sum((r) => r.durationMs) / runs.length,
    maxMs: Math.max(...runs.map((r) => r.durationMs)),
    meanRead: sum((r) => r.read) / runs.length,
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

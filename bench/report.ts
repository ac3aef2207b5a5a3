import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Table from "cli-table3";
import type { InitialLoadResult } from "./initial-load.js";
import type { Machine } from "./machine.js";
import type { BenchOptions } from "./options.js";
import type { ProfileSummary } from "./profile.js";
import type { SteadyPhase, SteadyStateResult } from "./steady-state.js";

/** Everything one `npm run bench` measured, as written to bench/results/. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: BenchOptions;
  readonly machine: Machine;
  /** 1, 5 and 15 minute load averages at the end: with the start's, how busy the machine was. */
  readonly loadAverageAtEnd: readonly number[];
  /** One per flow (source → targets) measured. */
  readonly initialLoad?: readonly InitialLoadResult[];
  readonly steadyState?: readonly SteadyStateResult[];
}

/** Writes the results as JSON to `dir/<timestamp>.json`; answers the file. */
export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.startedAt.replaceAll(":", "-").replace(/\.\d+Z$/, "Z")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** The human report: one table per benchmark. */
export function formatResults(results: BenchResults): string {
  const m = results.machine;
  const parts = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, PostgreSQL ${m.postgres}${m.mariadb === null ? "" : `, MariaDB ${m.mariadb}`}, ` +
      `load average ${m.loadAverage.join(" ")} at the start, ${results.loadAverageAtEnd.join(" ")} at the end${m.commit === null ? "" : `, commit ${m.commit}`}`,
  ];
  for (const load of results.initialLoad ?? []) {
    parts.push(loadTable(load));
    if (load.profile) parts.push(profileTable(load.profile));
  }
  for (const steady of results.steadyState ?? []) parts.push(steadyTable(steady));
  return `${parts.join("\n\n")}\n`;
}

function table(head: string[]): Table.Table {
  // Colours only on a terminal: piped output stays plain text.
  const plain = !process.stdout.isTTY;
  return new Table({ head, ...(plain ? { style: { head: [], border: [] } } : {}) });
}

const f0 = (n: number | null) => (n === null ? "–" : Math.round(n).toLocaleString("en-US"));
const f1 = (n: number | null) => (n === null ? "–" : n.toFixed(1));

function loadTable(r: InitialLoadResult): string {
  const t = table(["initial load", "time (s)", "records/s", "peak RSS (MiB)", "CPU (s)", "targets = source"]);
  for (const [name, side] of [
    ["Concord (concord sync)", r.concord],
    ["reference (raw drivers)", r.reference],
  ] as const) {
    t.push([
      name,
      (side.ms / 1000).toFixed(2),
      f0(side.recordsPerSec),
      f0(side.peakRssMb),
      f1(side.cpuMs === null ? null : side.cpuMs / 1000),
      side.verified ? "yes" : "NO",
    ]);
  }
  return (
    `Initial load of ${r.rows.toLocaleString("en-US")} contacts: ${r.label}\n` +
    `${t.toString()}\nratio (Concord's time / reference's time): ${r.ratio.toFixed(1)}×` +
    (r.concord.errors > 0 ? `\nConcord reported ${r.concord.errors} errors` : "")
  );
}

function profileTable(p: ProfileSummary): string {
  const t = table(["self ms", "%", "function", "where"]);
  for (const e of p.top) t.push([f0(e.selfMs), e.percent.toFixed(1), e.name, e.location]);
  return `Concord's initial load, top self time (main thread, ${f0(p.totalMs)} ms sampled; ${p.file})\n${t.toString()}`;
}

function steadyTable(r: SteadyStateResult): string {
  const t = table([
    "propagator",
    "rate/s",
    "achieved/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "backlog end",
    "growth/s",
    "CPU %",
    "runs",
    "verdict",
  ]);
  const phases: SteadyPhase[] = [r.reference, ...r.concord];
  for (const phase of phases) {
    const name = phase.name;
    for (const w of phase.rates) {
      t.push([
        name,
        f0(w.rate),
        f0(w.achievedRate),
        f0(w.latencyMs.p50),
        f0(w.latencyMs.p95),
        f0(w.latencyMs.p99),
        f0(w.backlogAtEnd),
        f0(w.backlogGrowthPerSec),
        f0(w.propagatorCpuPercent),
        w.runs === null ? "–" : `${w.runs.runs} × ${f0(w.runs.meanMs)} ms`,
        w.verdict === "writer too slow" ? `writer too slow (${f0(w.achievedRate)}/s)` : w.verdict,
      ]);
    }
  }
  const lines = [
    `Steady state, ${r.label}, on ${r.rows.toLocaleString("en-US")} contacts, ${r.seconds} s per rate, ${r.txSize} rows per writer transaction; ` +
      `latency = source commit → target row has the value; Concord: ${r.daemon}`,
    t.toString(),
  ];
  for (const phase of phases) {
    const name = phase.name;
    const last = phase.rates.at(-1);
    // When the writer was the limit, the propagator's own ceiling lies higher: say so.
    const limit =
      last?.verdict === "writer too slow" ? ` or more (the writer reached only ${f0(last.achievedRate)}/s)` : "";
    const highest = phase.highestSustained === null ? "none" : `${f0(phase.highestSustained)}/s${limit}`;
    const converged = phase.converged === null ? "not checked (not drained)" : phase.converged ? "yes" : "NO";
    lines.push(
      `${name}: highest sustained rate ${highest}, peak RSS ${f0(phase.peakRssMb)} MiB, targets = source at the end: ${converged}`,
    );
  }
  for (const phase of r.concord) {
    for (const c of phase.rates) {
      const ref = r.reference.rates.find((w) => w.rate === c.rate);
      if (ref === undefined || ref.latencyMs.p50 === 0) continue;
      lines.push(
        `ratio at ${f0(c.rate)}/s (${phase.name} / reference): p50 ${(c.latencyMs.p50 / ref.latencyMs.p50).toFixed(1)}×, ` +
          `p99 ${(c.latencyMs.p99 / ref.latencyMs.p99).toFixed(1)}×`,
      );
    }
  }
  return lines.join("\n");
}

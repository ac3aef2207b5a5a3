import { binlogUnavailable } from "../test/helpers/mysql-database.js";
import type { ChangeTracker } from "./change-tracker.js";
import { benchEntry, type RunningChild, runChild, startChild } from "./child.js";
import { type Flow, flowLabel } from "./flows.js";
import type { RelaySpec } from "./reference-relay.js";
import { measureWindow, type RateResult, sleep } from "./steady-window.js";
import { sameDigests, sqliteDigest } from "./verify.js";
import { type BenchWorld, createSqliteContacts, createWorld, SOURCE_POLL_MS } from "./world.js";

/** One propagator's steady-state run: Concord's daemon or the reference relay. */
export interface SteadyPhase {
  /** "reference relay", "Concord daemon", "Concord daemon (binlog capture)". */
  readonly name: string;
  readonly rates: readonly RateResult[];
  /** The highest rate that was sustained, or null if none was. */
  readonly highestSustained: number | null;
  /** Whether both targets equal the source after the last window (null: it did not drain). */
  readonly converged: boolean | null;
  /** Of the propagating process, over the whole phase. */
  readonly peakRssMb: number | null;
}

/** The steady-state benchmark's result for one flow. */
export interface SteadyStateResult {
  /** The flow's name (`postgres`, `mariadb-source`, `mariadb-target`). */
  readonly flow: string;
  /** Source → hub → targets, as the tables show it. */
  readonly label: string;
  readonly rows: number;
  readonly seconds: number;
  readonly txSize: number;
  /** How Concord ran, and how the source's changes reach it and the reference. */
  readonly daemon: string;
  /** Concord's initial load that set the benchmark up (not measured here), in ms. */
  readonly setupLoadMs: number;
  readonly reference: SteadyPhase;
  /** One per source capture measured: MariaDB's trigger and binlog captures each get one. */
  readonly concord: readonly SteadyPhase[];
}

/** What the phases share. */
interface Bench {
  readonly world: BenchWorld;
  readonly rows: number;
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly txSize: number;
  readonly arrivals: { tracker: ChangeTracker | undefined };
  readonly nextSeq: () => number;
  readonly log: (line: string) => void;
}

/** A Concord setup to measure: its tables, config and SQLite target. */
interface Setup {
  readonly name: string;
  readonly table: string;
  readonly configFile: string;
  readonly sqlitePath: string;
}

const WARM_UP = { rate: 200, seconds: 1 };

/**
 * A writer changes random source rows at each rate in turn while a propagator carries them to a
 * database and a SQLite target, as `flow` says; per change, the latency from the source commit to
 * the target row holding the new value. First the reference relay (on copies of the tables), then
 * Concord's daemon (`concord run` in a child process) per capture, each stepping up the rates until
 * one is not sustained.
 */
export async function benchSteadyState(
  flow: Flow,
  options: { rows: number; rates: readonly number[]; seconds: number; txSize: number },
  log: (line: string) => void,
): Promise<SteadyStateResult> {
  const label = flowLabel(flow);
  log(`steady state, ${label}: seeding ${options.rows} contacts`);
  const world = await createWorld("steady", options.rows, flow);
  const arrivals: { tracker: ChangeTracker | undefined } = { tracker: undefined };
  let stopListening: (() => Promise<void>) | undefined;
  try {
    const mariadbSource = flow.source.name === "mariadb";
    const setups: Setup[] = [
      {
        name: mariadbSource ? "Concord daemon (trigger capture)" : "Concord daemon",
        table: "contacts",
        configFile: world.configFile,
        sqlitePath: world.sqlitePath,
      },
    ];
    if (mariadbSource) {
      const noBinlog = await binlogUnavailable();
      if (noBinlog === undefined) {
        const files = await world.addSetup("bin_contacts", options.rows, "binlog");
        setups.push({ name: "Concord daemon (binlog capture)", table: "bin_contacts", ...files });
      } else log(`steady state: no binlog capture: ${noBinlog}`);
    }
    log("steady state: Concord's initial load (setup, not measured)");
    let setupLoadMs = 0;
    for (const setup of setups) {
      const load = await runChild(benchEntry("concord-entry.ts"), ["sync", "--json", "-c", setup.configFile]);
      setupLoadMs ||= load.wallMs;
    }
    const refSqlite = `${world.dir}/reference.db`;
    await prepareReference(world, options.rows, refSqlite);
    stopListening = await flow.target.watchArrivals(
      world.target.url,
      ["ref_contacts", ...setups.map((s) => s.table)],
      (id, seq, at) => arrivals.tracker?.arrived(id, seq, at),
    );
    let seq = 0;
    const bench: Bench = { ...options, world, arrivals, nextSeq: () => ++seq, log };

    const relaySpec: RelaySpec = {
      sourceEngine: flow.source.name,
      targetEngine: flow.target.name,
      sourceUrl: world.source.url,
      targetUrl: world.target.url,
      table: "ref_contacts",
      sqlitePath: refSqlite,
      pollMs: SOURCE_POLL_MS,
    };
    const reference = await runPhase(bench, "reference relay", "ref_contacts", refSqlite, "relay ready", () =>
      startChild(benchEntry("reference-entry.ts"), ["relay", JSON.stringify(relaySpec)]),
    );
    const concord: SteadyPhase[] = [];
    for (const [i, setup] of setups.entries()) {
      // A later setup's cursor still stands before the earlier phases' changes: catch it up first.
      if (i > 0) await runChild(benchEntry("concord-entry.ts"), ["sync", "--json", "-c", setup.configFile]);
      concord.push(
        await runPhase(bench, setup.name, setup.table, setup.sqlitePath, "concord run: watching", () =>
          startChild(benchEntry("concord-entry.ts"), ["run", "--json", "-c", setup.configFile]),
        ),
      );
    }
    return {
      flow: flow.name,
      label,
      rows: options.rows,
      seconds: options.seconds,
      txSize: options.txSize,
      daemon: mariadbSource
        ? `concord run, in a child process (SQLite hub; the MariaDB source polled every ${SOURCE_POLL_MS} ms, ` +
          `as the reference relay reads its trigger-filled changelog)`
        : "concord run, in a child process (SQLite hub, trigger capture, NOTIFY wake-ups)",
      setupLoadMs,
      reference,
      concord,
    };
  } finally {
    await stopListening?.();
    await world.dispose();
  }
}

/** Copies of the tables for the reference relay, with the same rows and keys, and its trigger. */
async function prepareReference(world: BenchWorld, rows: number, sqlitePath: string): Promise<void> {
  const { source, target } = world.flow;
  await source.cloneContacts(world.source.url, "contacts", "ref_contacts");
  await source.prepareRelaySource(world.source.url, "ref_contacts");
  await target.createContacts(world.target.url, "ref_contacts", true);
  await target.seedContacts(world.target.url, "ref_contacts", rows);
  createSqliteContacts(sqlitePath, "ref_contacts", rows);
}

/** Starts a propagator, warms it up, steps through the rates until one is not sustained, stops it. */
async function runPhase(
  bench: Bench,
  name: string,
  table: string,
  sqlitePath: string,
  ready: string,
  start: () => RunningChild,
): Promise<SteadyPhase> {
  const child = start();
  const rates: RateResult[] = [];
  let peakRssMb: number | null = null;
  try {
    await child.waitForStderr(ready);
    const window = (rate: number, seconds: number) =>
      measureWindow({
        engine: bench.world.flow.source,
        url: bench.world.source.url,
        table,
        rows: bench.rows,
        rate,
        seconds,
        txSize: bench.txSize,
        nextSeq: bench.nextSeq,
        arrivals: bench.arrivals,
        propagatorPid: child.pid,
        propagatorOutput: () => child.stdout(),
      });
    await window(WARM_UP.rate, WARM_UP.seconds);
    for (const rate of bench.rates) {
      bench.log(`steady state: ${name} at ${rate} changes/s for ${bench.seconds} s`);
      const result = await window(rate, bench.seconds);
      rates.push(result);
      bench.log(
        `  p50 ${result.latencyMs.p50.toFixed(0)} ms, p99 ${result.latencyMs.p99.toFixed(0)} ms, ` +
          `backlog growth ${result.backlogGrowthPerSec.toFixed(0)}/s: ${result.verdict}`,
      );
      if (!result.sustained) break;
      await sleep(500);
    }
  } finally {
    bench.arrivals.tracker = undefined;
    const ended = await child.stop();
    peakRssMb = ended.stats?.peakRssMb ?? null;
    if (ended.code !== 0) bench.log(`  ${name} exited with ${ended.code}: ${ended.stderr.slice(-1000)}`);
  }
  // Only a drained last window leaves the targets comparable with the source.
  const converged = rates.at(-1)?.drained === true ? await targetsEqualSource(bench.world, table, sqlitePath) : null;
  const sustained = rates.filter((r) => r.sustained).map((r) => r.rate);
  return {
    name,
    rates,
    highestSustained: sustained.length === 0 ? null : Math.max(...sustained),
    converged,
    peakRssMb,
  };
}

async function targetsEqualSource(world: BenchWorld, table: string, sqlitePath: string): Promise<boolean> {
  return sameDigests([
    await world.flow.source.digest(world.source.url, table),
    await world.flow.target.digest(world.target.url, table),
    await sqliteDigest(sqlitePath, table),
  ]);
}

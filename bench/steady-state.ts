import { join } from "node:path";
import { withPgClient } from "../test/helpers/postgres-database.js";
import { arrivalTriggerDdl, listenArrivals } from "./arrivals.js";
import type { ChangeTracker } from "./change-tracker.js";
import { benchEntry, type RunningChild, runChild, startChild } from "./child.js";
import { pgContactsDdl } from "./contacts.js";
import { relayTriggerDdl, type RelaySpec } from "./reference-relay.js";
import { measureWindow, type RateResult, sleep } from "./steady-window.js";
import { pgDigest, sameDigests, sqliteDigest } from "./verify.js";
import { type BenchWorld, copyContacts, createSqliteContacts, createWorld } from "./world.js";

/** One propagator's steady-state run: Concord's daemon or the reference relay. */
export interface SteadyPhase {
  readonly rates: readonly RateResult[];
  /** The highest rate that was sustained, or null if none was. */
  readonly highestSustained: number | null;
  /** Whether both targets equal the source after the last window (null: it did not drain). */
  readonly converged: boolean | null;
  /** Of the propagating process, over the whole phase. */
  readonly peakRssMb: number | null;
}

/** The steady-state benchmark's result. */
export interface SteadyStateResult {
  readonly rows: number;
  readonly seconds: number;
  readonly txSize: number;
  /** How Concord ran: `concord run` in a child process, SQLite hub. */
  readonly daemon: string;
  /** Concord's initial load that set the benchmark up (not measured here), in ms. */
  readonly setupLoadMs: number;
  readonly concord: SteadyPhase;
  readonly reference: SteadyPhase;
}

/** What both phases share. */
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

const WARM_UP = { rate: 200, seconds: 1 };

/**
 * A writer changes random source rows at each rate in turn while a propagator carries them to a
 * PostgreSQL and a SQLite target; per change, the latency from the source commit to the target
 * row holding the new value. First the reference relay (on copies of the tables), then Concord's
 * daemon (`concord run` in a child process), each stepping up the rates until one is not sustained.
 */
export async function benchSteadyState(
  options: { rows: number; rates: readonly number[]; seconds: number; txSize: number },
  log: (line: string) => void,
): Promise<SteadyStateResult> {
  log(`steady state: seeding ${options.rows} contacts`);
  const world = await createWorld("steady", options.rows);
  const arrivals: { tracker: ChangeTracker | undefined } = { tracker: undefined };
  let stopListening: (() => Promise<void>) | undefined;
  try {
    log("steady state: Concord's initial load (setup, not measured)");
    const load = await runChild(benchEntry("concord-entry.ts"), ["sync", "--json", "-c", world.configFile]);
    const refSqlite = join(world.dir, "reference.db");
    await prepareReference(world, options.rows, refSqlite);
    await withPgClient(world.target.url, async (c) => {
      for (const table of ["contacts", "ref_contacts"]) for (const ddl of arrivalTriggerDdl(table)) await c.query(ddl);
    });
    stopListening = await listenArrivals(world.target.url, (id, seq, at) => arrivals.tracker?.arrived(id, seq, at));
    let seq = 0;
    const bench: Bench = { ...options, world, arrivals, nextSeq: () => ++seq, log };

    const relaySpec: RelaySpec = {
      sourceUrl: world.source.url,
      targetUrl: world.target.url,
      table: "ref_contacts",
      sqlitePath: refSqlite,
      channel: "bench_relay",
    };
    const reference = await runPhase(bench, "reference", "ref_contacts", refSqlite, () =>
      startChild(benchEntry("reference-entry.ts"), ["relay", JSON.stringify(relaySpec)]),
    );
    const concord = await runPhase(bench, "concord", "contacts", world.sqlitePath, () =>
      startChild(benchEntry("concord-entry.ts"), ["run", "--json", "-c", world.configFile]),
    );
    return {
      rows: options.rows,
      seconds: options.seconds,
      txSize: options.txSize,
      daemon: "concord run, in a child process (SQLite hub, trigger capture, NOTIFY wake-ups)",
      setupLoadMs: load.wallMs,
      concord,
      reference,
    };
  } finally {
    await stopListening?.();
    await world.dispose();
  }
}

/** Copies of the tables for the reference relay, with the same rows and keys, and its trigger. */
async function prepareReference(world: BenchWorld, rows: number, sqlitePath: string): Promise<void> {
  await withPgClient(world.source.url, async (c) => {
    await c.query(`CREATE TABLE ref_contacts (LIKE contacts INCLUDING ALL)`);
    await c.query(`INSERT INTO ref_contacts SELECT * FROM contacts`);
    await c.query(`ANALYZE ref_contacts`);
    for (const ddl of relayTriggerDdl("ref_contacts", "bench_relay")) await c.query(ddl);
  });
  await withPgClient(world.target.url, (c) => c.query(pgContactsDdl("ref_contacts", true)));
  await copyContacts(world.target.url, "ref_contacts", rows);
  createSqliteContacts(sqlitePath, "ref_contacts", rows);
}

/** Starts a propagator, warms it up, steps through the rates until one is not sustained, stops it. */
async function runPhase(
  bench: Bench,
  name: "concord" | "reference",
  table: string,
  sqlitePath: string,
  start: () => RunningChild,
): Promise<SteadyPhase> {
  const child = start();
  const rates: RateResult[] = [];
  let peakRssMb: number | null = null;
  try {
    await child.waitForStderr(name === "concord" ? "concord run: watching" : "relay ready");
    const window = (rate: number, seconds: number) =>
      measureWindow({
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
  return { rates, highestSustained: sustained.length === 0 ? null : Math.max(...sustained), converged, peakRssMb };
}

async function targetsEqualSource(world: BenchWorld, table: string, sqlitePath: string): Promise<boolean> {
  return sameDigests([
    await pgDigest(world.source.url, table),
    await pgDigest(world.target.url, table),
    await sqliteDigest(sqlitePath, table),
  ]);
}

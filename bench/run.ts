/**
 * `npm run bench`: Concord's initial load and steady state, per flow (PostgreSQL or MariaDB as the
 * source or the target), each against the raw drivers doing the same work in the same run. Prints tables and writes the JSON to bench/results/. See README.md,
 * "Benchmarks", and `npm run bench -- --help`.
 */
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchResults, formatResults, writeResults } from "./report.js";
import { killAllChildren } from "./child.js";
import { flowNamed } from "./flows.js";
import { benchInitialLoad, type InitialLoadResult } from "./initial-load.js";
import { describeMachine } from "./machine.js";
import { BENCH_USAGE, type BenchOptions, parseBenchOptions } from "./options.js";
import { benchSteadyState, type SteadyStateResult } from "./steady-state.js";
import { disposeAllWorlds } from "./world.js";

const RESULTS = fileURLToPath(new URL("./results/", import.meta.url));

const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const flows = options.flows.map(flowNamed);
  const machine = await describeMachine(flows.some((f) => f.source.name === "mariadb" || f.target.name === "mariadb"));
  const stamp = startedAt.replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const initialLoad: InitialLoadResult[] = [];
  const steadyState: SteadyStateResult[] = [];
  if (options.only !== "steady") {
    for (const flow of flows) {
      const profileDir = join(tmpdir(), `concord-bench-profile-${stamp}-${flow.name}`);
      initialLoad.push(
        await benchInitialLoad(flow, options.rows, options.cpuProf ? { cpuProfDir: profileDir } : {}, log),
      );
    }
  }
  if (options.only !== "load") {
    for (const flow of flows) steadyState.push(await benchSteadyState(flow, options, log));
  }
  const results: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    options,
    machine,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    ...(options.only === "steady" ? {} : { initialLoad }),
    ...(options.only === "load" ? {} : { steadyState }),
  };
  process.stdout.write(formatResults(results));
  log(`results written to ${writeResults(RESULTS, results)}`);
  return 0;
}

/** Set on Ctrl-C: the cleanup that ends the process; what fails meanwhile is its consequence. */
let interrupted: Promise<void> | undefined;
process.once("SIGINT", () => {
  log("interrupted: dropping the benchmark databases");
  killAllChildren();
  interrupted = disposeAllWorlds().finally(() => process.exit(130));
});

try {
  process.exitCode = await main();
} catch (err) {
  if (interrupted === undefined) throw err;
  await interrupted;
}

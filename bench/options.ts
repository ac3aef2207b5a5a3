import { parseArgs } from "node:util";
import { FLOWS, type FlowName, flowNamed } from "./flows.js";

/** What one `npm run bench` measures, from its command line. */
export interface BenchOptions {
  /** Contacts in the source table, for both benchmarks. */
  readonly rows: number;
  /** Steady-state change rates to step through, in changes per second, ascending. */
  readonly rates: readonly number[];
  /** Length of each steady-state window. */
  readonly seconds: number;
  /** Source rows changed per writer transaction. */
  readonly txSize: number;
  /** Which source → targets arrangements to measure, each with both benchmarks. */
  readonly flows: readonly FlowName[];
  /** Which benchmarks to run. */
  readonly only: "all" | "load" | "steady";
  /** Profile Concord's initial load (`--cpu-prof`) and summarize the main thread's profile. */
  readonly cpuProf: boolean;
  readonly quick: boolean;
}

/** The bench's `--help`. */
export const BENCH_USAGE = `usage: npm run bench -- [--quick] [--rows N] [--rates 1000,5000] [--seconds S] [--tx-size K]
                        [--only load|steady] [--flows postgres,mariadb-source,mariadb-target] [--cpu-prof]

  --quick        smoke run: 20,000 rows, 3 s per rate (explicit flags still win)
  --rows N       contacts in the source table (default 1,000,000)
  --rates LIST   steady-state rates in changes/s, stepped until one is not sustained
                 (default 250,500,1000,2000,5000,10000,20000)
  --seconds S    length of each steady-state window (default 10)
  --tx-size K    source rows updated per writer transaction (default 10)
  --only WHAT    run only the initial load or only the steady state
  --flows LIST   which sources and targets (default all three; SQLite is always a target too):
                   postgres        PostgreSQL → SQLite hub → PostgreSQL + SQLite
                   mariadb-source  MariaDB → SQLite hub → PostgreSQL + SQLite (trigger, then binlog capture)
                   mariadb-target  PostgreSQL → SQLite hub → MariaDB + SQLite
  --cpu-prof     profile Concord's initial load and print its top self-time functions`;

/** Parses the bench's flags (`--help` is the caller's); throws on anything it does not understand. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      rows: { type: "string" },
      rates: { type: "string" },
      seconds: { type: "string" },
      "tx-size": { type: "string" },
      only: { type: "string", default: "all" },
      flows: { type: "string" },
      "cpu-prof": { type: "boolean", default: false },
    },
    strict: true,
  });
  const quick = values.quick;
  const only = values.only;
  if (only !== "all" && only !== "load" && only !== "steady") {
    throw new Error(`--only ${only}: expected load or steady\n\n${BENCH_USAGE}`);
  }
  const flows = (values.flows ?? FLOWS.map((f) => f.name).join(",")).split(",").map((name) => {
    try {
      return flowNamed(name.trim()).name;
    } catch (err) {
      throw new Error(`--flows: ${err instanceof Error ? err.message : String(err)}\n\n${BENCH_USAGE}`);
    }
  });
  const rates = (values.rates ?? "250,500,1000,2000,5000,10000,20000").split(",").map((r) => positive("--rates", r));
  return {
    rows: positive("--rows", values.rows ?? (quick ? "20000" : "1000000"), true),
    rates: rates.sort((a, b) => a - b),
    seconds: positive("--seconds", values.seconds ?? (quick ? "3" : "10")),
    txSize: positive("--tx-size", values["tx-size"] ?? "10", true),
    flows: [...new Set(flows)],
    only,
    cpuProf: values["cpu-prof"],
    quick,
  };
}

function positive(flag: string, text: string, integer = false): number {
  const n = Number(text.replaceAll("_", ""));
  const ok = integer ? Number.isSafeInteger(n) && n > 0 : Number.isFinite(n) && n > 0;
  if (!ok) throw new Error(`${flag} ${text}: expected a positive ${integer ? "integer" : "number"}\n\n${BENCH_USAGE}`);
  return n;
}

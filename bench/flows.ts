import type { BenchEngine, EngineName } from "./engine.js";
import { mariadbEngine } from "./mariadb-engine.js";
import { postgresEngine } from "./pg-engine.js";

/** Which engines a benchmark connects: the source, and the database target besides SQLite. */
export type FlowName = "postgres" | "mariadb-source" | "mariadb-target";

/** A source → hub → targets arrangement. */
export interface Flow {
  readonly name: FlowName;
  readonly source: BenchEngine;
  readonly target: BenchEngine;
}

/** Every flow, in the order a default run measures them. */
export const FLOWS: readonly Flow[] = [
  { name: "postgres", source: postgresEngine, target: postgresEngine },
  { name: "mariadb-source", source: mariadbEngine, target: postgresEngine },
  { name: "mariadb-target", source: postgresEngine, target: mariadbEngine },
];

/** How a flow is shown: "MariaDB → SQLite hub → PostgreSQL + SQLite". */
export function flowLabel(flow: Flow): string {
  return `${flow.source.label} → SQLite hub → ${flow.target.label} + SQLite`;
}

/** The flow named `name`; throws when there is none. */
export function flowNamed(name: string): Flow {
  const flow = FLOWS.find((f) => f.name === name);
  if (flow === undefined) throw new Error(`unknown flow ${name}: expected ${FLOWS.map((f) => f.name).join(", ")}`);
  return flow;
}

/** The engine of a name, for a child process that only has the name. */
export function engineNamed(name: EngineName): BenchEngine {
  return name === "postgres" ? postgresEngine : mariadbEngine;
}

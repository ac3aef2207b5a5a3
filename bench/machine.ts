import { execFileSync } from "node:child_process";
import os from "node:os";
import { mariadbEngine } from "./mariadb-engine.js";
import { postgresEngine } from "./pg-engine.js";

/** Where the numbers were measured: they mean little without it. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly postgres: string;
  /** Null when the run measured no MariaDB flow. */
  readonly mariadb: string | null;
  /** 1, 5 and 15 minute load averages when the bench started: other work on the machine skews results. */
  readonly loadAverage: readonly number[];
  readonly commit: string | null;
}

/** Describes this machine and the database servers (MariaDB's when `mariadb`). */
export async function describeMachine(mariadb: boolean): Promise<Machine> {
  const cpus = os.cpus();
  const postgres = await postgresEngine.version();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    postgres,
    mariadb: mariadb ? await mariadbEngine.version() : null,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    commit: gitCommit(),
  };
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return null;
  }
}

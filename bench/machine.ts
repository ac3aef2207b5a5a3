import { execFileSync } from "node:child_process";
import os from "node:os";
import { testPostgresUrl, withPgClient } from "../test/helpers/postgres-database.js";

/** Where the numbers were measured: they mean little without it. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly postgres: string;
  /** 1, 5 and 15 minute load averages when the bench started: other work on the machine skews results. */
  readonly loadAverage: readonly number[];
  readonly commit: string | null;
}

/** Describes this machine and the PostgreSQL server. */
export async function describeMachine(): Promise<Machine> {
  const cpus = os.cpus();
  const postgres = await withPgClient(testPostgresUrl, async (c) => {
    const { rows } = await c.query<{ server_version: string }>("SHOW server_version");
    return rows[0]?.server_version ?? "unknown";
  });
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    postgres,
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

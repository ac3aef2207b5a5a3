import { writeFileSync } from "node:fs";

/** What a benchmark child process reports about itself when it exits. */
export interface ChildStats {
  /** Peak resident set size (getrusage's maxrss), in MiB. */
  readonly peakRssMb: number;
  /** CPU time in user and kernel mode, in ms. */
  readonly cpuMs: number;
}

/** The environment variable naming the file a child writes its stats to. */
export const STATS_FILE_ENV = "CONCORD_BENCH_STATS_FILE";

/**
 * Writes this process's peak RSS and CPU time to the file named by the environment when it exits.
 * getrusage's peak is exact where sampling could miss a short spike.
 */
export function reportStatsOnExit(): void {
  const file = process.env[STATS_FILE_ENV];
  if (file === undefined) return;
  process.on("exit", () => {
    const usage = process.resourceUsage();
    const stats: ChildStats = {
      peakRssMb: usage.maxRSS / 1024,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    };
    writeFileSync(file, JSON.stringify(stats));
  });
}

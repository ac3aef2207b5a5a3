/**
 * Concord's command line, as `concord` runs it, for the benchmark's child processes; also reports
 * the process's peak memory and CPU time when it exits (see child-stats.ts).
 */
import { main } from "../src/cli/main.js";
import { reportStatsOnExit } from "./child-stats.js";

reportStatsOnExit();
process.exitCode = await main(process.argv);

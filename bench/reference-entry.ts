/**
 * The reference pipelines in a child process of their own, so that their memory and CPU are
 * measured like Concord's: `load SPEC_JSON` prints the result as JSON; `relay SPEC_JSON` relays
 * until SIGTERM, printing "relay ready" on stderr once it listens.
 */
import { reportStatsOnExit } from "./child-stats.js";
import { type ReferenceLoadSpec, referenceLoad } from "./reference.js";
import { type RelaySpec, startRelay } from "./reference-relay.js";

reportStatsOnExit();
const [mode, json] = process.argv.slice(2);
if (mode === "load") {
  const result = await referenceLoad(JSON.parse(json ?? "") as ReferenceLoadSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (mode === "relay") {
  const stop = await startRelay(JSON.parse(json ?? "") as RelaySpec);
  process.once("SIGTERM", () => void stop());
  process.stderr.write("relay ready\n");
} else {
  process.stderr.write("usage: reference-entry.ts load|relay SPEC_JSON\n");
  process.exitCode = 2;
}

/**
 * A test-only entry point: runs the CLI in a child process, as `concord` would, so that a test
 * can kill it mid-run (`tsx test/helpers/cli-entry.ts sync --json -c concord.yaml`).
 */
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv);

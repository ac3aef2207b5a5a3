#!/usr/bin/env node
// Runs the built CLI; `npm ci` builds it (the `prepare` script).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);

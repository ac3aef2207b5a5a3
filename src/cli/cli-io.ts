import fs from "node:fs";
import path from "node:path";
import type { ConcordConfig } from "../config/model.js";
import { loadConfig } from "../config/load-config.js";
import { connectors } from "../connectors/registry.js";
import type { RunObserver } from "../engine/events.js";
import { openRuntime, type Runtime } from "../engine/runtime.js";
import { DryRunHubStore } from "../hub/dry-run-hub-store.js";
import { openHubStore } from "../hub/open-hub-store.js";

/** Where a command reads and writes: the process, or a test's buffers. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stderr is a terminal (progress bars, colors). */
  readonly isTTY: boolean;
}

/** Options every command takes. */
export interface GlobalOptions {
  readonly config: string;
  readonly json: boolean;
}

/** The process's own IO. */
export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stderr.isTTY === true,
  };
}

/** Loads the config named by `-c` (relative to the working directory). */
export function loadCliConfig(io: CliIO, options: GlobalOptions): ConcordConfig {
  return loadConfig(path.resolve(io.cwd, options.config), { env: io.env, connectors });
}

/** Opens the hub and a runtime for a command, and always closes them. */
export async function withRuntime<T>(
  io: CliIO,
  options: GlobalOptions,
  fn: (rt: Runtime) => Promise<T>,
  observer?: RunObserver,
): Promise<T> {
  const config = loadCliConfig(io, options);
  const hub = await openHubStore(config.hub);
  const rt = await openRuntime({ config, hub, connectors, ...(observer === undefined ? {} : { observer }) });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Prints one JSON document on stdout. */
export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * A runtime for dry runs: the hub answers as if the run's changes had been committed, but
 * nothing reaches the real hub, and connectors are only read.
 */
export async function withDryRuntime<T>(
  io: CliIO,
  options: GlobalOptions,
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  const config = loadCliConfig(io, options);
  // A dry run before the first sync must not even create the hub: read an empty one instead.
  const missing = config.hub.startsWith("sqlite:") && !fs.existsSync(config.hub.slice("sqlite:".length));
  const hub = new DryRunHubStore(await openHubStore(missing ? "sqlite::memory:" : config.hub));
  const rt = await openRuntime({ config, hub, connectors });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

import { loadConfig } from "../../src/config/load-config.js";
import { connectors } from "../../src/connectors/registry.js";
import type { RunSummary } from "../../src/core/types.js";
import { openRuntime, type Runtime } from "../../src/engine/runtime.js";
import { runSync, type SyncOptions } from "../../src/engine/sync.js";
import { openHubStore } from "../../src/hub/open-hub-store.js";

/** The engine in-process on a config file, for tests that run many syncs (property tests). */
export interface Engine {
  readonly rt: Runtime;
  sync(options?: Partial<SyncOptions>): Promise<RunSummary>;
  close(): Promise<void>;
}

/** Opens the engine on a config file; `env` feeds `${VAR}` expansion. */
export async function openEngine(configFile: string, env: Record<string, string> = {}): Promise<Engine> {
  const config = loadConfig(configFile, { env, connectors });
  const rt = await openRuntime({ config, hub: await openHubStore(config.hub), connectors });
  return {
    rt,
    sync: (options = {}) => runSync(rt, { command: "test", ...options }),
    close: () => rt.close(),
  };
}

/** Total writes of a run over all systems. */
export function writesOf(summary: RunSummary): number {
  return Object.values(summary.written).reduce((n, c) => n + c.created + c.updated + c.deleted, 0);
}

import { randomBytes } from "node:crypto";
import type { ConcordConfig, EntityDef } from "../config/model.js";
import type { Connector, ConnectorFactory, ResourceSpec } from "../connectors/connector.js";
import { bindingColumns } from "../core/mapping.js";
import { ConcordError } from "../core/errors.js";
import type { HubStore } from "../hub/hub-store.js";
import { type RunObserver, silentObserver } from "./events.js";

/** What every engine stage works with: config, hub, lazily opened connectors, clock. */
export interface Runtime {
  readonly config: ConcordConfig;
  readonly hub: HubStore;
  readonly observer: RunObserver;
  /** Secret for hashing sensitive values in the journal; kept in the hub, never printed. */
  readonly secret: string;
  connector(system: string): Promise<Connector>;
  entity(name: string): EntityDef;
  /** ISO-8601 now. */
  now(): string;
  close(): Promise<void>;
}

/** Options for opening a runtime. */
export interface RuntimeOptions {
  readonly config: ConcordConfig;
  readonly hub: HubStore;
  readonly connectors: ReadonlyMap<string, ConnectorFactory>;
  readonly observer?: RunObserver;
}

/** The resources (tables) each system is bound to, from the config's bindings. */
export function resourcesOf(config: ConcordConfig, system: string): ResourceSpec[] {
  const specs: ResourceSpec[] = [];
  for (const entity of Object.values(config.entities)) {
    const binding = entity.bindings[system];
    if (binding !== undefined) specs.push({ name: binding.table, key: binding.key, columns: bindingColumns(binding) });
  }
  return specs;
}

/** Opens a runtime; connectors connect on first use and close with the runtime. */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, hub } = options;
  const open = new Map<string, Promise<Connector>>();
  const secret = await ensureSecret(hub);

  const connect = async (system: string): Promise<Connector> => {
    const def = config.systems[system];
    if (def === undefined) throw new ConcordError("usage", `unknown system "${system}"`);
    const factory = options.connectors.get(def.connector);
    if (factory === undefined)
      throw new ConcordError("config", `systems.${system}: unknown connector "${def.connector}"`);
    const instance = factory.create(factory.optionsSchema.parse(def.options), {
      system,
      baseDir: config.baseDir,
      resources: resourcesOf(config, system),
    });
    await instance.open();
    return instance;
  };

  return {
    config,
    hub,
    secret,
    observer: options.observer ?? silentObserver,
    connector(system) {
      let pending = open.get(system);
      if (pending === undefined) {
        pending = connect(system);
        open.set(system, pending);
        // A failed open is not cached, so a later call may try again.
        pending.catch(() => open.delete(system));
      }
      return pending;
    },
    entity(name) {
      const def = config.entities[name];
      if (def === undefined) throw new ConcordError("usage", `unknown entity "${name}"`);
      return def;
    },
    now: () => new Date().toISOString(),
    async close() {
      const settled = await Promise.allSettled(open.values());
      for (const result of settled) if (result.status === "fulfilled") await result.value.close();
      open.clear();
      await hub.close();
    },
  };
}

async function ensureSecret(hub: HubStore): Promise<string> {
  const existing = await hub.getMeta("redaction-secret");
  if (existing !== null) return existing;
  const secret = randomBytes(32).toString("hex");
  await hub.commit({ meta: [{ key: "redaction-secret", value: secret }] });
  return secret;
}

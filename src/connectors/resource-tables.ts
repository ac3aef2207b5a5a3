import type { ResourceSpec } from "./connector.js";

/**
 * Resolves a system's resources to what a connector knows of their tables, once per connection:
 * the bookkeeping every SQL connector shares. `describe` reads one table's shape (and fails
 * naming what is missing); `unknown` words the error for a resource the system does not bind.
 */
export class ResourceTables<Info> {
  readonly #specs: ReadonlyMap<string, ResourceSpec>;
  readonly #cache = new Map<string, Info>();
  readonly #describe: (spec: ResourceSpec) => Promise<Info>;
  readonly #unknown: (resource: string) => Error;

  constructor(
    resources: readonly ResourceSpec[],
    describe: (spec: ResourceSpec) => Promise<Info>,
    unknown: (resource: string) => Error,
  ) {
    this.#specs = new Map(resources.map((r) => [r.name, r]));
    this.#describe = describe;
    this.#unknown = unknown;
  }

  /** The resources of this system. */
  get specs(): ResourceSpec[] {
    return [...this.#specs.values()];
  }

  /** Whether `resource` is one of this system's resources. */
  has(resource: string): boolean {
    return this.#specs.has(resource);
  }

  /** Forgets what was learnt from the schema (on close: the schema may change meanwhile). */
  clear(): void {
    this.#cache.clear();
  }

  /** The table behind a resource; fails naming it when it is unknown or its table does not fit. */
  async get(resource: string): Promise<Info> {
    const cached = this.#cache.get(resource);
    if (cached !== undefined) return cached;
    const spec = this.#specs.get(resource);
    if (spec === undefined) throw this.#unknown(resource);
    const info = await this.#describe(spec);
    this.#cache.set(resource, info);
    return info;
  }
}

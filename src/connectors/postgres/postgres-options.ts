import { z } from "zod";

/** Replication slot names allow only these characters, up to 63 of them. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

/** Options of a `connector: postgres` system. */
export const postgresOptionsSchema = z
  .object({
    /** `postgres://user:password@host:port/db`; the password never appears in errors or logs. */
    url: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL"),
    /** The schema of the bound tables; Concord's own objects go there too. */
    schema: z.string().min(1).max(63).default("public"),
    /**
     * `trigger`: a changelog table filled by triggers, on any server. `logical`: logical decoding
     * (pgoutput) through a durable replication slot; needs wal_level=logical and REPLICATION.
     */
    capture: z.enum(["trigger", "logical"]).default("trigger"),
    /** Replication slot of `capture: logical`; default `concord_<system>`. Unique in the cluster. */
    slot: z.string().regex(SLOT_NAME, "lower-case letters, digits and _ only, at most 63").optional(),
    /** Publication of `capture: logical`; default `concord_<system>`. */
    publication: z.string().min(1).max(63).optional(),
    /** How often the daemon polls as well ("30s", "2m"); notifications wake it sooner. */
    pollEvery: z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h)\s*$/, "expected a duration like 500ms, 30s, 2m, 1h")
      .optional(),
  })
  .strict();

/** Validated options of a PostgreSQL system. */
export type PostgresOptions = z.output<typeof postgresOptionsSchema>;

/** `concord_<system>`, reduced to what slot names allow, as the default slot and publication name. */
export function defaultCaptureName(system: string): string {
  const cleaned = system.toLowerCase().replace(/[^a-z0-9_]+/g, "_");
  return `concord_${cleaned}`.slice(0, 63);
}

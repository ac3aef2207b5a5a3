import { z } from "zod";

/** Options of a `connector: sqlite` system. */
export const sqliteOptionsSchema = z
  .object({
    /** The database file, relative to the config file's folder. It must exist. */
    path: z.string().min(1),
    /** How changes are captured; SQLite has no log a reader can follow, so triggers only. */
    capture: z.enum(["trigger"]).default("trigger"),
  })
  .strict();

/** Validated options of a SQLite system. */
export type SqliteOptions = z.output<typeof sqliteOptionsSchema>;

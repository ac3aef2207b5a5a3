import type { ConnectorFactory } from "../connector.js";
import { SqliteConnector } from "./sqlite-connector.js";
import { type SqliteOptions, sqliteOptionsSchema } from "./sqlite-options.js";

export type { SqliteOptions } from "./sqlite-options.js";

/** `connector: sqlite`: a SQLite database file, captured by triggers. */
export const sqliteConnector: ConnectorFactory<SqliteOptions> = {
  kind: "sqlite",
  optionsSchema: sqliteOptionsSchema,
  create: (options, context) => new SqliteConnector(options, context),
};

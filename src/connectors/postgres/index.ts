import type { ConnectorFactory } from "../connector.js";
import { PostgresConnector } from "./postgres-connector.js";
import { type PostgresOptions, postgresOptionsSchema } from "./postgres-options.js";

export type { PostgresOptions } from "./postgres-options.js";

/** `connector: postgres`: a PostgreSQL database, captured by triggers or by logical decoding. */
export const postgresConnector: ConnectorFactory<PostgresOptions> = {
  kind: "postgres",
  optionsSchema: postgresOptionsSchema,
  create: (options, context) => new PostgresConnector(options, context),
};

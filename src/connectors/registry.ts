import type { ConnectorFactory } from "./connector.js";
import { mysqlConnector } from "./mysql/index.js";
import { postgresConnector } from "./postgres/index.js";
import { sqliteConnector } from "./sqlite/index.js";

/** The connectors Concord knows, by `kind` (the `connector:` of a system in the config). */
export const connectors: ReadonlyMap<string, ConnectorFactory> = new Map<string, ConnectorFactory>([
  [sqliteConnector.kind, sqliteConnector],
  [mysqlConnector.kind, mysqlConnector],
  [postgresConnector.kind, postgresConnector],
]);

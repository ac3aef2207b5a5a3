import type { ConnectorFactory } from "../connector.js";
import { MysqlConnector } from "./mysql-connector.js";
import { type MysqlOptions, mysqlOptionsSchema } from "./mysql-options.js";

export type { MysqlOptions } from "./mysql-options.js";

/** `connector: mysql`: a MySQL or MariaDB database, captured by triggers, polling or the binary log. */
export const mysqlConnector: ConnectorFactory<MysqlOptions> = {
  kind: "mysql",
  optionsSchema: mysqlOptionsSchema,
  create: (options, context) => new MysqlConnector(options, context),
};

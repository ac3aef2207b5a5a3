import { describe, it } from "vitest";
import {
  binlogUnavailable,
  createMysqlTestDatabase,
  mysqlAvailable,
  mysqlSkipReason,
  servicesRequired,
} from "../helpers/mysql-database.js";
import { type ContractOptions, describeConnectorContract } from "./connector.case.js";
import { mysqlHarness } from "./mysql-harness.js";

const NO_DELETES = "poll capture cannot see deletes: only a full snapshot (sync --full) finds them";

const POLL_SKIPS: ContractOptions = {
  skip: {
    install:
      "poll capture installs nothing in the database: isInstalled is true once every table has its cursor column",
    "changes-native": NO_DELETES,
    "changes-fold": NO_DELETES,
    "changes-key-change": NO_DELETES,
    "changes-no-echo":
      "poll capture cannot tell Concord's writes from others': its echoes are no-ops in the engine's shadow compare",
    teardown: "poll capture installs nothing to remove, and changes(null) reads every row",
    introspect:
      "the poll harness's tables have one more column, the cursor column updated_at, which describe rightly lists",
  },
};

const available = await mysqlAvailable();
const noBinlog = available ? await binlogUnavailable() : undefined;
if (noBinlog !== undefined && servicesRequired) throw new Error(`CONCORD_REQUIRE_SERVICES=1 but ${noBinlog}`);

const modes = [
  { capture: "trigger", options: {}, unavailable: available ? undefined : mysqlSkipReason() },
  { capture: "poll", options: POLL_SKIPS, unavailable: available ? undefined : mysqlSkipReason() },
  { capture: "binlog", options: {}, unavailable: available ? noBinlog : mysqlSkipReason() },
] as const;

for (const { capture, options, unavailable } of modes) {
  if (unavailable !== undefined) {
    describe(`Connector contract: mysql (${capture})`, () => {
      it.skip(`every case [skipped: ${unavailable}]`, () => undefined);
    });
    continue;
  }
  describeConnectorContract(
    `mysql (${capture})`,
    async () => {
      const db = await createMysqlTestDatabase(`contract_${capture}`);
      if (db === undefined) throw new Error(mysqlSkipReason());
      return mysqlHarness(db, capture);
    },
    options,
  );
}

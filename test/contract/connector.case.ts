import { afterAll, afterEach, beforeAll, describe } from "vitest";
import type { Connector } from "../../src/connectors/connector.js";
import { captureCases } from "./connector-capture.case.js";
import {
  type ConnectorHarness,
  type ContractContext,
  type ContractOptions,
  contractTest,
  resourceOf,
  type TableSpec,
} from "./connector-harness.js";
import { writeCases } from "./connector-write.case.js";

export type { ConnectorHarness, ContractCase, ContractOptions, TableSpec } from "./connector-harness.js";

/**
 * The behaviour every SQL connector must show, against a real database. An implementation's test
 * file calls this with a factory of harnesses; one harness (one database) serves the whole file,
 * and every test makes its own tables.
 */
export function describeConnectorContract(
  name: string,
  makeHarness: () => Promise<ConnectorHarness>,
  options: ContractOptions = {},
): void {
  describe(`Connector contract: ${name}`, () => {
    let current: ConnectorHarness | undefined;
    const opened: Connector[] = [];
    let tables = 0;

    const harness = (): ConnectorHarness => {
      if (current === undefined) throw new Error("no harness: the factory failed");
      return current;
    };
    const ctx: ContractContext = {
      harness,
      fresh: (base) => `${base}_${++tables}`,
      setup: async (...specs: TableSpec[]) => {
        for (const spec of specs) await harness().createTable(spec);
        const connector = await harness().connect(specs.map(resourceOf));
        opened.push(connector);
        return connector;
      },
      test: contractTest(options),
    };

    beforeAll(async () => {
      current = await makeHarness();
    });
    afterEach(async () => {
      // Teardown keeps one test's capture out of the next; it must not fail either.
      for (const connector of opened.splice(0)) {
        await connector.capture?.teardown();
        await connector.close();
      }
    });
    afterAll(async () => {
      await current?.cleanup();
      current = undefined;
    });

    describe("reading and change capture", () => captureCases(ctx));
    describe("writing and introspection", () => writeCases(ctx));
  });
}

import { afterEach, beforeEach, describe } from "vitest";
import type { HubStoreContext, HubStoreUnderTest, MakeHubStore } from "./hub-store-fixtures.js";
import { goldenCases } from "./hub-store-goldens.case.js";
import { journalCases } from "./hub-store-journal.case.js";
import { linkCases } from "./hub-store-links.case.js";
import { queueCases } from "./hub-store-queues.case.js";
import { stateCases } from "./hub-store-state.case.js";

export type { HubStoreUnderTest, MakeHubStore } from "./hub-store-fixtures.js";

/**
 * The behaviour every HubStore must show. An implementation's test file calls this with a
 * factory that makes a fresh, migrated, empty store for each test.
 */
export function describeHubStoreContract(name: string, makeStore: MakeHubStore): void {
  describe(`HubStore contract: ${name}`, () => {
    let current: HubStoreUnderTest | undefined;
    const underTest = (): HubStoreUnderTest => {
      if (current === undefined) throw new Error("no store: the factory failed");
      return current;
    };
    const ctx: HubStoreContext = { underTest, store: () => underTest().store };

    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    goldenCases(ctx);
    linkCases(ctx);
    journalCases(ctx);
    queueCases(ctx);
    stateCases(ctx);
  });
}

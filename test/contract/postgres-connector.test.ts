import { describe, expect, it } from "vitest";
import { postgresConnector } from "../../src/connectors/postgres/index.js";
import { connectors } from "../../src/connectors/registry.js";
import { ConcordError } from "../../src/core/errors.js";
import { postgresSkipReason } from "../helpers/postgres-database.js";
import { describeConnectorContract } from "./connector.case.js";
import { logicalSkipReason, postgresFixture, postgresHarness } from "./postgres-harness.js";

// Each capture runs the suite on a database of its own, made here so that a skip is known (and
// its reason shown) before the suite is declared.
const triggerFx = await postgresFixture("contract_trigger");
const logicalFx = await postgresFixture("contract_logical");
const logicalSkip = logicalFx ? await logicalSkipReason(logicalFx) : postgresSkipReason();
if (logicalFx && logicalSkip !== undefined) await logicalFx.cleanup();

if (triggerFx) {
  describeConnectorContract("postgres, capture: trigger", () => Promise.resolve(postgresHarness(triggerFx, "trigger")));
} else {
  describe.skip(`Connector contract: postgres, capture: trigger [skipped: ${postgresSkipReason()}]`, () => {
    it("needs a server", () => undefined);
  });
}

if (logicalFx && logicalSkip === undefined) {
  describeConnectorContract("postgres, capture: logical", () => Promise.resolve(postgresHarness(logicalFx, "logical")));
} else {
  describe.skip(`Connector contract: postgres, capture: logical [skipped: ${logicalSkip}]`, () => {
    it("needs wal_level=logical", () => undefined);
  });
}

describe("postgres connector options", () => {
  const url = "postgres://app:s3cret@127.0.0.1:5432/crm";

  it("is registered under its kind", () => {
    expect(connectors.get("postgres")).toBe(postgresConnector);
  });

  it("takes a URL, defaults schema and capture, and refuses unknown options", () => {
    expect(postgresConnector.optionsSchema.parse({ url })).toEqual({ url, schema: "public", capture: "trigger" });
    const logical = { url, capture: "logical", slot: "crm_slot", publication: "CRM pub", pollEvery: "30s" };
    expect(postgresConnector.optionsSchema.parse(logical)).toEqual({ ...logical, schema: "public" });
    for (const bad of [
      { url, create: true },
      { url, capture: "poll" },
      { url: "mysql://127.0.0.1/crm" },
      { url, slot: "Has-Dash" },
      { url, pollEvery: "soon" },
    ]) {
      expect(postgresConnector.optionsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("never repeats the URL (and its password) in validation errors", () => {
    const result = postgresConnector.optionsSchema.safeParse({ url: "pgsql://app:s3cret@db/crm" });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain("s3cret");
  });

  it("fails to open with a retryable error naming host:port/db but not the password", async () => {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    const options = postgresConnector.optionsSchema.parse({ url: "postgres://app:s3cret@127.0.0.1:1/crm" });
    const connector = postgresConnector.create(options, { system: "crm", baseDir: ".", resources: [] });
    const error: unknown = await connector.open().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConcordError);
    expect(error).toMatchObject({ code: "connector", retryable: true });
    const message = (error as Error).message;
    expect(message).toContain('"crm"');
    expect(message).toContain("cannot connect to 127.0.0.1:1/crm");
    expect(message).not.toContain("s3cret");
  });
});

import { describe, expect, it } from "vitest";
import { mysqlConnector } from "../../src/connectors/mysql/index.js";
import { ConcordError } from "../../src/core/errors.js";
import { mysqlAvailable, mysqlConnectionOptions, mysqlSkipReason } from "../helpers/mysql-database.js";

const available = await mysqlAvailable();
const context = { system: "erp", baseDir: process.cwd(), resources: [] };

/** The error a promise rejects with, or undefined. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("mysql options", () => {
  const parse = (options: Record<string, unknown>) => mysqlConnector.optionsSchema.safeParse(options);

  it("takes a URL and defaults the rest", () => {
    const options = mysqlConnector.optionsSchema.parse({ url: "mysql://app:pw@db:3307/erp" });
    expect(options).toEqual({
      url: "mysql://app:pw@db:3307/erp",
      capture: "trigger",
      pollEvery: "30s",
      cursorColumn: "updated_at",
      timezone: "Z",
    });
    // The engine parses what the config layer parsed: the output must parse to itself.
    expect(mysqlConnector.optionsSchema.parse(options)).toEqual(options);
  });

  it("refuses unknown options and bad values", () => {
    const url = "mysql://127.0.0.1/erp";
    expect(parse({ url, create: true }).success).toBe(false);
    expect(parse({ url, capture: "logical" }).success).toBe(false);
    expect(parse({ url, pollEvery: "soon" }).success).toBe(false);
    expect(parse({ url, timezone: "Europe/Paris" }).success).toBe(false);
    expect(parse({ url, serverId: 0 }).success).toBe(false);
    expect(parse({ url, capture: "poll", pollEvery: "500ms", cursorColumns: { orders: "changed_at" } }).success).toBe(
      true,
    );
  });

  it("explains a bad URL without repeating it (it may hold a password)", () => {
    for (const url of ["postgres://u:s3cret@h/db", "mysql://u:s3cret@h", "mysql://u:s3cret@h/db?ssl=1", "nonsense"]) {
      const result = parse({ url });
      expect(result.success, url).toBe(false);
      const message = result.error?.issues.map((i) => i.message).join("; ") ?? "";
      expect(message.length, url).toBeGreaterThan(0);
      expect(message, url).not.toContain("s3cret");
    }
  });
});

describe("mysql connection failures", () => {
  it("a server that refuses the connection fails with a retryable error naming host:port/database, not the password", async () => {
    const options = mysqlConnector.optionsSchema.parse({ url: "mysql://app:s3cret@127.0.0.1:1/erp" });
    const error = await rejection(mysqlConnector.create(options, context).open());
    expect(error).toBeInstanceOf(ConcordError);
    expect(error).toMatchObject({ code: "connector", retryable: true });
    const message = (error as Error).message;
    expect(message).toContain('mysql system "erp"');
    expect(message).toContain("127.0.0.1:1/erp");
    expect(message).not.toContain("s3cret");
  });

  it.skipIf(!available)(
    `wrong credentials and a missing database are not retryable${available ? "" : ` [skipped: ${mysqlSkipReason()}]`}`,
    async () => {
      const { host, port, user } = mysqlConnectionOptions();
      const cases = [
        `mysql://${user}:wrong-s3cret@${host}:${port}/test`,
        `mysql://${user}@${host}:${port}/concord_no_such_database`,
      ];
      for (const url of cases) {
        const error = await rejection(
          mysqlConnector.create(mysqlConnector.optionsSchema.parse({ url }), context).open(),
        );
        expect(error, url).toMatchObject({ code: "connector", retryable: false });
        expect((error as Error).message, url).not.toContain("s3cret");
      }
    },
  );
});

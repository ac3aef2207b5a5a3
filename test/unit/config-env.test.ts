import { describe, expect, test } from "vitest";
import { expandVariables } from "../../src/config/env.js";
import { parseConfig } from "../../src/config/load-config.js";
import { issuesOf, options } from "./config-fixtures.js";

describe("expandVariables", () => {
  const env = { HOST: "db.local", PORT: "5432", EMPTY: "" };

  test.each([
    ["no reference", "plain $text", "plain $text"],
    ["a set variable", "${HOST}:${PORT}", "db.local:5432"],
    ["a default for an unset variable", "${USER_NAME:-admin}@${HOST}", "admin@db.local"],
    ["a default for an empty variable", "${EMPTY:-fallback}", "fallback"],
    ["an empty default", "x${MISSING:-}y", "xy"],
    ["an empty variable without default", "[${EMPTY}]", "[]"],
    ["a default with spaces and colons", "${URL:-http://a b:1}", "http://a b:1"],
    ["an escaped reference", "$${HOST} is ${HOST}", "${HOST} is db.local"],
  ])("%s", (_what, text, expected) => {
    expect(expandVariables(text, env)).toEqual({ value: expected, problems: [] });
  });

  test("reports an unset variable without default by name", () => {
    expect(expandVariables("postgres://${DB_USER}@${HOST}/${DB_NAME}", env)).toEqual({
      value: "postgres://@db.local/",
      problems: [
        "environment variable DB_USER is not set (give a default with ${DB_USER:-default})",
        "environment variable DB_NAME is not set (give a default with ${DB_NAME:-default})",
      ],
    });
  });

  test("reports malformed references", () => {
    expect(expandVariables("${1ABC}", env).problems).toEqual([
      'invalid variable reference "${1ABC}": expected ${NAME} or ${NAME:-default}',
    ]);
    expect(expandVariables("${HOST", env).problems).toEqual(['unterminated "${" (write "$${" for a literal "${")']);
  });
});

describe("variables in a config", () => {
  const text = [
    "hub: ${HUB:-sqlite:hub.db}",
    "systems:",
    '  crm: { connector: postgres, url: "postgres://${PGUSER}@${PGHOST:-localhost}/crm", tags: ["${TAG}"] }',
    '  shop: { connector: http, headers: { "${KEY}": "${KEY}" } }',
    "entities: {}",
    "",
  ].join("\n");

  test("expand from the given environment, with defaults, in nested values", () => {
    const config = parseConfig(text, "/x/concord.yaml", options({ PGUSER: "sync", TAG: "eu", KEY: "unused" }));
    expect(config.hub).toBe("sqlite:/x/hub.db");
    expect(config.systems["crm"]?.options).toEqual({ url: "postgres://sync@localhost/crm", tags: ["eu"] });
    // Keys are names, not values: they are never expanded.
    expect(config.systems["shop"]?.options).toEqual({ headers: { "${KEY}": "unused" } });
  });

  test("that are unset are reported with the path and position of their value", () => {
    const issues = issuesOf(text, { TAG: "eu", KEY: "k" });
    expect(issues).toEqual([
      {
        path: "systems.crm.url",
        message: "environment variable PGUSER is not set (give a default with ${PGUSER:-default})",
        line: 3,
        col: 36,
      },
    ]);
  });

  test("never come from process.env", () => {
    process.env["CONCORD_CONFIG_TEST_VAR"] = "leaked";
    try {
      const issues = issuesOf('systems: { a: { connector: http, x: "${CONCORD_CONFIG_TEST_VAR}" } }\nentities: {}\n');
      expect(issues.map((i) => i.message)).toEqual([expect.stringContaining("CONCORD_CONFIG_TEST_VAR is not set")]);
    } finally {
      delete process.env["CONCORD_CONFIG_TEST_VAR"];
    }
  });
});

import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { parseConfig } from "../../src/config/load-config.js";
import { issuesOf, options } from "./config-fixtures.js";

describe("a broken config", () => {
  const broken = [
    "hub: mysql://x",
    "systems:",
    "  crm: { connector: sqlite, path: ./crm.db, journal: wal }",
    '  erp: { connector: oracle, url: "${ERP_URL}" }',
    "entities:",
    "  contact:",
    "    fields:",
    "      email: { type: string, requird: true }",
    "      tier: { type: enum }",
    "      plan: strin",
    "    match: [mail]",
    "    resolve: newst",
    "    priority: [crm, shop]",
    "    systems:",
    "      crm:",
    "        table: contacts",
    "        fields: { email: email, nope: x }",
    '        filter: "tier = "',
    "",
  ].join("\n");

  test("is refused with every problem, each at its file:line:col", () => {
    let error: unknown;
    try {
      parseConfig(broken, "concord.yaml", options());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message.split("\n")).toEqual([
      "concord.yaml:1:6 hub: expected sqlite:PATH or postgres://…",
      'concord.yaml:3:45 systems.crm.journal: unknown key "journal"',
      'concord.yaml:4:21 systems.erp.connector: unknown connector "oracle" (known: sqlite, postgres, mysql, http)',
      "concord.yaml:4:34 systems.erp.url: environment variable ERP_URL is not set (give a default with ${ERP_URL:-default})",
      'concord.yaml:8:30 entities.contact.fields.email.requird: unknown key "requird"',
      "concord.yaml:9:13 entities.contact.fields.tier: an enum field needs values: [A, B, …]",
      'concord.yaml:10:13 entities.contact.fields.plan: unknown field type "strin" (expected one of string, number, decimal, boolean, date, datetime, enum, json, ref)',
      'concord.yaml:11:13 entities.contact.match[0]: unknown field "mail" (not declared in entity contact)',
      'concord.yaml:12:14 entities.contact.resolve: Invalid option: expected one of "newest"|"priority"|"manual"',
      'concord.yaml:13:21 entities.contact.priority[1]: unknown system "shop" (systems: crm, erp)',
      "concord.yaml:15:7 entities.contact.systems.crm: a binding needs a key (the native key column)",
      'concord.yaml:17:33 entities.contact.systems.crm.fields.nope: unknown field "nope" (not declared in entity contact)',
      "concord.yaml:18:17 entities.contact.systems.crm.filter: invalid JSONata filter: Unexpected end of expression (at character 7)",
    ]);
  });

  test("with YAML syntax errors lists each one with its position", () => {
    const issues = issuesOf("systems:\n  crm: { connector: sqlite\nentities:\n  a: 1\n  a: 2\n");
    expect(issues.map((i) => i.line)).toEqual(expect.arrayContaining([3, 5]));
    expect(issues.find((i) => i.line === 5)?.message).toMatch(/unique/);
  });

  test("that is empty says so", () => {
    expect(issuesOf("# nothing yet\n")).toEqual([
      { path: "", message: "the config is empty: it needs systems and entities" },
    ]);
  });

  test("points a missing key at the nearest key that exists", () => {
    const issues = issuesOf("systems:\n  crm: { connector: sqlite, path: a.db }\n");
    expect(issues).toEqual([{ path: "entities", message: "is required", line: 1, col: 1 }]);
  });
});

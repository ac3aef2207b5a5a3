import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { issuesOf, options } from "./config-fixtures.js";

// A valid config whose parts the cases below replace one at a time.
const parts = {
  systems: "  a: { connector: sqlite, path: a.db }\n  b: { connector: sqlite, path: b.db }",
  fields:
    "      email: string\n      tier: { type: enum, values: [free, pro] }\n      total: decimal\n      born: date\n" +
    "      ssn: { type: string, sensitive: true, shareWith: [b] }",
  contact: "    match: [email]\n    owners: { email: a }\n    deletes: { from: [a] }\n    priority: [b, a]",
  bindingA: "table: contacts, key: id, fields: { email: email, tier: plan, total: amount, born: dob }",
  bindingB: "table: people, key: id, fields: { email: mail, ssn: ssn }",
  field: "",
  more: "",
};

function config(changes: Partial<typeof parts> = {}): string {
  const p = { ...parts, ...changes };
  return [
    "systems:",
    p.systems,
    "entities:",
    "  contact:",
    "    fields:",
    p.fields,
    p.field,
    p.contact,
    "    systems:",
    `      a: { ${p.bindingA} }`,
    `      b: { ${p.bindingB} }`,
    p.more,
    "",
  ]
    .filter((line, i, all) => line !== "" || i === all.length - 1)
    .join("\n");
}

/** The issues a changed config is refused with, as `path: message`. */
function problem(changes: Partial<typeof parts>): string[] {
  return issuesOf(config(changes)).map((i) => `${i.path}: ${i.message}`);
}

test("the base config of these cases is valid", () => {
  expect(() => parseConfig(config(), "concord.yaml", options())).not.toThrow();
});

describe("names that must exist", () => {
  test.each([
    [
      "priority",
      { contact: "    priority: [b, c]" },
      'entities.contact.priority[1]: unknown system "c" (systems: a, b)',
    ],
    ["owners", { contact: "    owners: { email: [a, c] }" }, 'entities.contact.owners.email[1]: unknown system "c"'],
    ["an owner's field", { contact: "    owners: { mail: a }" }, 'entities.contact.owners.mail: unknown field "mail"'],
    ["deletes.from", { contact: "    deletes: { from: [c] }" }, 'entities.contact.deletes.from[0]: unknown system "c"'],
    [
      "shareWith",
      { field: "      secret: { type: string, sensitive: true, shareWith: [c] }" },
      'entities.contact.fields.secret.shareWith[0]: unknown system "c"',
    ],
    [
      "a binding's system",
      { more: "      c: { table: t, key: id, fields: {} }" },
      'entities.contact.systems.c: unknown system "c"',
    ],
    ["a match field", { contact: "    match: [mail]" }, 'entities.contact.match[0]: unknown field "mail"'],
    [
      "a match alternative's field",
      { contact: "    match: [[email], [ssn, born2]]" },
      'entities.contact.match[1][1]: unknown field "born2"',
    ],
    [
      "a mapped field",
      { bindingB: "table: p, key: id, fields: { mail: mail }" },
      'entities.contact.systems.b.fields.mail: unknown field "mail"',
    ],
    [
      "a referenced entity",
      { more: "  order:\n    fields: { customer: { type: ref, entity: client } }\n    systems: {}" },
      'entities.order.fields.customer.entity: unknown entity "client" (entities: contact, order)',
    ],
  ])("%s", (_what, changes, expected) => {
    expect(problem(changes)).toEqual([expect.stringContaining(expected)]);
  });
});

describe("fields and mappings", () => {
  test.each([
    [
      "an enum without values",
      { field: "      status: enum" },
      "entities.contact.fields.status: an enum field needs values",
    ],
    ["a ref without entity", { field: "      owner: ref" }, "entities.contact.fields.owner: a ref field needs entity"],
    [
      "values on a non-enum",
      { field: "      code: { type: string, values: [x] }" },
      "fields.code.values: values apply only to enum fields",
    ],
    [
      "format on a non-string",
      { field: "      count: { type: number, format: email }" },
      "fields.count.format: format applies only to string",
    ],
    [
      "shareWith on a field that is not sensitive",
      { field: "      note: { type: string, shareWith: [a] }" },
      "shareWith applies only to sensitive fields",
    ],
    [
      "a map target that is not an enum value",
      { bindingA: "table: t, key: id, fields: { tier: { column: plan, map: { F: free, G: gold } } }" },
      'entities.contact.systems.a.fields.tier.map.G: "gold" is not a value of enum field tier (free, pro)',
    ],
    [
      "a date format on a field that is not a date",
      { bindingA: 'table: t, key: id, fields: { email: { column: e, format: "MM/dd" } }' },
      "entities.contact.systems.a.fields.email.format: format applies only to date and datetime fields",
    ],
    [
      "an unknown named transform",
      { bindingA: "table: t, key: id, fields: { total: { column: c, transform: pennies } }" },
      'entities.contact.systems.a.fields.total.transform: unknown transform "pennies" (known: cents)',
    ],
    [
      "cents on a string field",
      { bindingA: "table: t, key: id, fields: { email: { column: c, transform: cents } }" },
      "fields.email.transform: transform cents applies only to decimal and number fields, not string",
    ],
    [
      "a JSONata transform that does not parse",
      { bindingA: 'table: t, key: id, fields: { total: { column: c, transform: { in: "$ * ", out: "$" } } }' },
      "entities.contact.systems.a.fields.total.transform.in: invalid JSONata expression: ",
    ],
    [
      "a JSONata filter that does not parse",
      { bindingA: 'table: t, key: id, filter: "tier = (", fields: {}' },
      "entities.contact.systems.a.filter: invalid JSONata filter: ",
    ],
    [
      "a mapping with neither column nor path",
      { bindingA: "table: t, key: id, fields: { email: { map: {} } }" },
      "fields.email: a mapping needs a column or a path",
    ],
    [
      "match mixing names and lists",
      { contact: "    match: [email, [born]]" },
      "entities.contact.match: mixes field names and lists",
    ],
  ])("%s", (_what, changes, expected) => {
    expect(problem(changes)).toEqual([expect.stringContaining(expected)]);
  });
});

describe("bindings and systems", () => {
  test.each([
    [
      "a binding without key",
      { bindingA: "table: t, fields: {}" },
      "entities.contact.systems.a: a binding needs a key",
    ],
    [
      "a binding without table",
      { bindingA: "key: id, fields: {}" },
      "entities.contact.systems.a: a binding needs a table (or resource)",
    ],
    [
      "both table and resource",
      { bindingA: "table: t, resource: t, key: id, fields: {}" },
      "systems.a.resource: resource is another name for table",
    ],
    [
      "a misspelt binding key",
      { bindingA: "tabel: t, table: t, key: id, fields: {}" },
      'entities.contact.systems.a.tabel: unknown key "tabel"',
    ],
    [
      "an unknown connector kind",
      { systems: "  a: { connector: oracle }\n  b: { connector: sqlite, path: b.db }" },
      'systems.a.connector: unknown connector "oracle" (known: sqlite, postgres, mysql, http)',
    ],
    [
      "connector options missing",
      { systems: "  a: { connector: sqlite }\n  b: { connector: sqlite, path: b.db }" },
      "systems.a.path: is required",
    ],
    [
      "connector options invalid",
      { systems: "  a: { connector: sqlite, path: a.db, capture: poll }\n  b: { connector: sqlite, path: b.db }" },
      'systems.a.capture: Invalid input: expected "trigger"',
    ],
  ])("%s", (_what, changes, expected) => {
    expect(problem(changes)).toEqual([expect.stringContaining(expected)]);
  });

  test("a hub that is neither sqlite nor postgres", () => {
    const issues = issuesOf(`hub: mongodb://x\n${config()}`);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual(["hub: expected sqlite:PATH or postgres://…"]);
  });
});

describe("references between entities", () => {
  const entity = (name: string, target: string): string =>
    `  ${name}:\n    fields: { other: { type: ref, entity: ${target} } }\n    systems: {}`;

  test("a cycle is refused, named along its way", () => {
    const issues = issuesOf(config({ more: [entity("order", "invoice"), entity("invoice", "order")].join("\n") }));
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "entities.order.fields.other.entity: reference cycle: order → invoice → order",
    ]);
    expect(issues[0]?.line).toBe(20);
  });

  test("a self-reference is refused too", () => {
    const issues = issuesOf(config({ more: entity("person", "person") }));
    expect(issues.map((i) => i.message)).toEqual([
      "reference cycle: person → person (self-references are not supported yet)",
    ]);
  });
});

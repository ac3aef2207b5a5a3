import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { FieldMapping } from "../../src/config/model.js";
import { normalizeDecimal } from "../../src/core/decimal.js";
import { mapIn, mapOut } from "../../src/core/mapping.js";
import type { Fields, Value } from "../../src/core/types.js";
import { binding, entity, field } from "./core-field-fixtures.js";

const TIERS = ["free", "pro", "enterprise"] as const;
const cents = { kind: "named", name: "cents" } as const;

/** Canonical values of each type, as the hub holds them. */
const dates = fc.date({
  min: new Date("0001-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true,
});
const laterDates = fc.date({
  min: new Date("1000-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true,
});
const canonical = {
  string: fc.string(),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d + 0),
  decimal: fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }))
    .map(([unscaled, places]) => normalizeDecimal(`${unscaled}e-${places}`) ?? "0"),
  boolean: fc.boolean(),
  date: dates.map((d) => d.toISOString().slice(0, 10)),
  datetime: dates.map((d) => d.toISOString()),
  enum: fc.constantFrom(...TIERS),
  json: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as Value),
  ref: fc.string({ minLength: 1 }),
  centsDecimal: fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map((n) => normalizeDecimal(`${n}e-2`) ?? "0"),
  centsNumber: fc.integer({ min: -1e12, max: 1e12 }).map((n) => n / 100 + 0),
  integer: fc.integer(),
  laterDate: laterDates.map((d) => d.toISOString().slice(0, 10)),
  laterDatetime: laterDates.map((d) => d.toISOString()),
};

/** One field per combination of type and mapping kind: [field, type, values, mapping]. */
const cases = [
  ["s", "string", canonical.string, { column: "s" }],
  ["n", "number", canonical.number, { column: "n" }],
  ["d", "decimal", canonical.decimal, { column: "d" }],
  ["b", "boolean", canonical.boolean, { column: "b" }],
  ["dt", "date", canonical.date, { column: "dt" }],
  ["ts", "datetime", canonical.datetime, { column: "ts" }],
  ["e", "enum", canonical.enum, { column: "e" }],
  ["j", "json", canonical.json, { column: "j" }],
  ["r", "ref", canonical.ref, { column: "r" }],
  ["ps", "string", canonical.string, { column: "p.s", path: "p.s" }],
  ["pn", "number", canonical.number, { column: "p.deep.n", path: "p.deep.n" }],
  ["pj", "json", canonical.json, { column: "p.j", path: "p.j" }],
  ["me", "enum", canonical.enum, { column: "me", map: { FREE: "free", PRO: "pro", ENT: "enterprise" } }],
  ["mb", "boolean", canonical.boolean, { column: "mb", map: { Y: true, N: false } }],
  ["mn", "boolean", canonical.boolean, { column: "mn", map: { "1": true, "0": false, "-": null } }],
  ["cd", "decimal", canonical.centsDecimal, { column: "cd", transform: cents }],
  ["cn", "number", canonical.centsNumber, { column: "cn", transform: cents }],
  [
    "js",
    "string",
    canonical.string,
    {
      column: "js",
      transform: { kind: "jsonata", in: "$substringAfter($, 'ID-')", out: "$exists($) ? 'ID-' & $ : null" },
    },
  ],
  [
    "jn",
    "number",
    canonical.integer,
    { column: "jn", transform: { kind: "jsonata", in: "$number($)", out: "$string($)" } },
  ],
  ["fd", "date", canonical.laterDate, { column: "fd", format: "MM/dd/yyyy" }],
  ["ft", "datetime", canonical.laterDatetime, { column: "ft", format: "dd.MM.yyyy HH:mm:ss.SSS" }],
] as const;

const record = entity(cases.map(([name, type]) => field(name, type, type === "enum" ? { values: TIERS } : {})));
const mapped = binding(cases.map(([name, , , mapping]): FieldMapping => ({ field: name, ...mapping })));
const records = fc.record(
  Object.fromEntries(cases.map(([name, , values]) => [name, fc.option(values as fc.Arbitrary<Value>, { nil: null })])),
) as fc.Arbitrary<Fields>;

describe("mapIn(mapOut(fields)) gives the fields back", () => {
  test.prop([records], { numRuns: 200 })(
    "for every type, path, map, cents, JSONata and format mapping",
    async (fields) => {
      const row = await mapOut(record, mapped, fields);
      expect(await mapIn(record, mapped, row)).toEqual({ fields, errors: [] });
    },
  );

  test.prop([records], { numRuns: 100 })("also after the row travels as JSON (a REST API)", async (fields) => {
    const row = JSON.parse(JSON.stringify(await mapOut(record, mapped, fields))) as Record<string, unknown>;
    expect(await mapIn(record, mapped, row)).toEqual({ fields, errors: [] });
  });
});

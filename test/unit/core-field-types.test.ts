import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { FieldDef, FieldType } from "../../src/config/model.js";
import { canonicalize, validateFields } from "../../src/core/field-types.js";
import { entity, field } from "./core-field-fixtures.js";

const tier = field("tier", "enum", { values: ["free", "pro"] });

function ok(def: FieldDef | FieldType, raw: unknown): unknown {
  const result = canonicalize(typeof def === "string" ? field("f", def) : def, raw);
  if (!result.ok) throw new Error(`expected ${String(raw)} to be accepted: ${result.message}`);
  return result.value;
}

function refused(def: FieldDef | FieldType, raw: unknown): string {
  const result = canonicalize(typeof def === "string" ? field("f", def) : def, raw);
  if (result.ok) throw new Error(`expected ${String(raw)} to be refused, got ${JSON.stringify(result.value)}`);
  return result.message;
}

describe("canonicalize", () => {
  const types: FieldType[] = ["number", "decimal", "boolean", "date", "datetime", "enum", "json", "ref"];
  it.each(types)("%s: null, undefined and the empty string are null", (type) => {
    for (const raw of [null, undefined, ""]) expect(ok(type === "enum" ? tier : type, raw)).toBeNull();
  });

  it("string: keeps text as it is, empty included; stringifies numbers", () => {
    expect(ok("string", "")).toBe("");
    expect(ok("string", "  a  b ")).toBe("  a  b ");
    expect(ok("string", 12.5)).toBe("12.5");
    expect(ok("string", 10n ** 20n)).toBe("100000000000000000000");
    expect(ok("string", null)).toBeNull();
    refused("string", { a: 1 });
  });

  it("number: numbers and numeric strings; NaN and junk refused", () => {
    expect(ok("number", 12.5)).toBe(12.5);
    expect(ok("number", " 7 ")).toBe(7);
    expect(ok("number", "-1.5e2")).toBe(-150);
    expect(ok("number", 42n)).toBe(42);
    expect(Object.is(ok("number", -0), 0)).toBe(true);
    for (const raw of [Number.NaN, Number.POSITIVE_INFINITY, "abc", "12px", "0x10", true, 2n ** 60n, [1]]) {
      refused("number", raw);
    }
  });

  it("decimal: exact normalized strings, never through a float", () => {
    expect(ok("decimal", "12.50")).toBe("12.5");
    expect(ok("decimal", "-0.0")).toBe("0");
    expect(ok("decimal", "1e3")).toBe("1000");
    expect(ok("decimal", "0.1000000000000000000000000001")).toBe("0.1000000000000000000000000001");
    expect(ok("decimal", 0.1)).toBe("0.1");
    expect(ok("decimal", 1e21)).toBe("1000000000000000000000");
    expect(ok("decimal", 12345678901234567890n)).toBe("12345678901234567890");
    for (const raw of ["abc", "1,5", Number.NaN, true, {}]) refused("decimal", raw);
  });

  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ["1", true],
    ["0", false],
    ["true", true],
    ["FALSE", false],
    ["t", true],
    ["f", false],
    ["Yes", true],
    ["no", false],
    [1n, true],
  ])("boolean: %s → %s", (raw, expected) => {
    expect(ok("boolean", raw)).toBe(expected);
  });

  it("boolean: other values refused", () => {
    for (const raw of [2, "maybe", "y", {}]) refused("boolean", raw);
  });

  it("date: Date → UTC date; strings validated; datetime strings → their date part", () => {
    expect(ok("date", new Date(Date.UTC(2024, 0, 2, 23, 59)))).toBe("2024-01-02");
    expect(ok("date", "2024-02-29")).toBe("2024-02-29");
    expect(ok("date", "2024-01-02T23:30:00-05:00")).toBe("2024-01-02");
    expect(ok("date", "2024-01-02 10:00:00")).toBe("2024-01-02");
    expect(ok("date", "0099-01-01")).toBe("0099-01-01");
    for (const raw of ["2023-02-29", "2023-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "02/01/2024", 5]) {
      refused("date", raw);
    }
    refused("date", "2024-01-02T25:00:00");
    refused("date", new Date(Number.NaN));
  });

  it("datetime: Dates, ISO with or without zone (UTC), SQL style, epoch ms → ISO UTC with ms", () => {
    const expected = "2024-01-02T03:04:05.000Z";
    expect(ok("datetime", new Date(expected))).toBe(expected);
    expect(ok("datetime", "2024-01-02T03:04:05Z")).toBe(expected);
    expect(ok("datetime", "2024-01-02T03:04:05")).toBe(expected);
    expect(ok("datetime", "2024-01-02 03:04:05")).toBe(expected);
    expect(ok("datetime", "2024-01-02 05:04:05+02")).toBe(expected);
    expect(ok("datetime", "2024-01-02T00:04:05-03:00")).toBe(expected);
    expect(ok("datetime", "2024-01-02T05:34:05+0230")).toBe(expected);
    expect(ok("datetime", Date.parse(expected))).toBe(expected);
    expect(ok("datetime", "2024-01-02T03:04:05.123456Z")).toBe("2024-01-02T03:04:05.123Z");
    expect(ok("datetime", "2024-01-02T03:04")).toBe("2024-01-02T03:04:00.000Z");
    expect(ok("datetime", "2024-01-02")).toBe("2024-01-02T00:00:00.000Z");
    for (const raw of [
      "2024-01-02T24:00:00",
      "2024-01-02T03:60",
      "2023-02-29T00:00",
      "yesterday",
      "1700000000",
      true,
    ]) {
      refused("datetime", raw);
    }
    refused("datetime", "2024-01-02T03:04:05+25:00");
    refused("datetime", 1e20);
  });

  it("enum: one of the values; the message lists them", () => {
    expect(ok(tier, "pro")).toBe("pro");
    expect(refused(tier, "PRO")).toBe('tier: "PRO" is not one of free, pro');
  });

  it("json: strings are parsed, objects kept as plain JSON", () => {
    expect(ok("json", '{"a":[1,true,null]}')).toEqual({ a: [1, true, null] });
    expect(ok("json", '"abc"')).toBe("abc");
    expect(ok("json", "123")).toBe(123);
    expect(ok("json", { a: 1, at: new Date("2024-01-02T00:00:00Z"), gone: undefined })).toEqual({
      a: 1,
      at: "2024-01-02T00:00:00.000Z",
    });
    expect(ok("json", [1, "x"])).toEqual([1, "x"]);
    expect(ok("json", 3)).toBe(3);
    refused("json", "{not json");
    refused("json", { big: 1n });
  });

  it("ref: strings and numbers become the string of the key", () => {
    expect(ok("ref", 42)).toBe("42");
    expect(ok("ref", 42n)).toBe("42");
    expect(ok("ref", "c-1")).toBe("c-1");
    refused("ref", { id: 1 });
  });

  it("names the field and the value in messages, but never a sensitive value", () => {
    expect(refused(field("birthDate", "date"), "2023-02-30")).toBe(
      'birthDate: "2023-02-30" is not a valid date (YYYY-MM-DD)',
    );
    const message = refused(field("salary", "decimal", { sensitive: true }), "ninety thousand");
    expect(message).toContain("salary");
    expect(message).toContain("(redacted)");
    expect(message).not.toContain("ninety");
  });

  const canonicalValues: [FieldType, fc.Arbitrary<unknown>][] = [
    ["string", fc.string()],
    ["number", fc.double({ noNaN: true, noDefaultInfinity: true })],
    [
      "decimal",
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.bigInt(),
        fc.stringMatching(/^-?\d{1,20}(\.\d{1,20})?$/),
      ),
    ],
    ["boolean", fc.oneof(fc.boolean(), fc.constantFrom("yes", "0", "T"))],
    ["date", fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true })],
    ["datetime", fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true })],
    ["json", fc.jsonValue()],
    ["ref", fc.oneof(fc.string({ minLength: 1 }), fc.integer())],
  ];
  for (const [type, arbitrary] of canonicalValues) {
    // The engine re-canonicalizes defaults and hub values: canonical values must be fixed points.
    test.prop([arbitrary])(`${type}: a canonical value canonicalizes to itself`, (raw) => {
      const def = field("f", type);
      const first = canonicalize(def, type === "json" ? JSON.stringify(raw) : raw);
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      // A string given for a json field is JSON text (see json below), so a JSON string value goes in encoded.
      const again = type === "json" && typeof first.value === "string" ? JSON.stringify(first.value) : first.value;
      expect(canonicalize(def, again)).toEqual(first);
    });
  }
});

describe("validateFields", () => {
  const contact = entity([
    field("email", "string", { required: true, format: "email" }),
    field("phone", "string", { format: "phone" }),
    field("site", "string", { format: "url" }),
    field("ssn", "string", { format: "phone", sensitive: true }),
    field("age", "number"),
  ]);

  it("accepts a valid record", () => {
    const fields = { email: "a.b+c@example.co.uk", phone: "+49 (30) 123-4567", site: "https://x.example/a?b=1" };
    expect(validateFields(contact, fields)).toEqual([]);
  });

  it("reports a required field present as null or empty, and absent ones only with requireAll", () => {
    expect(validateFields(contact, { email: null })).toEqual([
      { field: "email", message: "email: is required but missing" },
    ]);
    expect(validateFields(contact, { email: "" })).toHaveLength(1);
    expect(validateFields(contact, { age: 3 })).toEqual([]);
    expect(validateFields(contact, { age: 3 }, { requireAll: true })).toEqual([
      { field: "email", message: "email: is required but missing" },
    ]);
  });

  it.each(["plain", "a@b", "a b@example.com", "a@example..com", "a@-example.com", "@example.com", "a@@example.com"])(
    "refuses the e-mail address %j",
    (email) => {
      expect(validateFields(contact, { email })).toEqual([
        { field: "email", message: `email: ${JSON.stringify(email)} is not a valid e-mail address` },
      ]);
    },
  );

  it("accepts international e-mail domains", () => {
    expect(validateFields(contact, { email: "jürgen@müller.de" })).toEqual([]);
  });

  it("checks phones (7 digits at least) and URLs", () => {
    expect(validateFields(contact, { phone: "12-34-56" })[0]?.message).toBe(
      'phone: "12-34-56" is not a valid phone number (fewer than 7 digits)',
    );
    expect(validateFields(contact, { site: "example.com/x" })[0]?.message).toBe(
      'site: "example.com/x" is not a valid URL',
    );
    expect(validateFields(contact, { phone: null, site: null })).toEqual([]);
  });

  it("keeps sensitive values out of the messages", () => {
    const [issue] = validateFields(contact, { ssn: "078-05" });
    expect(issue?.field).toBe("ssn");
    expect(issue?.message).toContain("(redacted)");
    expect(issue?.message).not.toContain("078");
  });
});

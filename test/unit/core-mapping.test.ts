import { describe, expect, it } from "vitest";
import type { FieldMapping } from "../../src/config/model.js";
import { ConcordError } from "../../src/core/errors.js";
import { bindingColumns, mapIn, mapOut } from "../../src/core/mapping.js";
import { binding, entity, field } from "./core-field-fixtures.js";

const contact = entity([
  field("email", "string", { required: true, format: "email" }),
  field("firstName", "string"),
  field("fullName", "string"),
  field("birthDate", "date"),
  field("seenAt", "datetime"),
  field("tier", "enum", { values: ["free", "pro", "enterprise"] }),
  field("active", "boolean"),
  field("total", "decimal"),
  field("score", "number"),
  field("company", "ref", { entity: "company" }),
  field("ssn", "string", { sensitive: true }),
  field("code", "string", { sensitive: true }),
  field("extra", "json"),
]);

const TIER = { FREE: "free", PRO: "pro", ENT: "enterprise" } as const;

async function errorOf(run: Promise<unknown>): Promise<ConcordError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof ConcordError) return err;
    throw err;
  }
  throw new Error("expected a ConcordError");
}

describe("mapIn", () => {
  it("renames columns and coerces to each field's type; only mapped fields appear", async () => {
    const b = binding([
      { field: "email", column: "email_addr" },
      { field: "total", column: "amount" },
      { field: "active", column: "is_active" },
      { field: "company", column: "company_id" },
    ]);
    const row = { id: 1, email_addr: "a@b.example", amount: "12.50", is_active: 1, company_id: 42, other: "x" };
    expect(await mapIn(contact, b, row)).toEqual({
      fields: { email: "a@b.example", total: "12.5", active: true, company: "42" },
      errors: [],
    });
  });

  it("reads dotted paths into nested objects; a missing branch is null", async () => {
    const b = binding([
      { field: "firstName", column: "properties.first_name", path: "properties.first_name" },
      { field: "email", column: "contact.email", path: "contact.email" },
    ]);
    expect((await mapIn(contact, b, { properties: { first_name: "Ann" } })).fields).toEqual({
      firstName: "Ann",
      email: null,
    });
  });

  it("uses a column given together with a path (the column wins)", async () => {
    const b = binding([{ field: "firstName", column: "fname", path: "properties.first_name" }]);
    expect((await mapIn(contact, b, { fname: "Ann", properties: { first_name: "Bob" } })).fields).toEqual({
      firstName: "Ann",
    });
  });

  it("maps native codes; unknown codes are errors naming the field and value", async () => {
    const b = binding([
      { field: "tier", column: "plan", map: TIER },
      { field: "active", column: "status", map: { A: true, I: false, "-": null } },
    ]);
    expect(await mapIn(contact, b, { plan: "ENT", status: "I" })).toEqual({
      fields: { tier: "enterprise", active: false },
      errors: [],
    });
    expect((await mapIn(contact, b, { plan: null, status: "-" })).fields).toEqual({ tier: null, active: null });
    expect(await mapIn(contact, b, { plan: "GOLD", status: "A" })).toEqual({
      fields: { active: true },
      errors: [{ field: "tier", message: 'tier: no mapping for native value "GOLD" (known: FREE, PRO, ENT)' }],
    });
  });

  it("maps a missing native value through a 'null' code when there is one", async () => {
    const b = binding([{ field: "tier", column: "plan", map: { null: "free", P: "pro" } }]);
    expect((await mapIn(contact, b, { plan: null })).fields).toEqual({ tier: "free" });
    expect((await mapIn(contact, b, {})).fields).toEqual({ tier: "free" });
  });

  it("maps numeric codes by their string", async () => {
    const b = binding([{ field: "tier", column: "plan", map: { "1": "free", "2": "pro" } }]);
    expect((await mapIn(contact, b, { plan: 2 })).fields).toEqual({ tier: "pro" });
  });

  it("turns integer cents into an exact decimal", async () => {
    const b = binding([{ field: "total", column: "total_cents", transform: { kind: "named", name: "cents" } }]);
    expect((await mapIn(contact, b, { total_cents: 1234 })).fields).toEqual({ total: "12.34" });
    expect((await mapIn(contact, b, { total_cents: -5 })).fields).toEqual({ total: "-0.05" });
    expect((await mapIn(contact, b, { total_cents: "900" })).fields).toEqual({ total: "9" });
    expect((await mapIn(contact, b, { total_cents: null })).fields).toEqual({ total: null });
    expect((await mapIn(contact, b, { total_cents: 12.5 })).errors).toEqual([
      { field: "total", message: "total: 12.5 is not a whole number of cents" },
    ]);
  });

  it("runs a JSONata `in` transform on the native value, with the row as $row", async () => {
    const b = binding([
      { field: "fullName", column: "first", transform: { kind: "jsonata", in: "$ & ' ' & $row.last" } },
      { field: "email", column: "mail", transform: { kind: "jsonata", in: "$lowercase($)" } },
    ]);
    expect((await mapIn(contact, b, { first: "Ann", last: "Lee", mail: "A@B.EXAMPLE" })).fields).toEqual({
      fullName: "Ann Lee",
      email: "a@b.example",
    });
    expect((await mapIn(contact, b, { first: "Ann", last: "Lee", mail: null })).fields["email"]).toBeNull();
  });

  it("reports a failing transform as an error of its field; others still map", async () => {
    const b = binding([
      { field: "score", column: "s", transform: { kind: "jsonata", in: "$ + 'x'" } },
      { field: "firstName", column: "f" },
    ]);
    const { fields, errors } = await mapIn(contact, b, { s: 1, f: "Ann" });
    expect(fields).toEqual({ firstName: "Ann" });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe("score");
    expect(errors[0]?.message).toMatch(/^score: expression "\$ \+ 'x'": position \d+: /);
  });

  it("parses text dates with a Luxon format (UTC)", async () => {
    const b = binding([
      { field: "birthDate", column: "dob", format: "MM/dd/yyyy" },
      { field: "seenAt", column: "seen", format: "dd.MM.yyyy HH:mm" },
    ]);
    expect((await mapIn(contact, b, { dob: "01/02/2024", seen: "31.12.2023 23:59" })).fields).toEqual({
      birthDate: "2024-01-02",
      seenAt: "2023-12-31T23:59:00.000Z",
    });
    const { errors } = await mapIn(contact, b, { dob: "2024-01-02", seen: null });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^birthDate: "2024-01-02" does not match format "MM\/dd\/yyyy" \(.+\)$/);
  });

  it("refuses impossible dates even when they match the format", async () => {
    const b = binding([{ field: "birthDate", column: "dob", format: "MM/dd/yyyy" }]);
    expect((await mapIn(contact, b, { dob: "02/30/2023" })).errors[0]?.field).toBe("birthDate");
  });

  it("uses the default when the native value is missing or null, and only then", async () => {
    const b = binding([
      { field: "tier", column: "plan", default: "free" },
      { field: "total", column: "amount", default: 0 },
      { field: "extra", column: "extra", default: "none" },
    ]);
    expect((await mapIn(contact, b, { plan: null })).fields).toEqual({ tier: "free", total: "0", extra: "none" });
    expect((await mapIn(contact, b, { plan: "pro", amount: "3.10", extra: "[1]" })).fields).toEqual({
      tier: "pro",
      total: "3.1",
      extra: [1],
    });
  });

  it("reports values that do not fit the type, naming field and value", async () => {
    const b = binding([
      { field: "birthDate", column: "dob" },
      { field: "ssn", column: "ssn" },
      { field: "code", column: "code", map: { A: "a" } },
    ]);
    const { errors } = await mapIn(contact, b, { dob: "2023-02-30", ssn: "078-05-1120", code: "secret-Z" });
    expect(errors).toEqual([
      { field: "birthDate", message: 'birthDate: "2023-02-30" is not a valid date (YYYY-MM-DD)' },
      { field: "code", message: "code: no mapping for native value (redacted)" },
    ]);
  });

  it("keeps sensitive values out of transform errors", async () => {
    const b = binding([{ field: "ssn", column: "ssn", transform: { kind: "jsonata", in: "$number($)" } }]);
    const { errors } = await mapIn(contact, b, { ssn: "078-05-1120" });
    expect(errors).toEqual([{ field: "ssn", message: "ssn: transform failed (details redacted)" }]);
  });
});

describe("mapOut", () => {
  it("writes the fields present, by native column, and skips the rest", async () => {
    const b = binding([
      { field: "email", column: "email_addr" },
      { field: "firstName", column: "fname" },
    ]);
    expect(await mapOut(contact, b, { email: "a@b.example", score: 3 })).toEqual({ email_addr: "a@b.example" });
    expect(await mapOut(contact, b, { firstName: null })).toEqual({ fname: null });
  });

  it("inverts maps (the first code wins) and refuses a value without a code", async () => {
    const b = binding([{ field: "tier", column: "plan", map: { FREE: "free", F: "free", PRO: "pro" } }]);
    expect(await mapOut(contact, b, { tier: "free" })).toEqual({ plan: "FREE" });
    expect(await mapOut(contact, b, { tier: null })).toEqual({ plan: null });
    const err = await errorOf(mapOut(contact, b, { tier: "enterprise" }));
    expect(err.code).toBe("mapping");
    expect(err.message).toBe('tier: no native code in crm for value "enterprise"');
  });

  it("writes a 'null' code as null, and null through a code that maps to null", async () => {
    const b = binding([{ field: "active", column: "status", map: { A: true, "-": null, null: false } }]);
    expect(await mapOut(contact, b, { active: null })).toEqual({ status: "-" });
    expect(await mapOut(contact, b, { active: false })).toEqual({ status: null });
  });

  it("turns decimals into integer cents, refusing fractions of a cent", async () => {
    const b = binding([{ field: "total", column: "total_cents", transform: { kind: "named", name: "cents" } }]);
    expect(await mapOut(contact, b, { total: "12.34" })).toEqual({ total_cents: 1234 });
    expect(await mapOut(contact, b, { total: "-0.05" })).toEqual({ total_cents: -5 });
    expect(await mapOut(contact, b, { total: "123456789012345678.9" })).toEqual({
      total_cents: "12345678901234567890",
    });
    const err = await errorOf(mapOut(contact, b, { total: "12.345" }));
    expect(err.code).toBe("mapping");
    expect(err.message).toBe('total: "12.345" cannot be written as whole cents');
  });

  it("runs a JSONata `out` transform with the canonical fields as $fields", async () => {
    const b = binding([
      { field: "fullName", column: "display", transform: { kind: "jsonata", out: "$ & ' <' & $fields.email & '>'" } },
    ]);
    expect(await mapOut(contact, b, { fullName: "Ann Lee", email: "a@b.example" })).toEqual({
      display: "Ann Lee <a@b.example>",
    });
  });

  it("formats dates and datetimes as text", async () => {
    const b = binding([
      { field: "birthDate", column: "dob", format: "MM/dd/yyyy" },
      { field: "seenAt", column: "seen", format: "d LLL yyyy HH:mm:ss" },
    ]);
    expect(await mapOut(contact, b, { birthDate: "2024-01-02", seenAt: "2024-03-04T05:06:07.000Z" })).toEqual({
      dob: "01/02/2024",
      seen: "4 Mar 2024 05:06:07",
    });
  });

  it("builds nested objects for paths, sharing parents", async () => {
    const b = binding([
      { field: "firstName", column: "properties.first_name", path: "properties.first_name" },
      { field: "email", column: "properties.contact.email", path: "properties.contact.email" },
      { field: "score", column: "score" },
    ]);
    expect(await mapOut(contact, b, { firstName: "Ann", email: "a@b.example", score: 2 })).toEqual({
      properties: { first_name: "Ann", contact: { email: "a@b.example" } },
      score: 2,
    });
  });

  it("passes ref fields through (already the target's key)", async () => {
    const b = binding([{ field: "company", column: "company_id" }]);
    expect(await mapOut(contact, b, { company: "77" })).toEqual({ company_id: "77" });
  });
});

describe("bindingColumns", () => {
  it("lists the key, the columns and the first segment of each path, once each", () => {
    const fields: FieldMapping[] = [
      { field: "email", column: "email_addr" },
      { field: "firstName", column: "properties.first_name", path: "properties.first_name" },
      { field: "fullName", column: "properties.full", path: "properties.full" },
      { field: "score", column: "id" },
    ];
    expect(bindingColumns(binding(fields))).toEqual(["id", "email_addr", "properties"]);
  });
});

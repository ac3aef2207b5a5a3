import { describe, expect, it } from "vitest";
import { matchKeys, normalizeForMatch } from "../../src/core/normalize.js";
import { entity, field } from "./core-field-fixtures.js";

const email = field("email", "string", { format: "email" });
const phone = field("phone", "string", { format: "phone" });
const name = field("name", "string");

describe("normalizeForMatch", () => {
  it.each([
    ["  MailTo:John.Doe@Example.COM ", "john.doe@example.com"],
    ["JANE@example.org", "jane@example.org"],
    ["   ", null],
    ["mailto:", null],
  ])("e-mail %j → %j", (input, expected) => {
    expect(normalizeForMatch(email, input)).toBe(expected);
  });

  it.each([
    ["+1 (555) 010-0000", "+15550100000"],
    ["0049 30 1234567", "+49301234567"],
    ["+49 30 1234567", "+49301234567"],
    ["030/123 45 67", "0301234567"],
    ["n/a", null],
  ])("phone %j → %j", (input, expected) => {
    expect(normalizeForMatch(phone, input)).toBe(expected);
  });

  it("trims, collapses whitespace and lower-cases text", () => {
    expect(normalizeForMatch(name, "  John \t\n Smith  ")).toBe("john smith");
    expect(normalizeForMatch(name, "   ")).toBeNull();
    expect(normalizeForMatch(name, "")).toBeNull();
    expect(normalizeForMatch(name, null)).toBeNull();
  });

  it("gives composed and decomposed accents the same key", () => {
    expect(normalizeForMatch(name, "Jose\u0301")).toBe(normalizeForMatch(name, "Jos\u00e9"));
  });

  it("keeps non-text canonical values as they are", () => {
    expect(normalizeForMatch(field("born", "date"), "2024-01-02")).toBe("2024-01-02");
    expect(normalizeForMatch(field("tier", "enum", { values: ["Pro", "pro"] }), "Pro")).toBe("Pro");
    expect(normalizeForMatch(field("n", "number"), 12.5)).toBe("12.5");
    expect(normalizeForMatch(field("b", "boolean"), false)).toBe("false");
    expect(normalizeForMatch(field("j", "json"), { b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});

describe("matchKeys", () => {
  const contact = entity([email, name, field("born", "date")], [["email"], ["name", "born"]]);

  it("gives one key per alternative whose parts are all present", () => {
    expect(matchKeys(contact, { email: " A@B.example ", name: "Ann  Lee", born: "1990-05-06" })).toEqual([
      '0#["a@b.example"]',
      '1#["ann lee","1990-05-06"]',
    ]);
    expect(matchKeys(contact, { email: "a@b.example", name: "Ann Lee", born: null })).toEqual(['0#["a@b.example"]']);
    expect(matchKeys(contact, { name: "Ann Lee", born: "1990-05-06" })).toEqual(['1#["ann lee","1990-05-06"]']);
    expect(matchKeys(contact, { email: "  " })).toEqual([]);
  });

  it("gives the same key to two spellings of the same person", () => {
    const a = matchKeys(contact, { email: "mailto:Ann@Example.com" });
    const b = matchKeys(contact, { email: "ann@example.COM" });
    expect(a).toEqual(b);
  });

  it("keeps parts apart however they are spelled", () => {
    const pair = entity([field("a", "string"), field("b", "string")], [["a", "b"]]);
    expect(matchKeys(pair, { a: "x y", b: "z" })).not.toEqual(matchKeys(pair, { a: "x", b: "y z" }));
    expect(matchKeys(pair, { a: 'x","y', b: "z" })).not.toEqual(matchKeys(pair, { a: "x", b: 'y","z' }));
  });
});

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { Value } from "../../src/core/types.js";
import { encodeValue, valuesEqual } from "../../src/core/values.js";

/** The same value with every object's keys in reverse order. */
function reversed(v: Value): Value {
  if (Array.isArray(v)) return v.map(reversed);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.keys(v)
      .reverse()
      .map((k) => [k, reversed(v[k] ?? null)]),
  );
}

describe("encodeValue", () => {
  it("sorts object keys at every level", () => {
    expect(encodeValue({ b: 1, a: { d: [{ z: 1, y: 2 }], c: "x" } })).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
  });

  it("encodes scalars as JSON and undefined as null", () => {
    expect([encodeValue('a"b'), encodeValue(1.5), encodeValue(true), encodeValue(null)]).toEqual([
      '"a\\"b"',
      "1.5",
      "true",
      "null",
    ]);
    expect(encodeValue(undefined)).toBe("null");
  });

  test.prop([fc.jsonValue()])("encodes equal values equally whatever their key order", (v) => {
    const value = v as Value;
    expect(encodeValue(reversed(value))).toBe(encodeValue(value));
    expect(encodeValue(JSON.parse(encodeValue(value)) as Value)).toBe(encodeValue(value));
  });
});

describe("valuesEqual", () => {
  it("compares objects by content, not key order", () => {
    expect(valuesEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
  });

  it("treats undefined as null and nothing else as null", () => {
    expect(valuesEqual(undefined, null)).toBe(true);
    expect(valuesEqual(null, "")).toBe(false);
    expect(valuesEqual(0, null)).toBe(false);
    expect(valuesEqual(false, null)).toBe(false);
  });

  it("keeps types apart", () => {
    expect(valuesEqual(1, "1")).toBe(false);
    expect(valuesEqual(true, "true")).toBe(false);
    expect(valuesEqual([1, 2], [2, 1])).toBe(false);
    expect(valuesEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(valuesEqual(["a"], { 0: "a" })).toBe(false);
  });
});

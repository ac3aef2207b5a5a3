import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { centsToDecimal, decimalToCents, normalizeDecimal } from "../../src/core/decimal.js";

/** An exact decimal built from an integer and a number of places, e.g. (-1250n, 3) → "-1.250". */
function decimalText(unscaled: bigint, places: number): string {
  const sign = unscaled < 0n ? "-" : "";
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(places + 1, "0");
  return places === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** Compares two decimal strings exactly, by scaling both to 40 places as bigints. */
function scaled(text: string): bigint {
  const negative = text.startsWith("-");
  const [int = "", frac = ""] = text.replace(/^[+-]/, "").split(".");
  const value = BigInt(int || "0") * 10n ** 40n + BigInt((frac.padEnd(40, "0") || "0").slice(0, 40));
  return negative ? -value : value;
}

describe("normalizeDecimal", () => {
  it.each([
    ["12.50", "12.5"],
    ["-0.0", "0"],
    ["+0", "0"],
    ["1e3", "1000"],
    ["1.5E-3", "0.0015"],
    ["-12.340e1", "-123.4"],
    ["007", "7"],
    [".5", "0.5"],
    ["5.", "5"],
    [" 42 ", "42"],
    ["123456789012345678901234567890.000000000000000000001", "123456789012345678901234567890.000000000000000000001"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeDecimal(input)).toBe(expected);
  });

  it.each(["", ".", "abc", "1,5", "0x10", "1e", "--1", "Infinity", "NaN", "1.2.3", "1e99999999", "1e-5000"])(
    "refuses %j",
    (input) => {
      expect(normalizeDecimal(input)).toBeNull();
    },
  );

  test.prop([fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 30 })])(
    "keeps the exact value whatever the spelling (zeros, exponent)",
    (unscaled, places) => {
      const text = decimalText(unscaled, places);
      const normal = normalizeDecimal(text);
      expect(normal).not.toBeNull();
      expect(scaled(normal ?? "")).toBe(scaled(text));
      expect(normalizeDecimal(`${text}${places === 0 ? "." : ""}000`)).toBe(normal);
      expect(normalizeDecimal(`${unscaled}e-${places}`)).toBe(normal);
      expect(normalizeDecimal(normal ?? "")).toBe(normal);
      // Canonical: no trailing fraction zeros, no superfluous leading zeros, no "-0".
      expect(normal).toMatch(/^(0|-?[1-9]\d*(\.\d*[1-9])?|-?0\.\d*[1-9])$/);
    },
  );

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])("is exact for every double's string", (d) => {
    const normal = normalizeDecimal(String(d));
    expect(Number(normal)).toBe(d + 0);
  });
});

describe("cents", () => {
  it.each([
    [1234, "12.34"],
    [-5, "-0.05"],
    [0, "0"],
    [100, "1"],
    [-100, "-1"],
    [10, "0.1"],
    ["1234", "12.34"],
    ["-0012", "-0.12"],
    [123456789012345678901234n, "1234567890123456789012.34"],
  ])("centsToDecimal(%s) = %s", (cents, expected) => {
    expect(centsToDecimal(cents)).toBe(expected);
  });

  it.each([1.5, Number.NaN, "12.0", "12a", "", null, true, 2 ** 60])("centsToDecimal refuses %j", (cents) => {
    expect(centsToDecimal(cents)).toBeNull();
  });

  it.each([
    ["12.34", 1234],
    ["-0.05", -5],
    ["1", 100],
    ["1.230", 123],
    ["0", 0],
    ["-0.0", 0],
    ["123456789012345678901.5", "12345678901234567890150"],
  ])("decimalToCents(%j) = %j", (decimal, expected) => {
    expect(decimalToCents(decimal)).toBe(expected);
  });

  it.each(["1.234", "0.001", "abc", ""])("decimalToCents refuses %j (not whole cents)", (decimal) => {
    expect(decimalToCents(decimal)).toBeNull();
  });

  test.prop([fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n })])("round-trips every integer of cents", (cents) => {
    const decimal = centsToDecimal(cents);
    expect(decimal).not.toBeNull();
    expect(String(decimalToCents(decimal ?? ""))).toBe(String(cents));
  });
});

/**
 * Exact decimal strings. Money and quantities must survive every hop unchanged, so decimals are
 * handled as digit strings and never pass through a float.
 */

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Longest digit run accepted; "1e1000000" would otherwise become a megabyte of zeros. */
const MAX_DIGITS = 1000;

/** Normalizes a decimal string ("12.50" → "12.5", "-0.0" → "0", "1e3" → "1000"); null when not a decimal. */
export function normalizeDecimal(text: string): string | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const [, sign, int = "", frac = "", exp = "0"] = m;
  if (int === "" && frac === "") return null;
  const exponent = Number(exp) - frac.length;
  if (!Number.isSafeInteger(exponent)) return null;
  let digits = (int + frac).replace(/^0+/, "");
  if (digits === "") return "0";
  const trimmed = digits.replace(/0+$/, "");
  const scale = exponent + (digits.length - trimmed.length);
  digits = trimmed;
  if (Math.abs(scale) + digits.length > MAX_DIGITS) return null;
  let body: string;
  if (scale >= 0) body = digits + "0".repeat(scale);
  else if (digits.length > -scale) body = `${digits.slice(0, scale)}.${digits.slice(scale)}`;
  else body = `0.${"0".repeat(-scale - digits.length)}${digits}`;
  return sign === "-" ? `-${body}` : body;
}

/** Integer cents (number, bigint or digit string) → exact decimal string: 1234 → "12.34"; null when not an integer. */
export function centsToDecimal(cents: unknown): string | null {
  let text: string;
  if (typeof cents === "number") {
    if (!Number.isSafeInteger(cents)) return null;
    text = String(cents);
  } else if (typeof cents === "bigint") text = String(cents);
  else if (typeof cents === "string" && /^\s*[+-]?\d+\s*$/.test(cents)) text = cents.trim();
  else return null;
  const m = /^([+-])?(\d+)$/.exec(text);
  if (!m) return null;
  const [, sign = "", digits = ""] = m;
  const padded = digits.padStart(3, "0");
  return normalizeDecimal(`${sign}${padded.slice(0, -2)}.${padded.slice(-2)}`);
}

/**
 * Decimal string → integer cents: a number when it is a safe integer, else a digit string (drivers
 * take those for big integers). Null when the value is not a decimal or has more than 2 decimals.
 */
export function decimalToCents(decimal: string): number | string | null {
  const normal = normalizeDecimal(decimal);
  if (normal === null) return null;
  const negative = normal.startsWith("-");
  const [int = "", frac = ""] = (negative ? normal.slice(1) : normal).split(".");
  if (frac.length > 2) return null;
  const digits = `${int}${frac.padEnd(2, "0")}`.replace(/^0+(?=\d)/, "");
  const text = negative ? `-${digits}` : digits;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

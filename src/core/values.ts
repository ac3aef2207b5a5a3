/**
 * Canonical encoding and equality of values. Shadows, golden fields and journal hashes are
 * compared through this one encoding, so two values are equal exactly when they encode equally.
 */
import type { Value } from "./types.js";

/** Canonical JSON of a value: object keys sorted, `undefined` as `null`, so equal values encode equally. */
export function encodeValue(v: Value | undefined): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(encodeValue).join(",")}]`;
  if (typeof v === "object") {
    const parts: string[] = [];
    for (const key of Object.keys(v).sort()) {
      const item = v[key];
      // Like JSON.stringify: a property holding undefined is no property.
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${encodeValue(item)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Whether two values are the same canonical value; `undefined` counts as `null`. */
export function valuesEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== "object" || typeof b !== "object") return false;
  return encodeValue(a) === encodeValue(b);
}

/**
 * The single steps of a field mapping, each with its inverse: value maps (`map`), transforms
 * (`cents`, JSONata) and text date formats (`format`). Failures throw ConcordError "mapping"
 * with a message that starts with the field name; mapIn turns them into per-field issues.
 */
import { DateTime } from "luxon";
import type { FieldDef, TransformSpec } from "../config/model.js";
import { centsToDecimal, decimalToCents } from "./decimal.js";
import { ConcordError, messageOf } from "./errors.js";
import { evaluateExpression } from "./expression.js";
import { showValue } from "./field-types.js";
import type { Fields, NativeRow } from "./types.js";

type CodeMap = Readonly<Record<string, string | number | boolean | null>>;

// Month and day names must not depend on the host's locale, nor times on its zone.
const LUXON_OPTS = { zone: "utc", locale: "en-US" } as const;

function fail(def: FieldDef, reason: string, cause?: unknown): never {
  throw new ConcordError("mapping", `${def.name}: ${reason}`, cause === undefined ? {} : { cause });
}

function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Native code → canonical value; a missing native value is looked up as "null" and otherwise stays null. */
export function mapCodeIn(def: FieldDef, map: CodeMap, native: unknown): unknown {
  const code = codeOf(native);
  if (Object.hasOwn(map, code)) return map[code];
  if (isMissing(native)) return null;
  const known = def.sensitive ? "" : ` (known: ${Object.keys(map).slice(0, 10).join(", ")})`;
  return fail(def, `no mapping for native value ${showValue(def, native)}${known}`);
}

function codeOf(native: unknown): string {
  if (isMissing(native)) return "null";
  if (native instanceof Date) return native.toISOString();
  switch (typeof native) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return String(native);
    default:
      return JSON.stringify(native) ?? "";
  }
}

/** Canonical value → native code: the first code that maps to it ("null" is written as null). */
export function mapCodeOut(def: FieldDef, map: CodeMap, value: unknown, system: string): unknown {
  for (const [code, canonical] of Object.entries(map)) {
    // Map values are primitives, so identity is equality (undefined counts as null).
    if (canonical === (value ?? null)) return code === "null" ? null : code;
  }
  if (isMissing(value)) return null;
  return fail(def, `no native code in ${system} for value ${showValue(def, value)}`);
}

/** Applies a transform to a native value; JSONata `in` sees the value as `$` and the native row as `$row`. */
export async function transformIn(
  def: FieldDef,
  spec: TransformSpec,
  value: unknown,
  row: NativeRow,
): Promise<unknown> {
  if (spec.kind === "jsonata") return spec.in === undefined ? value : await evaluate(def, spec.in, value, { row });
  if (spec.name !== "cents") return fail(def, `unknown transform "${spec.name}"`);
  if (isMissing(value)) return null;
  return centsToDecimal(value) ?? fail(def, `${showValue(def, value)} is not a whole number of cents`);
}

/** Inverse of transformIn; JSONata `out` sees the canonical value as `$` and all canonical fields as `$fields`. */
export async function transformOut(
  def: FieldDef,
  spec: TransformSpec,
  value: unknown,
  fields: Fields,
): Promise<unknown> {
  if (spec.kind === "jsonata") return spec.out === undefined ? value : await evaluate(def, spec.out, value, { fields });
  if (spec.name !== "cents") return fail(def, `unknown transform "${spec.name}"`);
  if (isMissing(value)) return null;
  const cents = typeof value === "string" || typeof value === "number" ? decimalToCents(String(value)) : null;
  return cents ?? fail(def, `${showValue(def, value)} cannot be written as whole cents`);
}

async function evaluate(
  def: FieldDef,
  src: string,
  value: unknown,
  bindings: Record<string, unknown>,
): Promise<unknown> {
  try {
    // A missing value is JSONata's "no value" (undefined), which its functions pass through.
    const result = await evaluateExpression(src, isMissing(value) ? undefined : value, { bindings });
    return result ?? null;
  } catch (err) {
    // JSONata messages may quote the value: keep them out for a sensitive field.
    return fail(def, def.sensitive ? "transform failed (details redacted)" : messageOf(err), err);
  }
}

/** Text in a Luxon format (UTC) → canonical date or datetime string; other values pass unchanged. */
export function formatIn(def: FieldDef, format: string, value: unknown): unknown {
  if (typeof value !== "string" || value === "") return value;
  const parsed = DateTime.fromFormat(value, format, LUXON_OPTS);
  if (!parsed.isValid) {
    const why = def.sensitive ? "" : ` (${parsed.invalidExplanation ?? parsed.invalidReason ?? "invalid"})`;
    return fail(def, `${showValue(def, value)} does not match format "${format}"${why}`);
  }
  return def.type === "date" ? parsed.toISODate() : new Date(parsed.toMillis()).toISOString();
}

/** Canonical date or datetime string → text in a Luxon format (UTC); other values pass unchanged. */
export function formatOut(def: FieldDef, format: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const parsed = DateTime.fromISO(value, LUXON_OPTS);
  if (!parsed.isValid) return fail(def, `${showValue(def, value)} is not an ISO date to format as "${format}"`);
  return parsed.toFormat(format);
}

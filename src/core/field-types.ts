/**
 * Field types: coercion of whatever a driver or a JSON API hands over into the canonical form
 * of `Value` (see types.ts), and validation of required fields and string formats.
 */
import type { EntityDef, FieldDef } from "../config/model.js";
import { isValidTime, parseDate, parseDateTime } from "./datetime.js";
import { normalizeDecimal } from "./decimal.js";
import type { Fields, Json, Value } from "./types.js";

/** The outcome of coercing one raw value: the canonical value, or why it does not fit. */
export type Canonicalized = { ok: true; value: Value } | { ok: false; message: string };

/** A problem with one field of one record. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

const TRUE_WORDS = new Set(["1", "true", "t", "yes"]);
const FALSE_WORDS = new Set(["0", "false", "f", "no"]);
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A value for an error message: short, and "(redacted)" for a sensitive field. */
export function showValue(def: Pick<FieldDef, "sensitive">, raw: unknown): string {
  if (def.sensitive) return "(redacted)";
  let text: string;
  if (raw instanceof Date) text = Number.isNaN(raw.getTime()) ? "Invalid Date" : raw.toISOString();
  else if (typeof raw === "bigint") text = `${raw}n`;
  else if (typeof raw === "object" && raw !== null) text = safeJson(raw) ?? Object.prototype.toString.call(raw);
  else text = typeof raw === "string" ? JSON.stringify(raw) : String(raw);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(raw: unknown): string | undefined {
  try {
    return JSON.stringify(raw);
  } catch {
    return undefined;
  }
}

/**
 * Coerces a raw value to the canonical form of the field's type; null, undefined and "" are null
 * (a string field keeps ""). For a json field a string is JSON text, so a JSON string value must
 * be given encoded ('"abc"'): that is the one type whose canonical values are not fixed points.
 */
export function canonicalize(def: FieldDef, raw: unknown): Canonicalized {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (raw === "" && def.type !== "string") return { ok: true, value: null };
  const value = coerce(def, raw);
  if (value !== undefined) return { ok: true, value };
  return { ok: false, message: `${def.name}: ${showValue(def, raw)} is not ${expected(def)}` };
}

function expected(def: FieldDef): string {
  switch (def.type) {
    case "enum":
      return `one of ${(def.values ?? []).join(", ")}`;
    case "date":
      return "a valid date (YYYY-MM-DD)";
    case "datetime":
      return "a valid datetime (ISO-8601)";
    case "json":
      return "valid JSON";
    case "ref":
      return "a reference key (string or number)";
    default:
      return `a valid ${def.type}`;
  }
}

/** The canonical value, or undefined when the raw value does not fit the type. */
function coerce(def: FieldDef, raw: unknown): Value | undefined {
  switch (def.type) {
    case "string":
      // Addresses, phone numbers and URLs never mean their surrounding white space.
      if (typeof raw === "string") return def.format === undefined ? raw : raw.trim();
      if (typeof raw === "number") return Number.isFinite(raw) ? String(raw) : undefined;
      if (typeof raw === "bigint" || typeof raw === "boolean") return String(raw);
      return raw instanceof Date && isValidTime(raw.getTime()) ? raw.toISOString() : undefined;
    case "number":
      return toNumber(raw);
    case "decimal":
      return toDecimal(raw);
    case "boolean":
      return toBoolean(raw);
    case "date":
      if (raw instanceof Date) return isValidTime(raw.getTime()) ? raw.toISOString().slice(0, 10) : undefined;
      return typeof raw === "string" ? (parseDate(raw) ?? undefined) : undefined;
    case "datetime":
      return toDateTime(raw);
    case "enum": {
      const text = typeof raw === "number" ? String(raw) : raw;
      return typeof text === "string" && def.values?.includes(text) ? text : undefined;
    }
    case "json":
      return toJson(raw);
    case "ref":
      if (typeof raw === "string") return raw;
      if (typeof raw === "number") return Number.isFinite(raw) ? String(raw) : undefined;
      return typeof raw === "bigint" ? String(raw) : undefined;
  }
}

function toNumber(raw: unknown): number | undefined {
  let n: number;
  if (typeof raw === "number") n = raw;
  else if (typeof raw === "bigint") n = Number(raw);
  else if (typeof raw === "string" && NUMERIC.test(raw.trim())) n = Number(raw.trim());
  else return undefined;
  if (typeof raw === "bigint" && !Number.isSafeInteger(n)) return undefined;
  // -0 would encode as 0 but still compare unequal to 0 in some places: fold it.
  return Number.isFinite(n) ? n + 0 : undefined;
}

function toDecimal(raw: unknown): string | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? (normalizeDecimal(String(raw)) ?? undefined) : undefined;
  if (typeof raw === "bigint") return String(raw);
  if (typeof raw === "string") return normalizeDecimal(raw) ?? undefined;
  return undefined;
}

function toBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === "boolean") return raw;
  const text = typeof raw === "number" || typeof raw === "bigint" ? String(raw) : raw;
  if (typeof text !== "string") return undefined;
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  return FALSE_WORDS.has(word) ? false : undefined;
}

function toDateTime(raw: unknown): string | undefined {
  let ms: number | null;
  if (raw instanceof Date) ms = raw.getTime();
  else if (typeof raw === "number") ms = raw;
  else if (typeof raw === "bigint") ms = Number(raw);
  else if (typeof raw === "string") ms = parseDateTime(raw);
  else return undefined;
  return ms !== null && isValidTime(ms) ? new Date(ms).toISOString() : undefined;
}

function toJson(raw: unknown): Json | undefined {
  if (typeof raw === "string") {
    try {
      return JSON.parse(raw) as Json;
    } catch {
      return undefined;
    }
  }
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === "boolean") return raw;
  if (typeof raw !== "object" || raw === null) return undefined;
  // A JSON round trip turns driver objects (Dates inside, undefined members) into plain JSON.
  const text = safeJson(raw);
  return text === undefined ? undefined : (JSON.parse(text) as Json);
}

// One "@", no spaces or quotes in the local part, a dotted domain of letters, digits and hyphens.
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u;

/** Options of `validateFields`. */
export interface ValidateOptions {
  /** Also report required fields that are absent from the record (not only those present as null). */
  readonly requireAll?: boolean;
}

/** Checks required fields and string formats; returns one issue per bad field (empty when valid). */
export function validateFields(entity: EntityDef, fields: Fields, options: ValidateOptions = {}): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const def of Object.values(entity.fields)) {
    const present = Object.hasOwn(fields, def.name);
    if (!present && !(options.requireAll && def.required)) continue;
    const value = fields[def.name] ?? null;
    // An empty string is no more an e-mail address or a name than null is.
    if (value === null || value === "") {
      if (def.required) issues.push({ field: def.name, message: `${def.name}: is required but missing` });
      continue;
    }
    const problem = formatProblem(def, value);
    if (problem !== null) issues.push({ field: def.name, message: `${def.name}: ${showValue(def, value)} ${problem}` });
  }
  return issues;
}

function formatProblem(def: FieldDef, value: Value): string | null {
  if (def.format === undefined || typeof value !== "string") return null;
  switch (def.format) {
    case "email":
      return value.length <= 254 && EMAIL.test(value) ? null : "is not a valid e-mail address";
    case "phone":
      return (value.match(/\d/g)?.length ?? 0) >= 7 ? null : "is not a valid phone number (fewer than 7 digits)";
    case "url":
      return URL.canParse(value) ? null : "is not a valid URL";
  }
}

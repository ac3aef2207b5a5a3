/**
 * Redaction of sensitive values. A keyed hash (HMAC) rather than a plain one: a plain SHA-256 of
 * a social security number is reversed by hashing every possible number.
 */
import { createHmac } from "node:crypto";
import type { EntityDef } from "../config/model.js";
import type { Fields, Value } from "./types.js";
import { encodeValue } from "./values.js";

/** A stand-in for a sensitive value: equal values give equal hashes, nothing else is revealed. */
export type Redacted = { readonly sha256: string };

/** HMAC-SHA256 (hex) of the value's canonical encoding, keyed with `secret`. */
export function redact(value: Value, secret: string): Redacted {
  return { sha256: createHmac("sha256", secret).update(encodeValue(value)).digest("hex") };
}

/** A copy of `fields` with every sensitive field's value replaced by its hash; nulls stay null. */
export function redactFields(entity: EntityDef, fields: Fields, secret: string): Fields {
  const out: Fields = {};
  for (const [name, value] of Object.entries(fields)) {
    // Whether a value is absent is not secret, and keeping null keeps "was cleared" readable.
    out[name] = entity.fields[name]?.sensitive && value !== null ? redact(value, secret) : value;
  }
  return out;
}

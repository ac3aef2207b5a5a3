/**
 * Match-key normalization: two systems' spellings of the same e-mail, phone or name must give
 * the same key, so that identity finds the golden record they share.
 */
import type { EntityDef, FieldDef } from "../config/model.js";
import type { Fields, Value } from "./types.js";
import { encodeValue } from "./values.js";

/** The comparable form of a value for matching; null when the value is missing or blank. */
export function normalizeForMatch(def: FieldDef, v: Value): string | null {
  if (v === null) return null;
  if (typeof v !== "string") return typeof v === "object" ? encodeValue(v) : String(v);
  // Only free text is folded; enum values, decimals, dates and uids are already canonical.
  if (def.type !== "string") return v === "" ? null : v;
  const text = v.normalize("NFC").trim();
  let key: string;
  if (def.format === "email")
    key = text
      .replace(/^mailto:/i, "")
      .trim()
      .toLowerCase();
  else if (def.format === "phone") key = normalizePhone(text);
  else key = text.replace(/\s+/g, " ").toLowerCase();
  return key === "" ? null : key;
}

function normalizePhone(text: string): string {
  const digits = text.replace(/\D/g, "");
  if (digits === "") return "";
  if (text.startsWith("+")) return `+${digits}`;
  // "00" is the international call prefix in most of the world: 0049… is +49….
  return digits.startsWith("00") ? `+${digits.slice(2)}` : digits;
}

/** One key per `entity.match` alternative whose fields are all present: `${index}#${JSON parts}`. */
export function matchKeys(entity: EntityDef, fields: Fields): string[] {
  const keys: string[] = [];
  entity.match.forEach((alternative, index) => {
    const parts: string[] = [];
    for (const name of alternative) {
      const def = entity.fields[name];
      const part = def === undefined ? null : normalizeForMatch(def, fields[name] ?? null);
      if (part === null) return;
      parts.push(part);
    }
    if (parts.length > 0) keys.push(`${index}#${JSON.stringify(parts)}`);
  });
  return keys;
}

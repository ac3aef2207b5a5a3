/**
 * Strict parsing of the date and datetime strings that databases and APIs emit. `Date.parse`
 * is not used: it accepts impossible dates (2023-02-30 rolls over) and reads zoneless strings
 * as local time, and a sync engine must never move a value by the host's time zone.
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Minutes east of UTC of "Z", "+02", "+0200" or "-02:30"; null when out of range. */
function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || "0");
  if (hours > 23 || minutes > 59) return null;
  const total = hours * 60 + minutes;
  return zone.startsWith("-") ? -total : total;
}

/**
 * Epoch milliseconds of "YYYY-MM-DD", "YYYY-MM-DDTHH:mm[:ss[.fff]][zone]" or the SQL form with a
 * space; a string without a zone is UTC. Null when the text is not such a string or names an
 * impossible date or time.
 */
export function parseDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? "0")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offset = offsetMinutes(m[8]);
  if (offset === null) return null;
  const millis = Number(((m[7] ?? "") + "000").slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not turn years 0–99 into 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offset * 60_000;
}

/** The "YYYY-MM-DD" part of a valid date or datetime string, as written (not moved to UTC); null when invalid. */
export function parseDate(text: string): string | null {
  const trimmed = text.trim();
  if (parseDateTime(trimmed) === null) return null;
  return trimmed.slice(0, 10);
}

/** Whether epoch milliseconds are within the range a Date can hold. */
export function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

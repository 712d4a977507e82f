/**
 * RFC 3339 timestamps as Go's `time.Time.UnmarshalJSON` reads them (Loki's legacy JSON push
 * carries `"ts": "2018-12-18T08:28:06.801064-04:00"`).
 *
 * Go tries a strict RFC 3339 parser first and, when it fails, `time.Parse(time.RFC3339, …)`, which
 * also takes a one-digit hour, a comma before the fraction, and zone offsets up to `24:00` and
 * `:60`; what either takes is taken here. Fractions past nine digits are cut (not rounded).
 *
 * KEEP IN SYNC WITH: golang/go src/time/format_rfc3339.go (parseStrictRFC3339), format.go (Parse).
 *
 * @module
 */

/** Seconds since the Unix epoch and nanoseconds within the second (0 ≤ nanos < 1e9). */
export interface Instant {
  seconds: number;
  nanos: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses an RFC 3339 date-time as Go's `time.Time.UnmarshalJSON` does with the text between the
 * quotes (no JSON unescaping: a backslash makes it invalid, as in Go). Returns `undefined` for
 * anything Go refuses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRfc3339 } from "./rfc3339.ts";
 *
 * assert.deepEqual(parseRfc3339("2018-12-18T08:28:06.801064-04:00"), {
 *   seconds: 1545136086,
 *   nanos: 801064000,
 * });
 * assert.deepEqual(parseRfc3339("1970-01-01T0:00:01,5Z"), { seconds: 1, nanos: 500000000 });
 * assert.equal(parseRfc3339("2018-02-30T00:00:00Z"), undefined);
 * assert.equal(parseRfc3339("2018-12-18 08:28:06Z"), undefined);
 * ```
 */
export function parseRfc3339(text: string): Instant | undefined {
  let p = 0;
  const digits = (n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(p + k);
      if (!(c >= 0x30 && c <= 0x39)) return -1;
      v = v * 10 + (c - 0x30);
    }
    p += n;
    return v;
  };
  const literal = (ch: string): boolean => text[p] === ch && (p++, true);

  const year = digits(4);
  if (year < 0 || !literal("-")) return undefined;
  const month = digits(2);
  if (month < 1 || month > 12 || !literal("-")) return undefined;
  const day = digits(2);
  if (day < 1 || day > daysIn(month, year) || !literal("T")) return undefined;
  // The hour may have one digit (time.Parse's "15").
  const twoDigitHour = isDigit(text, p + 1);
  const hour = digits(twoDigitHour ? 2 : 1);
  if (hour < 0 || hour > 23 || !literal(":")) return undefined;
  const minute = digits(2);
  if (minute < 0 || minute > 59 || !literal(":")) return undefined;
  const second = digits(2);
  if (second < 0 || second > 59) return undefined;

  let nanos = 0;
  if ((text[p] === "." || text[p] === ",") && isDigit(text, p + 1)) {
    p++;
    let n = 0;
    for (; isDigit(text, p); p++, n++) if (n < 9) nanos = nanos * 10 + (text.charCodeAt(p) - 0x30);
    for (; n < 9; n++) nanos *= 10;
  }

  let offset = 0;
  if (text[p] === "Z") p++;
  else {
    const sign = text[p];
    if ((sign !== "+" && sign !== "-") || text[p + 3] !== ":") return undefined;
    p++;
    const hours = digits(2);
    p++; // the colon
    const minutes = digits(2);
    if (hours < 0 || minutes < 0 || hours > 24 || minutes > 60) return undefined;
    offset = (hours * 60 + minutes) * 60 * (sign === "-" ? -1 : 1);
  }
  if (p !== text.length) return undefined;

  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
    offset;
  return { seconds, nanos };
}

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Days from 1970-01-01 to the given proleptic Gregorian date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

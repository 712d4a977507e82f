/**
 * Retry timing: exponential backoff with jitter as dskit computes it for `loki.write`, and the
 * `Retry-After` header Loki may send with a 429 or 503.
 *
 * @module
 */

/**
 * The wait after the `attempt`-th failure (1-based): uniformly random in
 * [min·2^(attempt-1), min·2^attempt), both bounds capped at `maxMs`.
 *
 * With Alloy's defaults (500 ms, 5 m, 10 attempts) the waits are about 0.5 s, 1 s, 2 s … 256 s:
 * roughly 8.5 minutes of retrying before a batch is given up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay } from "./backoff.ts";
 *
 * assert.equal(backoffDelay(1, 500, 300_000, () => 0), 500);
 * assert.equal(backoffDelay(3, 500, 300_000, () => 0.5), 3000);
 * assert.equal(backoffDelay(20, 500, 300_000, () => 0.9), 300_000);
 * ```
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number,
): number {
  const low = Math.min(minMs * 2 ** (attempt - 1), maxMs);
  const high = Math.min(minMs * 2 ** attempt, maxMs);
  return low + (high - low) * random();
}

/**
 * Reads `Retry-After` as milliseconds from `nowMs`: delay seconds (`120`) or an HTTP date in any
 * of the three forms RFC 9110 defines (`Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete
 * `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`, all GMT), as Go's
 * `http.ParseTime` reads them. Anything else (`1.5`, `-1`, `2024-01-01`, two values) is
 * `undefined`, so the ordinary backoff applies rather than an immediate retry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfter } from "./backoff.ts";
 *
 * assert.equal(parseRetryAfter("3", 0), 3000);
 * assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000);
 * assert.equal(parseRetryAfter("Thu Jan  1 00:00:10 1970", 4000), 6000);
 * assert.equal(parseRetryAfter("soon", 0), undefined);
 * assert.equal(parseRetryAfter("1.5", 0), undefined);
 * assert.equal(parseRetryAfter(null, 0), undefined);
 * ```
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text);
  return date === undefined ? undefined : Math.max(0, date - nowMs);
}

const MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";
const DAY = "Mon|Tue|Wed|Thu|Fri|Sat|Sun";
const LONG_DAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
const IMF_FIXDATE = new RegExp(`^(?:${DAY}), (\\d{2}) (${MONTHS}) (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:${LONG_DAY}), (\\d{2})-(${MONTHS})-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^(?:${DAY}) (${MONTHS}) ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** An HTTP date as Unix milliseconds, or `undefined` (a two-digit year ≥ 69 is 19xx, as in Go). */
function parseHttpDate(text: string): number | undefined {
  let day: string, month: string, year: number, time: string[];
  let m = IMF_FIXDATE.exec(text);
  if (m) [day, month, year, time] = [m[1], m[2], Number(m[3]), m.slice(4, 7)];
  else if ((m = RFC850_DATE.exec(text))) {
    const yy = Number(m[3]);
    [day, month, year, time] = [m[1], m[2], yy >= 69 ? 1900 + yy : 2000 + yy, m.slice(4, 7)];
  } else if ((m = ASCTIME_DATE.exec(text))) {
    [day, month, year, time] = [m[2], m[1], Number(m[6]), m.slice(3, 6)];
  } else return undefined;
  const mon = MONTHS.split("|").indexOf(month);
  const [h, min, sec] = time.map(Number);
  const ms = Date.UTC(year, mon, Number(day), h, min, sec);
  const check = new Date(ms);
  if (h > 23 || min > 59 || sec > 59 || check.getUTCDate() !== Number(day)) return undefined;
  return ms;
}

/**
 * Nanosecond Unix timestamps as decimal strings (Loki's JSON format) ⇄ seconds + nanos.
 *
 * @module
 */

/** Seconds of Go's zero time, 0001-01-01T00:00:00Z: what a missing protobuf timestamp means. */
export const GO_ZERO_TIME_SECONDS = -62135596800;

const INT64_MAX = "9223372036854775807";
const INT64_MIN_ABS = "9223372036854775808";
const NANO_STRING = /^-?(0|[1-9][0-9]*)$/;

/**
 * Parses a decimal string of Unix nanoseconds (an int64, as Loki's JSON push format carries it).
 *
 * @throws {SyntaxError} quoting the value when it is not a base-10 int64
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNanoString } from "./timestamp.ts";
 *
 * assert.deepEqual(parseNanoString("1700000000123456789"), { seconds: 1700000000, nanos: 123456789 });
 * assert.deepEqual(parseNanoString("-1"), { seconds: -1, nanos: 999999999 });
 * assert.throws(() => parseNanoString("1.5e9"), SyntaxError);
 * ```
 */
export function parseNanoString(text: string): { seconds: number; nanos: number } {
  if (!NANO_STRING.test(text) || text === "-0" || exceedsInt64(text)) {
    throw new SyntaxError(`timestamp "${text}" is not an integer count of Unix nanoseconds`);
  }
  if (text.charCodeAt(0) === 45) {
    const ns = BigInt(text);
    let seconds = ns / 1_000_000_000n;
    let nanos = ns % 1_000_000_000n;
    if (nanos < 0n) {
      nanos += 1_000_000_000n;
      seconds -= 1n;
    }
    return { seconds: Number(seconds), nanos: Number(nanos) };
  }
  if (text.length <= 9) return { seconds: 0, nanos: Number(text) };
  const cut = text.length - 9;
  return { seconds: Number(text.slice(0, cut)), nanos: Number(text.slice(cut)) };
}

function exceedsInt64(text: string): boolean {
  const negative = text.charCodeAt(0) === 45;
  const digits = negative ? text.slice(1) : text;
  const limit = negative ? INT64_MIN_ABS : INT64_MAX;
  return digits.length > limit.length || (digits.length === limit.length && digits > limit);
}

/**
 * Formats seconds + nanos as a decimal string of Unix nanoseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toNanoString } from "./timestamp.ts";
 *
 * assert.equal(toNanoString(1700000000, 5), "1700000000000000005");
 * assert.equal(toNanoString(0, 42), "42");
 * assert.equal(toNanoString(-1, 999999999), "-1");
 * ```
 */
export function toNanoString(seconds: number, nanos: number): string {
  if (seconds > 0) return `${seconds}${String(nanos).padStart(9, "0")}`;
  if (seconds === 0) return String(nanos);
  return String(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
}

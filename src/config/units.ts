/**
 * Go-style durations ("1m30s", "500ms") and Alloy-style base-2 sizes ("100MiB", "1MB", 1024).
 *
 * @module
 */

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)/y;

/**
 * Parses a Go duration string into milliseconds (`time.ParseDuration` syntax, no sign); with
 * `days`, also `d` and `w` as Loki's and Prometheus's durations (`"7d"`) allow.
 *
 * @throws {RangeError} naming the bad value
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./units.ts";
 *
 * assert.equal(parseDuration("1m30s"), 90_000);
 * assert.equal(parseDuration("500ms"), 500);
 * assert.equal(parseDuration("0"), 0);
 * assert.throws(() => parseDuration("5 minutes"), RangeError);
 * assert.throws(() => parseDuration("7d"), RangeError);
 * assert.equal(parseDuration("7d", true), 604_800_000);
 * ```
 */
export function parseDuration(text: string, days = false): number {
  if (text === "0") return 0;
  if (text === "") throw new RangeError(`"" is not a duration (e.g. "500ms", "1m30s")`);
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const m = DURATION_PART.exec(text);
    if (!m || (!days && (m[2] === "d" || m[2] === "w"))) {
      throw new RangeError(`"${text}" is not a duration (e.g. "500ms", "1m30s")`);
    }
    total += Number(m[1]) * DURATION_UNITS[m[2]];
  }
  return total;
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1024 ** 4,
  TiB: 1024 ** 4,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/;

/**
 * Parses a size into bytes. Units are powers of 1024 as in Alloy (`1MB` = `1MiB` = 1048576);
 * a number or a bare digit string is a byte count.
 *
 * @throws {RangeError} naming the bad value
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "./units.ts";
 *
 * assert.equal(parseSize("100MiB"), 104_857_600);
 * assert.equal(parseSize("1MB"), 1_048_576);
 * assert.equal(parseSize("512KiB"), 524_288);
 * assert.equal(parseSize(2048), 2048);
 * assert.throws(() => parseSize("10 apples"), RangeError);
 * ```
 */
export function parseSize(value: string | number): number {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new RangeError(`${value} is not a size in bytes (a whole number ≥ 0)`);
  }
  const m = SIZE.exec(value.trim());
  if (!m) throw new RangeError(`"${value}" is not a size (e.g. "100MiB", "512KiB", 1048576)`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2] ?? "B"]);
}

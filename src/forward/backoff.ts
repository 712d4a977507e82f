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
 * Reads `Retry-After` (delay seconds or an HTTP date) as milliseconds from `nowMs`;
 * `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfter } from "./backoff.ts";
 *
 * assert.equal(parseRetryAfter("3", 0), 3000);
 * assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000);
 * assert.equal(parseRetryAfter("soon", 0), undefined);
 * assert.equal(parseRetryAfter(null, 0), undefined);
 * ```
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

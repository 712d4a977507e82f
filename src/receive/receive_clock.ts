/**
 * Receive-time stamps at nanosecond resolution that never repeat: two entries stamped in the same
 * nanosecond would look like duplicates to Loki (same stream, time and line) and one would be lost.
 *
 * @module
 */

/** Something with a timestamp to set. */
export interface Stampable {
  seconds: number;
  nanos: number;
}

/**
 * Creates a stamper from a clock in (possibly fractional) milliseconds since the epoch. Each call
 * reads the clock once and stamps the given entries in order: the first with the clock's time (or
 * one nanosecond after the previous stamp when the clock has not moved past it), each next one a
 * nanosecond later.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReceiveClock } from "./receive_clock.ts";
 *
 * const stamp = createReceiveClock(() => 1_700_000_000_123.5);
 * const entries = [{ seconds: 0, nanos: 0 }, { seconds: 0, nanos: 0 }];
 * stamp(entries);
 * assert.deepEqual(entries, [
 *   { seconds: 1_700_000_000, nanos: 123_500_000 },
 *   { seconds: 1_700_000_000, nanos: 123_500_001 },
 * ]);
 * stamp(entries.slice(0, 1));
 * assert.deepEqual(entries[0], { seconds: 1_700_000_000, nanos: 123_500_002 });
 * ```
 */
export function createReceiveClock(nowMs: () => number): (entries: Stampable[]) => void {
  let lastSeconds = -Infinity;
  let lastNanos = 0;
  return (entries) => {
    if (entries.length === 0) return;
    const ms = nowMs();
    let seconds = Math.floor(ms / 1000);
    let nanos = Math.round((ms - seconds * 1000) * 1e6);
    if (nanos >= 1e9) {
      seconds++;
      nanos -= 1e9;
    }
    if (seconds < lastSeconds || (seconds === lastSeconds && nanos <= lastNanos)) {
      seconds = lastSeconds;
      nanos = lastNanos + 1;
    }
    for (const e of entries) {
      if (nanos >= 1e9) {
        seconds++;
        nanos = 0;
      }
      e.seconds = seconds;
      e.nanos = nanos++;
    }
    lastSeconds = seconds;
    lastNanos = nanos - 1;
  };
}

/**
 * Receive-time stamps at nanosecond resolution that never repeat: two entries stamped in the same
 * nanosecond would look like duplicates to Loki (same stream, time and line) and one would be lost.
 *
 * @module
 */

/** A timestamp split into whole seconds and nanoseconds. */
export interface Stamp {
  seconds: number;
  nanos: number;
}

/**
 * Creates a stamper from a clock in (possibly fractional) milliseconds since the epoch. Each call
 * returns the clock's time, or one nanosecond after the previous stamp when the clock has not
 * moved past it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReceiveClock } from "./receive_clock.ts";
 *
 * const stamp = createReceiveClock(() => 1_700_000_000_123.5);
 * assert.deepEqual(stamp(), { seconds: 1_700_000_000, nanos: 123_500_000 });
 * assert.deepEqual(stamp(), { seconds: 1_700_000_000, nanos: 123_500_001 });
 * ```
 */
export function createReceiveClock(nowMs: () => number): () => Stamp {
  let lastSeconds = -Infinity;
  let lastNanos = 0;
  return () => {
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
      if (nanos >= 1e9) {
        seconds++;
        nanos = 0;
      }
    }
    lastSeconds = seconds;
    lastNanos = nanos;
    return { seconds, nanos };
  };
}

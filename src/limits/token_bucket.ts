/**
 * A token bucket: `perSecond` tokens arrive each second, up to `burst` held. A request takes as
 * many tokens as it carries entries (or bytes), all at once or none.
 *
 * @module
 */
import type { Rate } from "../config/settings.ts";

/**
 * One bucket. Time is passed in (milliseconds), so that tests and the relay's clock agree.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenBucket } from "./token_bucket.ts";
 *
 * const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, 0);
 * assert.equal(bucket.waitMs(20, 0), 0);
 * bucket.take(20, 0);
 * assert.equal(bucket.waitMs(5, 0), 500);
 * assert.equal(bucket.waitMs(5, 500), 0);
 * assert.equal(bucket.waitMs(21, 500), Infinity);
 * ```
 */
export class TokenBucket {
  readonly rate: Rate;
  #tokens: number;
  #at: number;

  constructor(rate: Rate, now: number) {
    this.rate = rate;
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** Milliseconds until `n` tokens are there: 0 now, `Infinity` if `n` is more than the burst. */
  waitMs(n: number, now: number): number {
    if (n > this.rate.burst) return Infinity;
    const tokens = this.#refill(now);
    return tokens >= n ? 0 : Math.ceil((n - tokens) * 1000 / this.rate.perSecond);
  }

  /** Takes `n` tokens (callers ask {@link waitMs} first). */
  take(n: number, now: number): void {
    this.#tokens = this.#refill(now) - n;
  }

  /** Whether the bucket is full: forgetting it then changes nothing. */
  full(now: number): boolean {
    return this.#refill(now) >= this.rate.burst;
  }

  #refill(now: number): number {
    if (now > this.#at) {
      this.#tokens = Math.min(
        this.rate.burst,
        this.#tokens + (now - this.#at) * this.rate.perSecond / 1000,
      );
      this.#at = now;
    }
    return this.#tokens;
  }
}

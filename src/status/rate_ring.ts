/**
 * A fixed-size ring of per-second rates: what the status page charts. Memory is fixed at creation
 * (8 bytes a slot), however long the relay runs.
 *
 * @module
 */

/**
 * Per-second rates of one counter, from cumulative samples taken about once a second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateRing } from "./rate_ring.ts";
 *
 * const ring = new RateRing(3);
 * ring.sample(100, 0); // the first sample only sets the base
 * ring.sample(110, 1000);
 * ring.sample(130, 2000);
 * ring.sample(160, 4000); // two seconds: 15 a second
 * ring.sample(160, 5000);
 * assert.deepEqual(ring.history(), [20, 15, 0]);
 * assert.equal(ring.total, 160);
 * assert.equal(ring.average(2), 7.5);
 * ```
 */
export class RateRing {
  readonly #slots: Float64Array;
  #next = 0;
  #filled = 0;
  #last: { value: number; at: number } | undefined;

  /** @param size the number of rates kept (seconds of history at one sample a second) */
  constructor(size: number) {
    this.#slots = new Float64Array(size);
  }

  /** The counter's latest cumulative value. */
  get total(): number {
    return this.#last?.value ?? 0;
  }

  /**
   * Takes the counter's cumulative `value` at time `at` (ms) and keeps the rate since the last
   * sample. A counter that went down (recreated) restarts from its new value.
   */
  sample(value: number, at: number): void {
    const last = this.#last;
    this.#last = { value, at };
    if (last === undefined || at <= last.at) return;
    const rate = value >= last.value ? (value - last.value) * 1000 / (at - last.at) : 0;
    this.#slots[this.#next] = rate;
    this.#next = (this.#next + 1) % this.#slots.length;
    this.#filled = Math.min(this.#filled + 1, this.#slots.length);
  }

  /** The rates kept, oldest first. */
  history(): number[] {
    const out: number[] = [];
    const size = this.#slots.length;
    for (let i = this.#filled; i > 0; i--) out.push(this.#slots[(this.#next - i + size) % size]);
    return out;
  }

  /** The mean of the last `n` rates (fewer when fewer are kept; 0 when none). */
  average(n: number): number {
    const size = this.#slots.length;
    const k = Math.min(n, this.#filled);
    let sum = 0;
    for (let i = 1; i <= k; i++) sum += this.#slots[(this.#next - i + size) % size];
    return k === 0 ? 0 : sum / k;
  }
}

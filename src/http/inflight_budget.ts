/**
 * A byte budget shared by every request being received: what is read from the wire and what it
 * decompresses to. It bounds memory however many clients send at once.
 *
 * @module
 */

/** Bytes held by requests that are being read and decoded. */
export class InflightBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes currently held. */
  get used(): number {
    return this.#used;
  }

  /**
   * Takes `n` bytes if they fit; `false` (and nothing taken) if not.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InflightBudget } from "./inflight_budget.ts";
   *
   * const b = new InflightBudget(10);
   * assert.equal(b.tryTake(8), true);
   * assert.equal(b.tryTake(3), false);
   * b.release(8);
   * assert.equal(b.used, 0);
   * ```
   */
  tryTake(n: number): boolean {
    if (this.#used + n > this.limit) return false;
    this.#used += n;
    return true;
  }

  /** Gives back `n` bytes. */
  release(n: number): void {
    this.#used -= n;
  }

  /**
   * A per-request hold: takes bytes from this budget and gives them all back at once.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InflightBudget } from "./inflight_budget.ts";
   *
   * const b = new InflightBudget(10);
   * const h = b.hold();
   * assert.equal(h.take(6), true);
   * assert.equal(h.take(6), false);
   * h.release();
   * assert.equal(b.used, 0);
   * ```
   */
  hold(): BudgetHold {
    let held = 0;
    return {
      limit: this.limit,
      take: (n) => {
        if (!this.tryTake(n)) return false;
        held += n;
        return true;
      },
      release: () => {
        this.release(held);
        held = 0;
      },
    };
  }
}

/** The bytes one request holds; `release()` gives them all back. */
export interface BudgetHold {
  readonly limit: number;
  take(n: number): boolean;
  release(): void;
}

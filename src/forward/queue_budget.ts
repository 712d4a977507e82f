/**
 * The bytes one endpoint may hold, shared by its shards: taken when a push is accepted, given
 * back as batches are delivered or dropped.
 *
 * @module
 */

/**
 * A byte budget.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueueBudget } from "./queue_budget.ts";
 *
 * const seen: number[] = [];
 * const budget = new QueueBudget(100, (held) => seen.push(held));
 * assert.ok(budget.hasRoom(500)); // an empty queue takes anything: nothing can be stuck
 * budget.add(500);
 * assert.ok(!budget.hasRoom(1));
 * budget.add(-500);
 * assert.deepEqual(seen, [500, 0]);
 * ```
 */
export class QueueBudget {
  readonly capacity: number;
  #held = 0;
  #changed: (held: number) => void;
  #waiting: (() => void)[] = [];

  constructor(capacity: number, changed: (held: number) => void = () => {}) {
    this.capacity = capacity;
    this.#changed = changed;
  }

  /** Bytes taken and not yet delivered or dropped. */
  get held(): number {
    return this.#held;
  }

  /** Whether `bytes` more fit (an empty queue takes anything). */
  hasRoom(bytes: number): boolean {
    return this.#held === 0 || this.#held + bytes <= this.capacity;
  }

  /** Takes (positive) or gives back (negative) bytes. */
  add(bytes: number): void {
    this.#held += bytes;
    this.#changed(this.#held);
    if (bytes < 0 && this.#waiting.length > 0) {
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const wake of waiting) wake();
    }
  }

  /**
   * Resolves the next time bytes are given back (the caller checks {@link hasRoom} again), or
   * when `signal` aborts (and then forgets the caller).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { QueueBudget } from "./queue_budget.ts";
   *
   * const budget = new QueueBudget(10);
   * budget.add(10);
   * const freed = budget.freed();
   * budget.add(-10);
   * await freed;
   * assert.ok(budget.hasRoom(10));
   * ```
   */
  freed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      this.#waiting.push(resolve);
      signal?.addEventListener("abort", () => {
        this.#waiting = this.#waiting.filter((w) => w !== resolve);
        resolve();
      }, { once: true });
    });
  }
}

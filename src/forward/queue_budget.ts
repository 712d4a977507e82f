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
  }
}

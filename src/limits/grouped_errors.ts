/**
 * Refusals reported as Loki reports them (`util.GroupedErrors`): each distinct message once,
 * prefixed `N errors like: ` when it occurred more than once or when there are several,
 * joined with `; `. Messages are listed in the order first seen (Loki's order is a map's).
 *
 * @module
 */

/** Distinct messages listed at most; later distinct ones are counted in the metrics only. */
export const MAX_DISTINCT_ERRORS = 32;

/**
 * Collects error messages and renders them in Loki's grouped form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GroupedErrors } from "./grouped_errors.ts";
 *
 * const one = new GroupedErrors();
 * one.add("bad line");
 * assert.equal(one.toString(), "bad line");
 * one.add("bad line");
 * assert.equal(one.toString(), "2 errors like: bad line");
 * one.add("old entry");
 * assert.equal(one.toString(), "2 errors like: bad line; 1 errors like: old entry");
 * assert.equal(one.count, 3);
 * ```
 */
export class GroupedErrors {
  readonly #counts = new Map<string, number>();
  /** Errors added, listed or not. */
  count = 0;

  add(message: string): void {
    this.count++;
    const n = this.#counts.get(message);
    if (n !== undefined) this.#counts.set(message, n + 1);
    else if (this.#counts.size < MAX_DISTINCT_ERRORS) this.#counts.set(message, 1);
  }

  toString(): string {
    const several = this.#counts.size > 1;
    const parts: string[] = [];
    for (const [message, n] of this.#counts) {
      parts.push(several || n > 1 ? `${n} errors like: ${message}` : message);
    }
    return parts.join("; ");
  }
}

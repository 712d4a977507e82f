/**
 * Runs stepwise work (a decode, the stream pipeline) without holding the event loop: steps run
 * back to back for up to {@link SLICE_MS}, then other requests get a turn. A small request
 * finishes within its first slice and never waits.
 *
 * @module
 */

/** Longest run of steps before other work gets a turn. */
export const SLICE_MS = 10;

/**
 * Drives `steps` to its result, yielding to the event loop between slices.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSliced } from "./run_sliced.ts";
 *
 * function* count(): Generator<undefined, number> {
 *   let n = 0;
 *   for (let i = 0; i < 1000; i++, n++) yield;
 *   return n;
 * }
 * assert.equal(await runSliced(count()), 1000);
 * ```
 */
export async function runSliced<T>(steps: Generator<undefined, T>): Promise<T> {
  let deadline = performance.now() + SLICE_MS;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() >= deadline) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      deadline = performance.now() + SLICE_MS;
    }
  }
}

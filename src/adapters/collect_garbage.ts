/**
 * A full garbage collection where the runtime offers one: `Bun.gc(true)` on Bun, V8's `gc()` on
 * Deno when it runs with `--v8-flags=--expose-gc`. The executable passes it to the relay (see
 * `Runtime.collectGarbage`).
 *
 * @module
 */

/**
 * The runtime's synchronous full collection, or `undefined` when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fullCollection } from "./collect_garbage.ts";
 *
 * const collect = fullCollection();
 * assert.ok(collect === undefined || typeof collect === "function");
 * collect?.();
 * ```
 */
export function fullCollection(): (() => void) | undefined {
  const g = globalThis as unknown as { Bun?: { gc(sync: boolean): void }; gc?: () => void };
  if (g.Bun) {
    const bun = g.Bun;
    return () => bun.gc(true);
  }
  if (typeof g.gc === "function") return g.gc;
  return undefined;
}

/**
 * The memory the relay is sized for (README, "Memory: sizing a VM"): idle + Σ
 * `queue_config.capacity` + `max_inflight_bytes`, plus a 64 MiB margin for caches, pools and
 * garbage not yet collected. The executable gives its engine the figure without the margin as the
 * RAM to size its heap by (see `adapters/memory_target.ts`). Light on purpose (no schema library):
 * the executable computes it from the config's JSON before the rest of the program loads.
 *
 * @module
 */
import type { Settings } from "./settings.ts";
import { parseSize } from "./units.ts";

/** `queue_config.capacity` when not set (Alloy's default). */
export const DEFAULT_QUEUE_CAPACITY = "10MiB";
/** `max_inflight_bytes` when not set. */
export const DEFAULT_MAX_INFLIGHT_BYTES = "32MiB";
/** What the executable holds idle, with its compression worker, rounded up (BENCHMARKS.md). */
export const IDLE_BYTES = 64 * 1024 * 1024;

/**
 * idle + Σ queue capacity + `max_inflight_bytes` of `settings`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryTargetBytes } from "./memory_bound.ts";
 * import { resolveSettings } from "./resolve_settings.ts";
 *
 * const r = resolveSettings({ forward_to: [{ url: "http://127.0.0.1:3100/loki/api/v1/push" }] });
 * assert.ok(r.ok);
 * assert.equal(memoryTargetBytes(r.settings), (64 + 10 + 32) * 1024 * 1024);
 * ```
 */
export function memoryTargetBytes(settings: Settings): number {
  const queues = settings.forward?.endpoints.reduce((n, e) => n + e.capacityBytes, 0) ?? 0;
  return IDLE_BYTES + queues + settings.receive.maxInflightBytes;
}

/**
 * The same figure read from a config's JSON before it is resolved, or `undefined` when the fields
 * it needs are not as the schema wants them (resolving the config then says why).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inputMemoryTargetBytes } from "./memory_bound.ts";
 *
 * const MiB = 1024 * 1024;
 * assert.equal(inputMemoryTargetBytes({}), (64 + 32) * MiB); // stdout: no queue
 * assert.equal(
 *   inputMemoryTargetBytes({
 *     max_inflight_bytes: "16MiB",
 *     forward_to: [{ url: "http://a" }, { url: "http://b", queue_config: { capacity: "100MiB" } }],
 *   }),
 *   (64 + 16 + 10 + 100) * MiB,
 * );
 * assert.equal(inputMemoryTargetBytes({ max_inflight_bytes: "lots" }), undefined);
 * ```
 */
export function inputMemoryTargetBytes(input: unknown): number | undefined {
  if (!isObject(input)) return undefined;
  try {
    let bytes = IDLE_BYTES +
      parseSize(sizeField(input.max_inflight_bytes, DEFAULT_MAX_INFLIGHT_BYTES));
    const endpoints = input.forward_to ?? [];
    if (!Array.isArray(endpoints)) return undefined;
    for (const e of endpoints) {
      if (!isObject(e)) return undefined;
      const queue = e.queue_config ?? {};
      if (!isObject(queue)) return undefined;
      bytes += parseSize(sizeField(queue.capacity, DEFAULT_QUEUE_CAPACITY));
    }
    return bytes;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sizeField(v: unknown, fallback: string): string | number {
  if (v === undefined) return fallback;
  if (typeof v === "string" || typeof v === "number") return v;
  throw new TypeError("not a size");
}

/**
 * The memory the relay is sized for (README, "Memory: sizing a VM"): idle + Σ
 * `queue_config.capacity` + `max_inflight_bytes` (+ what the write-ahead log keeps, when on), plus
 * the copies not yet collected and a 64 MiB margin. Under Bun the relay gives its engine the figure
 * without those margins as the RAM to size its heap by (see `adapters/memory_target.ts`). Light on
 * purpose (no schema library): it is computed from the config's JSON before the rest of the
 * program loads.
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
/** Records the write-ahead log keeps after writing them, for readers at its tail. */
export const WAL_RECENT_BYTES = 8 * 1024 * 1024;
/** What each endpoint's reader of the write-ahead log reads from disk at a time (at least). */
export const WAL_READ_BYTES = 256 * 1024;
/**
 * The copies the write-ahead log makes of each push that the engine has not collected yet: its
 * record, the copy Bun's asynchronous file write keeps until it is done, the entries each reader
 * decodes back. Measured at full load (4 clients of 1 MiB pushes, Loki answering): up to about
 * 40 MiB over the rest of the bound (BENCHMARKS.md).
 */
export const WAL_COPY_BYTES = 48 * 1024 * 1024;

/** What the write-ahead log holds live beyond the queues, for `endpoints` readers. */
export function walHeldBytes(endpoints: number): number {
  return WAL_RECENT_BYTES + endpoints * WAL_READ_BYTES;
}

/**
 * idle + Σ queue capacity + `max_inflight_bytes` of `settings`, + {@link walHeldBytes} with the
 * write-ahead log on: what the relay holds live, the figure the engine is told to stay near. The
 * bound adds the copies not yet collected ({@link WAL_COPY_BYTES} with the log on) and 64 MiB.
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
  const endpoints = settings.forward?.endpoints ?? [];
  const queues = endpoints.reduce((n, e) => n + e.capacityBytes, 0);
  const wal = settings.wal ? walHeldBytes(endpoints.length) : 0;
  return IDLE_BYTES + queues + settings.receive.maxInflightBytes + wal;
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
 * assert.equal(
 *   inputMemoryTargetBytes({ forward_to: [{ url: "http://a" }], wal: { enabled: true } }),
 *   (64 + 32 + 10 + 8 + 0.25) * MiB,
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
    const wal = input.wal ?? {};
    if (!isObject(wal)) return undefined;
    if (wal.enabled === true) bytes += walHeldBytes(endpoints.length);
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

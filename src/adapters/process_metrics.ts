/**
 * The `process_*` and `nodejs_*` metrics of the executable, real on both runtimes. prom-client's
 * default collectors read `/proc/self/status`, `/proc/self/fd` and `/proc/self/limits`; Deno
 * refuses those reads without `--allow-all`, and prom-client then reports 0, which looks like a
 * measurement. Here, when `/proc/self` cannot be read, resident memory comes from
 * `process.memoryUsage.rss()` (real on Deno and Bun) and the metrics that only `/proc` knows
 * (virtual memory, data segment, open and max file descriptors) are left out.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { collectDefaultMetrics, Gauge, type Registry } from "prom-client";

/** The metrics prom-client fills from `/proc/self` on Linux. */
export const PROC_METRICS = [
  "process_resident_memory_bytes",
  "process_virtual_memory_bytes",
  "process_heap_bytes",
  "process_open_fds",
  "process_max_fds",
];

function procReadable(): boolean {
  try {
    readFileSync("/proc/self/status", "utf8");
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers the process and runtime metrics on `registry`. `canReadProc` says whether
 * `/proc/self` can be read (asked only on Linux, where prom-client reads it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { collectProcessMetrics } from "./process_metrics.ts";
 *
 * const registry = new Registry();
 * collectProcessMetrics(registry, () => false);
 * const text = await registry.metrics();
 * const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)![1]);
 * assert.ok(rss > 1024 * 1024);
 * assert.doesNotMatch(text, /^process_open_fds /m);
 * ```
 */
export function collectProcessMetrics(
  registry: Registry,
  canReadProc: () => boolean = procReadable,
): void {
  collectDefaultMetrics({ register: registry });
  if (process.platform !== "linux" || canReadProc()) return;
  for (const name of PROC_METRICS) registry.removeSingleMetric(name);
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
}

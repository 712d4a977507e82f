/**
 * Metrics of the sending side, with Alloy's `loki_write_*` names and labels.
 *
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Why entries were not delivered. */
export type DropReason = "ingester_error" | "rate_limited" | "drain_timeout" | "queue_is_full";

/** The writer's metrics. */
export interface WriteMetrics {
  sentEntries: Counter<"host" | "tenant">;
  sentBytes: Counter<"host" | "tenant">;
  droppedEntries: Counter<"host" | "tenant" | "reason">;
  droppedBytes: Counter<"host" | "tenant" | "reason">;
  requestSize: Histogram<"host" | "tenant">;
  requestDuration: Histogram<"status_code" | "host" | "tenant">;
  retries: Counter<"host" | "tenant">;
  queueBytes: Gauge<"host">;
  refusedPushes: Counter<"host">;
}

const KiB = 1024;

/**
 * Registers the writer metrics on `registry`, or returns the ones already there (a reload
 * creates new writers on the same registry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { writeMetrics } from "./write_metrics.ts";
 *
 * const registry = new Registry();
 * writeMetrics(registry).sentEntries.inc({ host: "loki:3100", tenant: "" }, 2);
 * assert.equal(writeMetrics(registry).sentEntries, writeMetrics(registry).sentEntries);
 * assert.match(await registry.metrics(), /loki_write_sent_entries_total\{host="loki:3100",tenant=""\} 2/);
 * ```
 */
export function writeMetrics(registry: Registry): WriteMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const registers = [registry];
  const m: WriteMetrics = {
    sentEntries: new Counter({
      name: "loki_write_sent_entries_total",
      help: "Number of log entries sent to the ingester",
      labelNames: ["host", "tenant"],
      registers,
    }),
    sentBytes: new Counter({
      name: "loki_write_sent_bytes_total",
      help: "Number of bytes (lines and metadata) sent",
      labelNames: ["host", "tenant"],
      registers,
    }),
    droppedEntries: new Counter({
      name: "loki_write_dropped_entries_total",
      help: "Number of log entries dropped, by reason",
      labelNames: ["host", "tenant", "reason"],
      registers,
    }),
    droppedBytes: new Counter({
      name: "loki_write_dropped_bytes_total",
      help: "Number of bytes (lines and metadata) dropped, by reason",
      labelNames: ["host", "tenant", "reason"],
      registers,
    }),
    requestSize: new Histogram({
      name: "loki_write_request_size_bytes",
      help: "Number of bytes in each push request (snappy-compressed)",
      labelNames: ["host", "tenant"],
      buckets: [1, 4, 16, 64, 256, 512, 1024, 2048, 4096, 8192, 16384, 20480].map((k) => k * KiB),
      registers,
    }),
    requestDuration: new Histogram({
      name: "loki_write_request_duration_seconds",
      help: "Duration of push requests (status_code -1: no response)",
      labelNames: ["status_code", "host", "tenant"],
      registers,
    }),
    retries: new Counter({
      name: "loki_write_batch_retries_total",
      help: "Number of times batches have had to be retried",
      labelNames: ["host", "tenant"],
      registers,
    }),
    queueBytes: new Gauge({
      name: "lokirelay_write_queue_bytes",
      help: "Bytes held for an endpoint: queued, batching or being sent",
      labelNames: ["host"],
      registers,
    }),
    refusedPushes: new Counter({
      name: "lokirelay_write_refused_pushes_total",
      help: "Pushes refused to clients with 429 because an endpoint's queue was full",
      labelNames: ["host"],
      registers,
    }),
  };
  cache.set(registry, m);
  return m;
}

const cache = new WeakMap<Registry, WriteMetrics>();

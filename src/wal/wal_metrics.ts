/**
 * Metrics of the write-ahead log.
 *
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The WAL's metrics. */
export interface WalMetrics {
  diskBytes: Gauge;
  segments: Gauge;
  lagBytes: Gauge<"host">;
  oldestUnsentSeconds: Gauge<"host">;
  replayedEntries: Counter<"host">;
  corruptRecords: Counter;
  discardedBytes: Counter;
  fsyncSeconds: Histogram;
  refusedPushes: Counter<"reason">;
  writeErrors: Counter;
}

/**
 * Registers the WAL metrics on `registry`, or returns the ones already there (a reload opens the
 * log again on the same registry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { walMetrics } from "./wal_metrics.ts";
 *
 * const registry = new Registry();
 * walMetrics(registry).corruptRecords.inc();
 * assert.equal(walMetrics(registry), walMetrics(registry));
 * assert.match(await registry.metrics(), /^lokirelay_wal_corrupt_records_total 1$/m);
 * ```
 */
export function walMetrics(registry: Registry): WalMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const registers = [registry];
  const m: WalMetrics = {
    diskBytes: new Gauge({
      name: "lokirelay_wal_disk_bytes",
      help: "Bytes of WAL segments on disk",
      registers,
    }),
    segments: new Gauge({
      name: "lokirelay_wal_segments",
      help: "WAL segments on disk",
      registers,
    }),
    lagBytes: new Gauge({
      name: "lokirelay_wal_lag_bytes",
      help: "Bytes of the WAL an endpoint has not yet delivered or dropped",
      labelNames: ["host"],
      registers,
    }),
    oldestUnsentSeconds: new Gauge({
      name: "lokirelay_wal_oldest_unsent_seconds",
      help: "Age of the oldest entry an endpoint has not yet delivered or dropped (0: none)",
      labelNames: ["host"],
      registers,
    }),
    replayedEntries: new Counter({
      name: "lokirelay_wal_replayed_entries_total",
      help: "Entries read back from segments written before this start",
      labelNames: ["host"],
      registers,
    }),
    corruptRecords: new Counter({
      name: "lokirelay_wal_corrupt_records_total",
      help: "Records found torn or corrupt (checksum, framing or content) and cut",
      registers,
    }),
    discardedBytes: new Counter({
      name: "lokirelay_wal_discarded_bytes_total",
      help: "Bytes of WAL segments cut after a torn or corrupt record",
      registers,
    }),
    fsyncSeconds: new Histogram({
      name: "lokirelay_wal_fsync_duration_seconds",
      help: "Time of each WAL sync to disk",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    refusedPushes: new Counter({
      name: "lokirelay_wal_refused_pushes_total",
      help: "Pushes refused because the WAL could not take them (disk_bound, write_error)",
      labelNames: ["reason"],
      registers,
    }),
    writeErrors: new Counter({
      name: "lokirelay_wal_write_errors_total",
      help: "WAL writes or syncs that failed (disk full, read-only, I/O error)",
      registers,
    }),
  };
  cache.set(registry, m);
  return m;
}

const cache = new WeakMap<Registry, WalMetrics>();

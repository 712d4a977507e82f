/**
 * Metrics of the receiving side, with Alloy's `loki_source_api_*` names and labels.
 *
 * @module
 */
import { Counter, Histogram, type Registry } from "prom-client";
import { MAX_TENANT_LABELS, OTHER_TENANTS, tenantLabel } from "./tenant_label.ts";

/** The receive-side metrics of one relay. */
export interface ReceiveMetrics {
  /** `loki_source_api_entries_written`: entries handed to the writer (or stdout). */
  entriesWritten: Counter;
  /** `lokirelay_receive_entries_total{tenant}`: entries accepted and handed on, by tenant. */
  receivedEntries: Counter<"tenant">;
  /** `lokirelay_receive_bytes_total{tenant}`: their bytes of lines and metadata. */
  receivedBytes: Counter<"tenant">;
  /** The `tenant` label value of a tenant, bounded (see `tenant_label.ts`). */
  tenantLabel: (tenant: string | undefined) => string;
  /** `lokirelay_receive_skipped_entries_total{reason}`: entries not forwarded, by reason. */
  skipped: Counter<"reason">;
  /**
   * `lokirelay_discarded_entries_total{reason,tenant}`: entries refused by Loki's limits, by
   * Loki's discard reason (Loki's `loki_discarded_samples_total`).
   */
  discardedEntries: Counter<"reason" | "tenant">;
  /** `lokirelay_discarded_bytes_total{reason,tenant}`: their bytes. */
  discardedBytes: Counter<"reason" | "tenant">;
  /** `lokirelay_mutated_entries_total{reason,tenant}`: lines cut by `max_line_size_truncate`. */
  mutatedEntries: Counter<"reason" | "tenant">;
  /** `lokirelay_mutated_bytes_total{reason,tenant}`: the bytes cut off. */
  mutatedBytes: Counter<"reason" | "tenant">;
  /** `lokirelay_rate_limited_pushes_total{tenant}`: pushes refused over a rate (429 or 413). */
  rateLimited: Counter<"tenant">;
  /** `lokirelay_auth_failures_total{reason}`: requests refused 401, 403 or 429 by `auth`. */
  authFailures: Counter<"reason">;
  /** `lokirelay_auth_requests_total{credential}`: requests that authenticated, by credential name. */
  authRequests: Counter<"credential">;
  /** `loki_source_api_request_duration_seconds{method,route,status_code,ws}`. */
  requestDuration: Histogram<"method" | "route" | "status_code" | "ws">;
  /** `loki_source_api_request_message_bytes{method,route}`. */
  requestBytes: Histogram<"method" | "route">;
  /** `loki_source_api_response_message_bytes{method,route}`. */
  responseBytes: Histogram<"method" | "route">;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];
const BYTE_BUCKETS = Array.from({ length: 15 }, (_, k) => 4 * 4 ** k);

/**
 * Registers the receive metrics on `registry`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { createReceiveMetrics } from "./receive_metrics.ts";
 *
 * const registry = new Registry();
 * const m = createReceiveMetrics(registry);
 * m.entriesWritten.inc(3);
 * assert.match(await registry.metrics(), /^loki_source_api_entries_written 3$/m);
 * ```
 */
export function createReceiveMetrics(registry: Registry): ReceiveMetrics {
  const registers = [registry];
  return {
    entriesWritten: new Counter({
      name: "loki_source_api_entries_written",
      help: "Total number of log entries received and handed on",
      registers,
    }),
    receivedEntries: new Counter({
      name: "lokirelay_receive_entries_total",
      help: `Entries accepted and handed on, by tenant (the first ${MAX_TENANT_LABELS} tenants ` +
        `seen; later ones as tenant="${OTHER_TENANTS}")`,
      labelNames: ["tenant"],
      registers,
    }),
    receivedBytes: new Counter({
      name: "lokirelay_receive_bytes_total",
      help: "Bytes of lines and structured metadata accepted and handed on, by tenant",
      labelNames: ["tenant"],
      registers,
    }),
    tenantLabel: tenantLabel(),
    skipped: new Counter({
      name: "lokirelay_receive_skipped_entries_total",
      help: "Entries received but not forwarded: relabel_dropped (a rule dropped the stream), " +
        "no_labels (no label left)",
      labelNames: ["reason"],
      registers,
    }),
    discardedEntries: new Counter({
      name: "lokirelay_discarded_entries_total",
      help: "Entries refused by Loki's limits (the limits block), by Loki's discard reason",
      labelNames: ["reason", "tenant"],
      registers,
    }),
    discardedBytes: new Counter({
      name: "lokirelay_discarded_bytes_total",
      help: "Bytes of lines and structured metadata refused by Loki's limits, by reason",
      labelNames: ["reason", "tenant"],
      registers,
    }),
    mutatedEntries: new Counter({
      name: "lokirelay_mutated_entries_total",
      help: "Entries changed to fit Loki's limits (line_too_long: cut by max_line_size_truncate)",
      labelNames: ["reason", "tenant"],
      registers,
    }),
    mutatedBytes: new Counter({
      name: "lokirelay_mutated_bytes_total",
      help: "Bytes cut off lines by max_line_size_truncate",
      labelNames: ["reason", "tenant"],
      registers,
    }),
    rateLimited: new Counter({
      name: "lokirelay_rate_limited_pushes_total",
      help: 'Pushes refused over an ingestion rate (rate_limits), by tenant ("~all": the ' +
        "global rate)",
      labelNames: ["tenant"],
      registers,
    }),
    authFailures: new Counter({
      name: "lokirelay_auth_failures_total",
      help: "Requests refused by auth: missing, malformed or wrong credentials (401), busy " +
        "(429), forbidden (403, a tenant or route the credential may not use)",
      labelNames: ["reason"],
      registers,
    }),
    authRequests: new Counter({
      name: "lokirelay_auth_requests_total",
      help: "Requests that authenticated, by credential name (never the secret)",
      labelNames: ["credential"],
      registers,
    }),
    requestDuration: new Histogram({
      name: "loki_source_api_request_duration_seconds",
      help: "Time (in seconds) spent serving HTTP requests",
      labelNames: ["method", "route", "status_code", "ws"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    requestBytes: new Histogram({
      name: "loki_source_api_request_message_bytes",
      help: "Size (in bytes) of messages received in the request",
      labelNames: ["method", "route"],
      buckets: BYTE_BUCKETS,
      registers,
    }),
    responseBytes: new Histogram({
      name: "loki_source_api_response_message_bytes",
      help: "Size (in bytes) of messages sent in response",
      labelNames: ["method", "route"],
      buckets: BYTE_BUCKETS,
      registers,
    }),
  };
}

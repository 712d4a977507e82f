/**
 * The Loki writer as the relay's sink: every endpoint of `forward_to` gets every entry, with its
 * own queue, batches and retries. A push is taken by all endpoints or by none: when one queue is
 * full the client is told to retry (429), so nothing is dropped silently and memory stays bounded.
 *
 * @module
 */
import type { Registry } from "prom-client";
import type { Batch, Labels, Sink, SinkResult, Stream } from "../types.ts";
import type { Logger } from "../log/logger.ts";
import { formatLabels } from "../labels/format_labels.ts";
import type { EndpointConfig } from "./endpoint_config.ts";
import { ShardedEndpoint } from "./sharded_endpoint.ts";
import { type ResolvedClientTls, resolveEndpoint } from "./resolve_endpoint.ts";
import { writeMetrics } from "./write_metrics.ts";

/** The part of the config the writer uses. */
export interface ForwarderConfig {
  forward_to: EndpointConfig[];
  external_labels: Labels;
}

/** I/O and services of the writer; all optional but `registry` and `logger`. */
export interface ForwarderDeps {
  registry: Registry;
  logger: Logger;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Wall clock, ms since the epoch. @default Date.now */
  now?: () => number;
  /** Waits `ms` or until `signal` aborts; never rejects. @default a setTimeout */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  /** @default "lokirelay" */
  userAgent?: string;
  /** Reads secret and TLS files. Required when the config names files. */
  readFile?: (path: string) => string;
  /** Snappy compression off this thread (see `src/adapters/worker_compressor.ts`). */
  compress?: (bytes: Uint8Array) => Promise<Uint8Array>;
  /** A `fetch` for an endpoint with `tls_config` (runtime-specific; see `src/adapters/tls_fetch.ts`). */
  createFetch?: (tls: ResolvedClientTls) => typeof fetch;
}

/**
 * A sleep that ends early, without error, when `signal` aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableSleep } from "./forwarder.ts";
 *
 * const c = new AbortController();
 * const t = Date.now();
 * setTimeout(() => c.abort(), 10);
 * await abortableSleep(60_000, c.signal);
 * assert.ok(Date.now() - t < 5000);
 * ```
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Creates the writer for `forward_to`.
 *
 * @throws {Error} when a secret or TLS file cannot be read, or TLS is asked without `createFetch`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { createForwarder } from "./forwarder.ts";
 * import { endpointSchema } from "./endpoint_config.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const bodies: number[] = [];
 * const sink = createForwarder(
 *   { forward_to: [endpointSchema.parse({ url: "http://loki/push" })], external_labels: {} },
 *   {
 *     registry: new Registry(),
 *     logger: silentLogger,
 *     fetch: async (_u, init) => {
 *       bodies.push((init!.body as Uint8Array).byteLength);
 *       return new Response(null, { status: 204 });
 *     },
 *   },
 * );
 * const r = sink.push({
 *   streams: [{ labels: { a: "1" }, key: '{a="1"}', entries: [{ seconds: 1, nanos: 0, line: "x" }] }],
 *   entryCount: 1,
 *   byteSize: 1,
 * });
 * assert.deepEqual(r, { status: "ok" });
 * await sink.close();
 * assert.equal(bodies.length, 1);
 * ```
 */
export function createForwarder(config: ForwarderConfig, deps: ForwarderDeps): Sink {
  const metrics = writeMetrics(deps.registry);
  const readFile = deps.readFile ?? ((path: string) => {
    throw new Error(`no file reader to read ${path}`);
  });
  const writers = config.forward_to.map((e, i) => {
    const ep = resolveEndpoint(e, readFile, i);
    let fetchFn = deps.fetch ?? globalThis.fetch;
    if (ep.tls) {
      if (!deps.createFetch) throw new Error(`forward_to[${i}].tls_config needs a runtime adapter`);
      fetchFn = deps.createFetch(ep.tls);
    }
    return new ShardedEndpoint(ep, {
      fetch: fetchFn,
      now: deps.now ?? Date.now,
      sleep: deps.sleep ?? abortableSleep,
      random: deps.random ?? Math.random,
      metrics,
      logger: deps.logger,
      userAgent: deps.userAgent ?? "lokirelay",
      compress: deps.compress,
    });
  });
  const external = createExternalLabels(config.external_labels);
  let closing: Promise<void> | undefined;
  const full = (w: ShardedEndpoint): SinkResult => {
    metrics.refusedPushes.inc({ host: w.endpoint.host });
    return {
      status: "full",
      retryAfterSeconds: Math.max(1, Math.ceil(w.endpoint.minBackoffMs / 1000)),
      reason: `the queue for ${w.endpoint.host} is full ` +
        `(${w.budget.held} of ${w.endpoint.capacityBytes} bytes)`,
    };
  };
  /** `block_on_overflow: false`: this endpoint's copy of the push is dropped, counted and logged. */
  const overflow = (w: ShardedEndpoint, tenant: string, batch: Batch) => {
    const labels = { host: w.endpoint.host, tenant, reason: "queue_is_full" };
    metrics.droppedEntries.inc(labels, batch.entryCount);
    metrics.droppedBytes.inc(labels, batch.byteSize);
    deps.logger.error("entries dropped", {
      endpoint: w.endpoint.host,
      tenant: tenant || undefined,
      reason: "queue_is_full",
      entries: batch.entryCount,
      error: `the queue holds ${w.budget.held} of ${w.endpoint.capacityBytes} bytes`,
    });
  };
  const blocking = writers.filter((w) => w.endpoint.blockOnOverflow);
  return {
    ready(): SinkResult {
      if (closing) return { status: "closed" };
      const w = blocking.find((w) => !w.budget.hasRoom(1));
      return w ? full(w) : { status: "ok" };
    },
    push(batch: Batch): SinkResult {
      if (closing) return { status: "closed" };
      for (const w of blocking) {
        if (!w.budget.hasRoom(batch.byteSize)) return full(w);
      }
      const streams = external(batch.streams);
      for (const w of writers) {
        const tenant = batch.tenant ?? w.endpoint.tenantId ?? "";
        if (w.budget.hasRoom(batch.byteSize)) w.take(tenant, streams, batch.byteSize);
        else overflow(w, tenant, batch);
      }
      return { status: "ok" };
    },
    close() {
      closing ??= Promise.all(writers.map((w) => w.close())).then(() => {});
      return closing;
    },
  };
}

/** Puts `external_labels` under each stream's labels (the stream's own win), cached by key. */
function createExternalLabels(labels: Labels): (streams: Stream[]) => Stream[] {
  const names = Object.keys(labels);
  if (names.length === 0) return (streams) => streams;
  const cache = new Map<string, { labels: Labels; key: string }>();
  return (streams) =>
    streams.map((s) => {
      let merged = cache.get(s.key);
      if (merged === undefined) {
        const all = { ...labels, ...s.labels };
        merged = { labels: all, key: formatLabels(all) };
        if (cache.size >= 10_000) cache.clear();
        cache.set(s.key, merged);
      }
      return { labels: merged.labels, key: merged.key, entries: s.entries };
    });
}

/**
 * One sender to a Loki endpoint (a shard of it): batches per tenant (sent at `batch_size` or
 * `batch_wait`), one request at a time, retries with backoff on 429, 5xx and connection errors,
 * and a drain on close. Every entry taken is sent, or counted and logged as dropped with its
 * reason.
 *
 * @module
 */
import type { Stream } from "../types.ts";
import type { Runtime } from "../runtime.ts";
import type { Logger } from "../log/logger.ts";
import type { EndpointSettings } from "../config/settings.ts";
import { snappyCompress } from "../codec/snappy_block.ts";
import { backoffDelay, parseRetryAfter } from "./backoff.ts";
import { fillBatches, type OpenBatch, type SealedBatch } from "./batch.ts";
import { sendPush } from "./send.ts";
import type { DropReason, WriteMetrics } from "./write_metrics.ts";
import type { QueueBudget } from "./queue_budget.ts";
import type { DeliveryTicket } from "./delivery_ticket.ts";

/**
 * What a shard uses: the runtime's clock, sleep, jitter, HTTP client and compressor (when a
 * compressor is given, a batch is compressed as soon as it is sealed, and if it fails the batch
 * is assembled again and compressed here), plus metrics, log and the `User-Agent`.
 */
export type ShardDeps = Pick<Runtime, "fetch" | "now" | "sleep" | "random" | "compress"> & {
  metrics: WriteMetrics;
  logger: Logger;
  userAgent: string;
  /**
   * The entries are also in the write-ahead log: a batch Loki cannot take for a retryable reason
   * is retried until it is delivered (the log, not the retry count, bounds what waits), and a
   * batch not sent before a stop is left to the log instead of being dropped.
   */
  durable?: boolean;
};

/**
 * One sender to an endpoint: its own batches and one request at a time. An endpoint with
 * `min_shards` > 1 has several, sharing one {@link QueueBudget}.
 */
export class Shard {
  readonly endpoint: EndpointSettings;
  readonly budget: QueueBudget;
  #deps: ShardDeps;
  #open = new Map<string, OpenBatch>();
  #ready: SealedBatch[] = [];
  #wake: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #stop = new AbortController();
  #pump: Promise<void>;

  constructor(endpoint: EndpointSettings, deps: ShardDeps, budget: QueueBudget) {
    this.endpoint = endpoint;
    this.budget = budget;
    this.#deps = deps;
    this.#pump = this.#run();
  }

  /**
   * Takes the streams of one push for `tenant` ("" for none); every batch that gets some of
   * them holds `ticket`. Ask `budget.hasRoom` first.
   */
  take(tenant: string, streams: Stream[], ticket?: DeliveryTicket): void {
    const current = this.#open.get(tenant);
    const { sealed, open, queued } = fillBatches(current, streams, {
      tenant,
      maxBytes: this.endpoint.batchSizeBytes,
      ticket,
    });
    this.budget.add(queued);
    for (const batch of sealed) this.#enqueue(batch);
    if (open.bytes >= this.endpoint.batchSizeBytes) {
      this.#open.delete(tenant);
      this.#enqueue(open.seal());
    } else {
      this.#open.set(tenant, open);
      if (open !== current) this.#sealLater(tenant, open);
    }
    if (this.#ready.length > 0) this.#wake?.();
  }

  /** Stops taking, sends what is held for up to `drain_timeout`, drops (and counts) the rest. */
  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    for (const batch of this.#open.values()) this.#enqueue(batch.seal());
    this.#open.clear();
    const timer = new AbortController();
    const deadline = this.#deps.sleep(this.endpoint.drainTimeoutMs, timer.signal);
    this.#wake?.();
    await Promise.race([this.#pump, deadline]);
    timer.abort();
    this.#stop.abort();
    this.#wake?.();
    await this.#pump;
  }

  #sealLater(tenant: string, batch: OpenBatch): void {
    this.#deps.sleep(this.endpoint.batchWaitMs, this.#stop.signal).then(() => {
      if (this.#open.get(tenant) !== batch) return;
      this.#open.delete(tenant);
      this.#enqueue(batch.seal());
      this.#wake?.();
    });
  }

  #enqueue(batch: SealedBatch): void {
    if (this.#deps.compress) this.#block(batch);
    else batch.freeze(); // compressed here when sent; until then only the exact protobuf is kept
    this.#ready.push(batch);
  }

  /**
   * The batch's snappy block. Off this thread when a compressor is given: it may take the
   * protobuf it is handed, so if it fails the protobuf is assembled again and compressed here.
   */
  #block(batch: SealedBatch): Promise<Uint8Array> {
    if (batch.block === undefined) {
      const compress = this.#deps.compress;
      const here = () => snappyCompress(batch.body());
      batch.block = (compress ? compress(batch.body()).catch(here) : Promise.resolve(here()))
        .finally(() => batch.release());
    }
    return batch.block;
  }

  async #run(): Promise<void> {
    for (;;) {
      const batch = this.#ready.shift();
      if (batch) {
        await this.#deliver(batch);
        continue;
      }
      if (this.#closing && this.#open.size === 0) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  async #deliver(batch: SealedBatch): Promise<void> {
    const ep = this.endpoint;
    const labels = { host: ep.host, tenant: batch.tenant };
    const body = await this.#block(batch);
    const headers: Record<string, string> = {
      ...ep.headers,
      "content-type": "application/x-protobuf",
      "user-agent": this.#deps.userAgent,
    };
    if (batch.tenant !== "") headers["x-scope-orgid"] = batch.tenant;
    else delete headers["x-scope-orgid"];
    for (let attempt = 1;; attempt++) {
      if (this.#stop.signal.aborted) {
        if (this.#deps.durable) return this.#leave(batch);
        return this.#drop(batch, "drain_timeout", -1, "not sent before the drain timeout");
      }
      const started = this.#deps.now();
      const r = await sendPush({
        fetch: this.#deps.fetch,
        url: ep.url,
        body,
        headers,
        timeoutMs: ep.timeoutMs,
        signal: this.#stop.signal,
      });
      const m = this.#deps.metrics;
      m.requestDuration.observe(
        { ...labels, status_code: String(r.status) },
        (this.#deps.now() - started) / 1000,
      );
      m.requestSize.observe(labels, body.byteLength);
      if (r.status >= 200 && r.status < 300) {
        m.sentEntries.inc(labels, batch.entries);
        m.sentBytes.inc(labels, batch.bytes);
        this.budget.add(-batch.queued);
        return batch.settle("done");
      }
      if (this.#stop.signal.aborted) {
        if (this.#deps.durable) return this.#leave(batch);
        return this.#drop(batch, "drain_timeout", r.status, r.error);
      }
      const retryable = r.status === -1 || r.status >= 500 || (r.status === 429 && ep.retryOn429);
      const reason: DropReason = r.status === 429 ? "rate_limited" : "ingester_error";
      const exhausted = !this.#deps.durable && ep.maxRetries > 0 && attempt >= ep.maxRetries;
      if (!retryable || exhausted) {
        return this.#drop(batch, reason, r.status, r.error, attempt);
      }
      const retryAfter = parseRetryAfter(r.retryAfter ?? null, this.#deps.now());
      const wait = retryAfter !== undefined
        ? Math.min(retryAfter, ep.maxBackoffMs)
        : backoffDelay(attempt, ep.minBackoffMs, ep.maxBackoffMs, this.#deps.random);
      m.retries.inc(labels);
      this.#deps.logger.warn("push failed, retrying", {
        endpoint: ep.host,
        tenant: batch.tenant || undefined,
        status: r.status,
        attempt,
        retry_in_ms: Math.round(wait),
        error: r.error,
      });
      await this.#deps.sleep(wait, this.#stop.signal);
    }
  }

  #drop(
    batch: SealedBatch,
    reason: DropReason,
    status: number,
    error: string | undefined,
    attempts?: number,
  ): void {
    const labels = { host: this.endpoint.host, tenant: batch.tenant, reason };
    this.#deps.metrics.droppedEntries.inc(labels, batch.entries);
    this.#deps.metrics.droppedBytes.inc(labels, batch.bytes);
    this.#deps.logger.error("entries dropped", {
      endpoint: this.endpoint.host,
      tenant: batch.tenant || undefined,
      reason,
      status,
      entries: batch.entries,
      attempts,
      error,
    });
    this.budget.add(-batch.queued);
    batch.settle("done");
  }

  /** The relay stops before the batch was sent: its entries stay in the write-ahead log. */
  #leave(batch: SealedBatch): void {
    this.#deps.logger.info("entries left in the write-ahead log", {
      endpoint: this.endpoint.host,
      tenant: batch.tenant || undefined,
      entries: batch.entries,
    });
    this.budget.add(-batch.queued);
    batch.settle("left");
  }
}

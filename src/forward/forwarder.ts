/**
 * The Loki forwarder, the relay's sink when `forward_to` is set: every endpoint gets every entry,
 * with its own queue, batches and retries. An offer is taken by all endpoints or by none: when one
 * queue is full the client is told to retry (429), so nothing is dropped silently and memory
 * stays bounded.
 *
 * @module
 */
import type { Registry } from "prom-client";
import type { Accepted, Sink, SinkResult, Stream } from "../types.ts";
import type { Runtime } from "../runtime.ts";
import type { Logger } from "../log/logger.ts";
import type { ForwardSettings } from "../config/settings.ts";
import { queuedEntryBytes, queuedStreamBytes } from "../codec/wire_entry.ts";
import { Endpoint } from "./endpoint.ts";
import { writeMetrics } from "./write_metrics.ts";
import { createExternalLabels } from "./external_labels.ts";
import { type TenantGroup, tenantGroups } from "../tenant_groups.ts";

/** What the smallest push (one empty entry in one stream) adds to a queue. */
const SMALLEST_PUSH = queuedStreamBytes("{}") +
  queuedEntryBytes({ seconds: 0, nanos: 0, line: "" });

/** What the forwarder uses of the runtime, plus its services. */
export type ForwarderDeps =
  & Pick<Runtime, "fetch" | "now" | "sleep" | "random" | "compress" | "tlsFetch">
  & { registry: Registry; logger: Logger; userAgent: string };

/**
 * The sink that forwards to Loki.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { Forwarder } from "./forwarder.ts";
 * import { resolveSettings } from "../config/resolve_settings.ts";
 * import { createRuntime } from "../runtime.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const resolved = resolveSettings({ forward_to: [{ url: "http://loki/push" }] });
 * assert.ok(resolved.ok);
 * const bodies: number[] = [];
 * const sink = new Forwarder(resolved.settings.forward!, {
 *   ...createRuntime({
 *     fetch: async (_u, init) => {
 *       bodies.push((init!.body as Uint8Array).byteLength);
 *       return new Response(null, { status: 204 });
 *     },
 *   }),
 *   registry: new Registry(),
 *   logger: silentLogger,
 *   userAgent: "lokirelay",
 * });
 * const r = sink.offer({
 *   streams: [{ labels: { a: "1" }, key: '{a="1"}', entries: [{ seconds: 1, nanos: 0, line: "x" }] }],
 *   entryCount: 1,
 *   byteSize: 1,
 *   queuedBytes: 300,
 * });
 * assert.deepEqual(r, { status: "ok" });
 * await sink.close();
 * assert.equal(bodies.length, 1);
 * ```
 */
export class Forwarder implements Sink {
  /** The endpoints, in `forward_to` order. */
  readonly endpoints: readonly Endpoint[];
  #blocking: Endpoint[];
  #external: (streams: Stream[]) => Stream[];
  #metrics;
  #logger: Logger;
  #sleep: ForwarderDeps["sleep"];
  #closing: Promise<void> | undefined;

  /**
   * Builds the endpoints of `settings`; where `carried[i]` is given (an endpoint of a retired
   * forwarder with identical settings, see `diffSettings`), it is used as it is, queue included.
   *
   * @throws {Error} when an endpoint has `tls_config` and the runtime has no `tlsFetch`
   */
  constructor(
    settings: ForwardSettings,
    deps: ForwarderDeps,
    carried: readonly (Endpoint | undefined)[] = [],
  ) {
    this.#metrics = writeMetrics(deps.registry);
    this.#logger = deps.logger;
    this.#sleep = deps.sleep;
    this.endpoints = settings.endpoints.map((ep, i) => {
      const kept = carried[i];
      if (kept) return kept;
      let fetch = deps.fetch;
      if (ep.tls) {
        if (!deps.tlsFetch) throw new Error(`forward_to[${i}].tls_config needs a runtime adapter`);
        fetch = deps.tlsFetch(ep.tls);
      }
      return new Endpoint(ep, { ...deps, fetch, metrics: this.#metrics });
    });
    this.#blocking = this.endpoints.filter((e) => e.endpoint.blockOnOverflow);
    this.#external = createExternalLabels(settings.externalLabels);
  }

  /**
   * Whether a push of at least `bytes` could be taken. A full queue waits up to `waitMs` for room
   * (as Alloy blocks a push while its queue is full, but bounded), then answers `full`: a Loki
   * that recovers within it loses no push, and a client that retries at once is slowed to one
   * try per wait.
   */
  hasRoom(waitMs = 0, bytes = 0): SinkResult | Promise<SinkResult> {
    const need = Math.max(bytes, SMALLEST_PUSH);
    return this.#whenRoom(need, waitMs, () => ({ status: "ok" }));
  }

  /**
   * Takes `accepted` into every endpoint's queue, or none of it. Where a blocking queue is full
   * it waits up to `waitMs` for room, then answers `full`.
   */
  offer(accepted: Accepted, waitMs = 0): SinkResult | Promise<SinkResult> {
    return this.#whenRoom(accepted.queuedBytes, waitMs, () => this.#take(accepted));
  }

  /** Runs `then` once every blocking queue has room for `bytes`, waiting up to `waitMs`. */
  #whenRoom(
    bytes: number,
    waitMs: number,
    then: () => SinkResult,
  ): SinkResult | Promise<SinkResult> {
    if (this.#closing) return { status: "closed" };
    const full = this.#blocking.find((e) => !e.budget.hasRoom(bytes));
    if (!full) return then();
    if (waitMs <= 0) return this.#full(full);
    return this.#waitForRoom(bytes, waitMs, then);
  }

  async #waitForRoom(
    bytes: number,
    waitMs: number,
    then: () => SinkResult,
  ): Promise<SinkResult> {
    const timer = new AbortController();
    let late = false;
    const deadline = this.#sleep(waitMs, timer.signal).then(() => (late = true));
    try {
      for (;;) {
        if (this.#closing) return { status: "closed" };
        const full = this.#blocking.find((e) => !e.budget.hasRoom(bytes));
        if (!full) return then();
        if (late) return this.#full(full);
        await Promise.race([full.budget.freed(timer.signal), deadline]);
      }
    } finally {
      timer.abort();
    }
  }

  #take(accepted: Accepted): SinkResult {
    const bytes = accepted.queuedBytes;
    const groups = tenantGroups(accepted).map((g) => ({
      ...g,
      streams: this.#external(g.streams),
    }));
    for (const e of this.endpoints) {
      if (!e.budget.hasRoom(bytes)) {
        for (const g of groups) this.#overflow(e, g.tenant ?? e.endpoint.tenantId ?? "", g);
        continue;
      }
      for (const g of groups) e.take(g.tenant ?? e.endpoint.tenantId ?? "", g.streams);
    }
    return { status: "ok" };
  }

  /** Stops taking entries; every endpoint drains what it holds within its `drain_timeout`. */
  close(): Promise<void> {
    return this.retire(new Set());
  }

  /**
   * Stops taking entries and drains the endpoints not in `kept` (they carry over to the
   * forwarder that replaces this one on a reload).
   */
  retire(kept: ReadonlySet<Endpoint>): Promise<void> {
    this.#closing ??= Promise.all(
      this.endpoints.filter((e) => !kept.has(e)).map((e) => e.close()),
    ).then(() => {});
    return this.#closing;
  }

  #full(e: Endpoint): SinkResult {
    this.#metrics.refusedPushes.inc({ host: e.endpoint.host });
    return {
      status: "full",
      retryAfterSeconds: Math.max(1, Math.ceil(e.endpoint.minBackoffMs / 1000)),
      reason: `the queue for ${e.endpoint.host} is full ` +
        `(${e.budget.held} of ${e.endpoint.capacityBytes} bytes)`,
    };
  }

  /** `block_on_overflow: false`: this endpoint's copy is dropped, counted and logged. */
  #overflow(e: Endpoint, tenant: string, accepted: TenantGroup): void {
    const labels = { host: e.endpoint.host, tenant, reason: "queue_is_full" };
    this.#metrics.droppedEntries.inc(labels, accepted.entryCount);
    this.#metrics.droppedBytes.inc(labels, accepted.byteSize);
    this.#logger.error("entries dropped", {
      endpoint: e.endpoint.host,
      tenant: tenant || undefined,
      reason: "queue_is_full",
      entries: accepted.entryCount,
      error: `the queue holds ${e.budget.held} of ${e.endpoint.capacityBytes} bytes`,
    });
  }
}

/**
 * The numbers behind the status page, derived from the metrics registry the relay already fills:
 * sampled about once a second into fixed-size rings of per-second rates (see `rate_ring.ts`),
 * read whole when `/status` is asked.
 *
 * Memory is bounded: {@link HISTORY_SECONDS} rates (8 bytes each) per series, and the series are
 * the tenants of `lokirelay_receive_entries_total` (at most `MAX_TENANT_LABELS` + 1) and the
 * configured endpoints, two each (entries and bytes), plus two totals: with 51 tenants and 4
 * endpoints, 112 rings of 2.4 KB, about 270 KB.
 *
 * @module
 */
import type { Registry } from "prom-client";
import type { Settings } from "../config/settings.ts";
import { RateRing } from "./rate_ring.ts";

/** Seconds of per-second rates kept for each series. */
export const HISTORY_SECONDS = 300;
/** Seconds the "now" rate averages over. */
export const NOW_SECONDS = 10;

/** A rate now, its history and its total. */
export interface RateView {
  /** Mean rate over the last {@link NOW_SECONDS} seconds. */
  per_second: number;
  total: number;
  /** Per-second rates, oldest first, up to {@link HISTORY_SECONDS}. */
  history: number[];
}

/** Entries and bytes of one series. */
export interface FlowView {
  entries: RateView;
  bytes: RateView;
}

/** One `forward_to` endpoint. */
export interface EndpointView {
  host: string;
  url: string;
  /** Delivered to Loki. */
  sent: FlowView;
  queue: { bytes: number; capacity: number };
  retries_total: number;
  /** Entries dropped, by reason. */
  dropped: Record<string, number>;
  /** Pushes answered 429 because this queue was full. */
  refused_pushes_total: number;
}

/** What the sampler knows. */
export interface SampledStatus {
  /** Everything accepted (all tenants). */
  received: FlowView;
  /** Accepted per tenant (`""`: none; `~other`: past the label bound), busiest first. */
  tenants: (FlowView & { tenant: string })[];
  endpoints: EndpointView[];
  /** Entries received but not forwarded, by reason (`relabel_dropped`, `no_labels`). */
  skipped: Record<string, number>;
  /** Push and raw requests answered, by status code. */
  responses: Record<string, number>;
  /** From the executable's reload gauges; `null` when the host reports none. */
  reload: { ok: boolean | null; last_success: string | null };
}

interface Flow {
  entries: RateRing;
  bytes: RateRing;
}

type Values = { value: number; labels: Record<string, string | number> }[];

const PUSH_ROUTES = new Set(["loki_api_v1_push", "api_v1_push", "loki_api_v1_raw", "api_v1_raw"]);

function newFlow(): Flow {
  return { entries: new RateRing(HISTORY_SECONDS), bytes: new RateRing(HISTORY_SECONDS) };
}

function rateView(ring: RateRing, history: boolean, total: number): RateView {
  return {
    per_second: round(ring.average(NOW_SECONDS)),
    total,
    history: history ? ring.history().map(round) : [],
  };
}

function flowView(flow: Flow, history: boolean, totals: [number, number]): FlowView {
  return {
    entries: rateView(flow.entries, history, totals[0]),
    bytes: rateView(flow.bytes, history, totals[1]),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Sums `values` by the label `by`. */
function sumBy(values: Values, by: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) {
    const key = String(v.labels[by] ?? "");
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

/**
 * Samples the relay's metrics into rate rings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { StatusSampler } from "./status_sampler.ts";
 * import { createReceiveMetrics } from "../receive/receive_metrics.ts";
 * import { resolveSettings } from "../config/resolve_settings.ts";
 *
 * const registry = new Registry();
 * const m = createReceiveMetrics(registry);
 * const r = resolveSettings({});
 * assert.ok(r.ok);
 * let now = 0;
 * const sampler = new StatusSampler(registry, () => now, () => r.settings);
 * await sampler.sample();
 * m.receivedEntries.inc({ tenant: "team-a" }, 30);
 * m.receivedBytes.inc({ tenant: "team-a" }, 3000);
 * now = 1000;
 * await sampler.sample();
 * const status = await sampler.read();
 * assert.equal(status.tenants[0].tenant, "team-a");
 * assert.equal(status.tenants[0].entries.per_second, 30);
 * assert.deepEqual(status.tenants[0].bytes.history, [3000]);
 * assert.equal(status.received.bytes.total, 3000);
 * ```
 */
export class StatusSampler {
  readonly #registry: Registry;
  readonly #now: () => number;
  readonly #settings: () => Settings;
  readonly #received = newFlow();
  readonly #tenants = new Map<string, Flow>();
  readonly #hosts = new Map<string, Flow>();
  /** When the last sample was taken: a series first seen after it started from 0 then. */
  #lastAt: number | undefined;

  constructor(registry: Registry, now: () => number, settings: () => Settings) {
    this.#registry = registry;
    this.#now = now;
    this.#settings = settings;
  }

  async #values(name: string): Promise<Values> {
    const metric = this.#registry.getSingleMetric(name);
    if (!metric) return [];
    return (await metric.get()).values as Values;
  }

  /** The counters' values now: per tenant and per host, entries and bytes. */
  async #counters() {
    const [entries, bytes, sentEntries, sentBytes] = await Promise.all([
      this.#values("lokirelay_receive_entries_total"),
      this.#values("lokirelay_receive_bytes_total"),
      this.#values("loki_write_sent_entries_total"),
      this.#values("loki_write_sent_bytes_total"),
    ]);
    const tenantEntries = sumBy(entries, "tenant");
    const tenantBytes = sumBy(bytes, "tenant");
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
      tenantEntries,
      tenantBytes,
      allEntries: sum(tenantEntries),
      allBytes: sum(tenantBytes),
      hostEntries: sumBy(sentEntries, "host"),
      hostBytes: sumBy(sentBytes, "host"),
    };
  }

  /** Reads the counters once and adds a rate to every ring. */
  async sample(): Promise<void> {
    const { tenantEntries, tenantBytes, allEntries, allBytes, hostEntries, hostBytes } = await this
      .#counters();
    const at = this.#now();
    for (const [tenant, value] of tenantEntries) {
      let flow = this.#tenants.get(tenant);
      if (!flow) this.#tenants.set(tenant, flow = this.#newSeries());
      flow.entries.sample(value, at);
      flow.bytes.sample(tenantBytes.get(tenant) ?? 0, at);
    }
    this.#received.entries.sample(allEntries, at);
    this.#received.bytes.sample(allBytes, at);
    const hosts = new Set(this.#endpoints().map((e) => e.host));
    for (const host of this.#hosts.keys()) if (!hosts.has(host)) this.#hosts.delete(host);
    for (const host of hosts) {
      let flow = this.#hosts.get(host);
      if (!flow) this.#hosts.set(host, flow = this.#newSeries());
      flow.entries.sample(hostEntries.get(host) ?? 0, at);
      flow.bytes.sample(hostBytes.get(host) ?? 0, at);
    }
    this.#lastAt = at;
  }

  /** A series seen for the first time: it was at 0 when the last sample was taken. */
  #newSeries(): Flow {
    const flow = newFlow();
    if (this.#lastAt !== undefined) {
      flow.entries.sample(0, this.#lastAt);
      flow.bytes.sample(0, this.#lastAt);
    }
    return flow;
  }

  #endpoints() {
    return this.#settings().forward?.endpoints ?? [];
  }

  /**
   * What is known now: totals as the counters are now, rates as sampled. Without `history`, the
   * rate histories are left empty.
   */
  async read(history = true): Promise<SampledStatus> {
    const counters = await this.#counters();
    const [queue, retries, dropped, refused, skipped, durations, reloadOk, reloadTime] =
      await Promise.all([
        this.#values("lokirelay_write_queue_bytes"),
        this.#values("loki_write_batch_retries_total"),
        this.#values("loki_write_dropped_entries_total"),
        this.#values("lokirelay_write_refused_pushes_total"),
        this.#values("lokirelay_receive_skipped_entries_total"),
        this.#values("loki_source_api_request_duration_seconds"),
        this.#values("lokirelay_config_last_reload_successful"),
        this.#values("lokirelay_config_last_reload_success_timestamp_seconds"),
      ]);
    const queueBytes = sumBy(queue, "host");
    const retriesByHost = sumBy(retries, "host");
    const refusedByHost = sumBy(refused, "host");
    const endpoints = this.#endpoints().map((e): EndpointView => {
      const drops: Record<string, number> = {};
      for (const v of dropped) {
        if (v.labels.host !== e.host) continue;
        const reason = String(v.labels.reason);
        drops[reason] = (drops[reason] ?? 0) + v.value;
      }
      return {
        host: e.host,
        url: e.url,
        sent: flowView(this.#hosts.get(e.host) ?? newFlow(), history, [
          counters.hostEntries.get(e.host) ?? 0,
          counters.hostBytes.get(e.host) ?? 0,
        ]),
        queue: { bytes: queueBytes.get(e.host) ?? 0, capacity: e.capacityBytes },
        retries_total: retriesByHost.get(e.host) ?? 0,
        dropped: drops,
        refused_pushes_total: refusedByHost.get(e.host) ?? 0,
      };
    });
    const responses: Record<string, number> = {};
    for (const v of durations) {
      if (!String(v.labels.route ?? "").length || !PUSH_ROUTES.has(String(v.labels.route))) {
        continue;
      }
      if (!("status_code" in v.labels) || "le" in v.labels || v.value === 0) continue;
      if (!(v as { metricName?: string }).metricName?.endsWith("_count")) continue;
      const code = String(v.labels.status_code);
      responses[code] = (responses[code] ?? 0) + v.value;
    }
    const tenants = [...counters.tenantEntries.keys()].map((tenant) => ({
      tenant,
      ...flowView(this.#tenants.get(tenant) ?? newFlow(), history, [
        counters.tenantEntries.get(tenant) ?? 0,
        counters.tenantBytes.get(tenant) ?? 0,
      ]),
    })).sort((a, b) =>
      b.entries.per_second - a.entries.per_second || b.entries.total - a.entries.total
    );
    const reloadSeconds = reloadTime[0]?.value;
    return {
      received: flowView(this.#received, history, [counters.allEntries, counters.allBytes]),
      tenants,
      endpoints,
      skipped: Object.fromEntries(sumBy(skipped, "reason")),
      responses,
      reload: {
        ok: reloadOk.length > 0 ? reloadOk[0].value === 1 : null,
        last_success: reloadSeconds ? new Date(reloadSeconds * 1000).toISOString() : null,
      },
    };
  }
}

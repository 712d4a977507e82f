/**
 * The relay as one web-standard `fetch(request)` handler: every runtime adapter, test and
 * embedding calls it. No runtime global is used here; I/O comes in through `deps`.
 *
 * @module
 */
import { Registry } from "prom-client";
import type { Sink } from "./types.ts";
import type { Config, ConfigInput } from "./config/config_schema.ts";
import { parseConfig } from "./config/parse_config.ts";
import { type Logger, silentLogger } from "./log/logger.ts";
import { createReceiveMetrics } from "./metrics/receive_metrics.ts";
import { createStdoutSink } from "./sinks/stdout_sink.ts";
import { createForwarder, type ForwarderConfig } from "./forward/forwarder.ts";
import type { ResolvedClientTls } from "./forward/resolve_endpoint.ts";
import { VERSION } from "./version.ts";
import { createReceiveClock } from "./receive/receive_clock.ts";
import type { ReceiveContext } from "./receive/receive_context.ts";
import { receiveSettings } from "./receive/receive_settings.ts";
import { handlePush } from "./receive/push_route.ts";
import { handleRaw } from "./receive/raw_route.ts";
import { bodyBytesRead } from "./http/read_body.ts";
import { InflightBudget } from "./http/inflight_budget.ts";
import { emptyResponse, errorReason, errorResponse, textResponse } from "./http/responses.ts";

/** I/O and shared services handed to the relay. Every field is optional. */
export interface RelayDeps {
  /** Wall clock in milliseconds since the epoch (may be fractional). @default performance time */
  now?: () => number;
  /** Where the stdout sink writes when no `forward_to` is configured. @default console.log */
  stdout?: (text: string) => void;
  /** The relay's own log. @default a logger that writes nothing */
  logger?: Logger;
  /** Metrics registry served on `/metrics`. @default a new registry */
  registry?: Registry;
  /** Replaces the sink built from the config (stdout or the Loki writer). */
  sink?: Sink;
  /** The writer's HTTP client. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The writer's waits (batch_wait, backoff, drain); ends early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Jitter source of the backoff. @default Math.random */
  random?: () => number;
  /** Reads secret and TLS files named in `forward_to`. */
  readFile?: (path: string) => string;
  /**
   * Snappy compression off this thread for the writer (see `src/adapters/worker_compressor.ts`):
   * batches are then compressed as soon as they are full. @default compress on this thread
   */
  compress?: (bytes: Uint8Array) => Promise<Uint8Array>;
  /** A `fetch` for an endpoint with `tls_config` (see `src/adapters/tls_fetch.ts`). */
  createFetch?: (tls: ResolvedClientTls) => typeof fetch;
  /**
   * Called by `POST /-/reload`: re-read the configuration and apply it (the executable passes
   * one that reads the config file). Without it the route answers 404.
   */
  reload?: () => Promise<ReloadResult>;
}

/** The outcome of a reload: applied, or refused with every error (the old config stays). */
export type ReloadResult = { ok: true } | { ok: false; errors: string[] };

/** A running relay. */
export interface Relay {
  /** Serves one HTTP request. Never throws. */
  fetch(request: Request): Promise<Response>;
  /** Stops taking entries and drains what is queued. */
  close(): Promise<void>;
  /**
   * Swaps in a new configuration without dropping connections or queued entries: labels, rules,
   * limits and the sink. A sink that changes is closed in the background, so what it holds is
   * still delivered. The listener is the caller's business (see `main.ts`).
   */
  reload(config: ConfigInput): ReloadResult;
  /** The metrics registry (`/metrics`). */
  readonly registry: Registry;
}

type Handler = (request: Request, ctx: ReceiveContext) => Promise<Response> | Response;

const ROUTES: Record<string, { method: string; route: string; handler: Handler }> = {
  "/loki/api/v1/push": { method: "POST", route: "loki_api_v1_push", handler: handlePush },
  "/api/v1/push": { method: "POST", route: "api_v1_push", handler: handlePush },
  "/loki/api/v1/raw": { method: "POST", route: "loki_api_v1_raw", handler: handleRaw },
  "/api/v1/raw": { method: "POST", route: "api_v1_raw", handler: handleRaw },
  "/ready": { method: "GET", route: "ready", handler: () => textResponse(200, "ready") },
};

/**
 * Creates a relay from a configuration (as in the config file; defaults filled in).
 *
 * @throws {RangeError} listing every configuration error, each with its path and value
 * @throws {Error} when a file named in `forward_to` cannot be read
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "./relay.ts";
 *
 * const relay = createRelay({ labels: { job: "demo" } }, { stdout: () => {} });
 * const res = await relay.fetch(new Request("http://relay/ready"));
 * assert.equal(await res.text(), "ready");
 * assert.equal((await relay.fetch(new Request("http://relay/nope"))).status, 404);
 * await relay.close();
 * ```
 */
export function createRelay(config: ConfigInput, deps: RelayDeps = {}): Relay {
  const parsed = parseConfig(config);
  if (!parsed.ok) throw new RangeError(`invalid config:\n  ${parsed.errors.join("\n  ")}`);
  const registry = deps.registry ?? new Registry();
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => performance.timeOrigin + performance.now());
  const stdout = deps.stdout ?? ((t: string) => console.log(t.slice(0, -1)));
  const buildSink = (c: Config): Sink => {
    if (deps.sink) return deps.sink;
    if (!c.forward_to) return createStdoutSink(stdout);
    return createForwarder(c as ForwarderConfig, {
      registry,
      logger,
      fetch: deps.fetch,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      readFile: deps.readFile,
      createFetch: deps.createFetch,
      compress: deps.compress,
      userAgent: `lokirelay/${VERSION}`,
    });
  };
  const metrics = createReceiveMetrics(registry);
  let current = parsed.config;
  const settings = receiveSettings(current);
  const ctx: ReceiveContext = {
    settings,
    budget: new InflightBudget(settings.maxInflightBytes),
    stamp: createReceiveClock(now),
    sink: buildSink(current),
    metrics,
    logger,
  };
  let closing: Promise<void> | undefined;
  const retiring = new Set<Promise<void>>();

  async function reloadRoute(): Promise<Response> {
    if (!deps.reload) return errorResponse(404, "404 page not found");
    const result = await deps.reload();
    if (result.ok) return textResponse(200, "config reloaded\n");
    return errorResponse(400, `config not reloaded: ${result.errors.join("; ")}`);
  }

  async function serve(request: Request, path: string): Promise<Response> {
    if (path === "/-/reload") {
      return request.method === "POST" ? await reloadRoute() : emptyResponse(405);
    }
    if (path === "/metrics") {
      if (request.method !== "GET") return emptyResponse(405);
      const text = await registry.metrics();
      return textResponse(200, text, { "content-type": registry.contentType });
    }
    const route = ROUTES[path];
    if (route === undefined) return errorResponse(404, "404 page not found");
    if (request.method !== route.method) return emptyResponse(405);
    if (closing && route.method === "POST") return errorResponse(503, "server shutdown");
    return await route.handler(request, ctx);
  }

  return {
    registry,
    async fetch(request) {
      const started = now();
      const path = new URL(request.url).pathname;
      const route = ROUTES[path]?.route ?? "other";
      let response: Response;
      try {
        response = await serve(request, path);
      } catch (err) {
        logger.error("request failed", { route, error: (err as Error).stack ?? String(err) });
        response = errorResponse(500, "internal error");
      }
      const reason = errorReason(response);
      if (reason !== undefined && response.status !== 404) {
        logger.warn("request refused", { route, status: response.status, reason });
      }
      const labels = { method: request.method, route };
      metrics.requestDuration.observe(
        { ...labels, status_code: String(response.status), ws: "false" },
        (now() - started) / 1000,
      );
      const length = bodyBytesRead(request) ?? Number(request.headers.get("content-length") ?? 0);
      if (length > 0) metrics.requestBytes.observe(labels, length);
      metrics.responseBytes.observe(labels, Number(response.headers.get("content-length") ?? 0));
      return response;
    },
    close() {
      closing ??= Promise.all([ctx.sink.close(), ...retiring]).then(() => {});
      return closing;
    },
    reload(input) {
      const next = parseConfig(input);
      if (!next.ok) return next;
      const settings = receiveSettings(next.config);
      if (!deps.sink && sinkChanged(current, next.config)) {
        let sink: Sink;
        try {
          sink = buildSink(next.config);
        } catch (err) {
          return { ok: false, errors: [(err as Error).message] };
        }
        const old = ctx.sink;
        ctx.sink = sink;
        const done = old.close().finally(() => retiring.delete(done));
        retiring.add(done);
      }
      if (settings.maxInflightBytes !== ctx.budget.limit) {
        ctx.budget = new InflightBudget(settings.maxInflightBytes);
      }
      ctx.settings = settings;
      current = next.config;
      return { ok: true };
    },
  };
}

function sinkChanged(a: Config, b: Config): boolean {
  return JSON.stringify([a.forward_to, a.external_labels]) !==
    JSON.stringify([b.forward_to, b.external_labels]);
}

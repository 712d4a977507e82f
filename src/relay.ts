/**
 * The relay as one web-standard `fetch(request)` handler: every runtime adapter, test and
 * embedding calls it. No runtime global is used here; the host's capabilities come in as a
 * {@link Runtime} (see `runtime.ts`).
 *
 * @module
 */
import { Registry } from "prom-client";
import type { Sink } from "./types.ts";
import { createRuntime, GC_EVERY_BYTES, type Runtime } from "./runtime.ts";
import type { ConfigInput } from "./config/config_schema.ts";
import type { Settings } from "./config/settings.ts";
import { resolveSettings } from "./config/resolve_settings.ts";
import { diffSettings } from "./config/settings_diff.ts";
import { type Logger, silentLogger } from "./log/logger.ts";
import { createStdoutSink } from "./sinks/stdout_sink.ts";
import { Forwarder } from "./forward/forwarder.ts";
import { WalSink } from "./wal/wal_sink.ts";
import { VERSION } from "./version.ts";
import { createReceiveClock } from "./receive/receive_clock.ts";
import { activate, type ReceiveContext } from "./receive/receive_context.ts";
import { createReceiveMetrics } from "./receive/receive_metrics.ts";
import { legacyPushRoute, pushRoute } from "./receive/push_route.ts";
import { rawRoute } from "./receive/raw_route.ts";
import { type Access, authorize } from "./receive/authorize.ts";
import type { Credential } from "./auth/authenticator.ts";
import { bodyBytesRead } from "./http/read_body.ts";
import { InflightBudget } from "./http/inflight_budget.ts";
import { emptyResponse, errorReason, errorResponse, textResponse } from "./http/responses.ts";
import { STATUS_ROUTES, StatusBoard } from "./status/status_board.ts";

/**
 * How a relay is built: any part of the {@link Runtime} (the rest defaults to web-standard
 * globals), plus the services it shares with its host.
 */
export interface RelayOptions extends Partial<Runtime> {
  /** The relay's own log. @default a logger that writes nothing */
  logger?: Logger;
  /** Metrics registry served on `/metrics`. @default a new registry */
  registry?: Registry;
  /** Replaces the sink built from the settings (stdout or the Loki forwarder). */
  sink?: Sink;
  /**
   * Called by `POST /-/reload`: re-read the configuration and apply it (the executable passes
   * one that reads the config file). Without it the route answers 404.
   */
  reload?: () => Promise<ReloadResult>;
}

/** The outcome of a reload: applied, or refused with every error (the running settings stay). */
export type ReloadResult = { ok: true } | { ok: false; errors: string[] };

/** A running relay. */
export interface Relay {
  /** Serves one HTTP request. Never throws. */
  fetch(request: Request): Promise<Response>;
  /** Stops taking entries and drains what is queued. */
  close(): Promise<void>;
  /**
   * Swaps in new settings without dropping connections or queued entries: labels, rules and
   * limits at once; endpoints whose settings are unchanged keep their queues, others drain in
   * the background. The listener is the caller's business (see `main.ts`).
   */
  reload(config: ConfigInput | Settings): ReloadResult;
  /**
   * Resolves once the sink is ready (with the write-ahead log on: the log is open and replay has
   * started); rejects with the reason it cannot be.
   */
  opened(): Promise<void>;
  /** The settings in effect. */
  readonly settings: Settings;
  /** The metrics registry (`/metrics`). */
  readonly registry: Registry;
  /** The relay's log (what the status page shows of it is kept): the host logs reloads here. */
  readonly logger: Logger;
}

type Route = (
  request: Request,
  ctx: ReceiveContext,
  credential?: Credential,
) => Promise<Response> | Response;

const ROUTES: Record<
  string,
  { method: string; route: string; handler: Route; access: Access }
> = {
  "/loki/api/v1/push": {
    method: "POST",
    route: "loki_api_v1_push",
    handler: pushRoute,
    access: "push",
  },
  "/api/v1/push": { method: "POST", route: "api_v1_push", handler: pushRoute, access: "push" },
  "/api/prom/push": {
    method: "POST",
    route: "api_prom_push",
    handler: legacyPushRoute,
    access: "push",
  },
  "/loki/api/v1/raw": {
    method: "POST",
    route: "loki_api_v1_raw",
    handler: rawRoute,
    access: "push",
  },
  "/api/v1/raw": { method: "POST", route: "api_v1_raw", handler: rawRoute, access: "push" },
  "/ready": {
    method: "GET",
    route: "ready",
    handler: () => textResponse(200, "ready"),
    access: "ready",
  },
};

/**
 * Whether `value` is resolved {@link Settings} rather than a configuration object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSettings } from "./relay.ts";
 * import { resolveSettings } from "./config/resolve_settings.ts";
 *
 * const r = resolveSettings({});
 * assert.equal(r.ok && isSettings(r.settings), true);
 * assert.equal(isSettings({ labels: {} }), false);
 * ```
 */
export function isSettings(value: unknown): value is Settings {
  return typeof value === "object" && value !== null && "listener" in value &&
    "receive" in value && "forward" in value;
}

/**
 * Creates a relay from a configuration (as in the config file) or from resolved settings.
 *
 * @throws {RangeError} listing every configuration error, each with its path and value
 * @throws {Error} when an endpoint needs TLS and the runtime has no `tlsFetch`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "./relay.ts";
 *
 * const relay = createRelay({ labels: { job: "demo" } }, { stdout: () => {} });
 * const res = await relay.fetch(new Request("http://relay/ready"));
 * assert.equal(await res.text(), "ready");
 * assert.equal((await relay.fetch(new Request("http://relay/nope"))).status, 404);
 * assert.deepEqual(relay.settings.receive.labels, { job: "demo" });
 * await relay.close();
 * ```
 */
export function createRelay(config: ConfigInput | Settings, options: RelayOptions = {}): Relay {
  const runtime = createRuntime(options);
  let settings = settingsOf(config, runtime);
  const registry = options.registry ?? new Registry();
  const board = new StatusBoard({
    registry,
    now: runtime.now,
    settings: () => settings,
    logger: options.logger ?? silentLogger,
    version: VERSION,
  });
  const logger = board.logger;
  const metrics = createReceiveMetrics(registry);
  const forwarderDeps = { ...runtime, registry, logger, userAgent: `lokirelay/${VERSION}` };
  const buildSink = (next: Settings, carriedFrom?: Sink, carried: number[] = []): Sink => {
    if (options.sink) return options.sink;
    if (!next.forward) return createStdoutSink(runtime.stdout);
    if (next.wal) {
      if (!runtime.walFiles) {
        throw new Error(
          "wal.enabled needs a file system: pass walFiles (src/adapters/node_wal_files.ts)",
        );
      }
      return new WalSink(next.wal, next.forward, { ...forwarderDeps, files: runtime.walFiles });
    }
    const from = carriedFrom instanceof Forwarder ? carriedFrom.endpoints : [];
    return new Forwarder(next.forward, forwarderDeps, carried.map((i) => from[i]));
  };
  const ctx: ReceiveContext = {
    active: activate(settings.receive, runtime.now),
    now: runtime.now,
    budget: new InflightBudget(settings.receive.maxInflightBytes),
    stamp: createReceiveClock(runtime.now),
    sink: buildSink(settings),
    metrics,
    logger,
    queuedPerBodyByte: 1,
    onAccepted: board.observe,
  };
  let closing: Promise<void> | undefined;
  const retiring = new Set<Promise<void>>();
  let collectedAt = 0;
  /** Collects what requests left behind once they have held and let go GC_EVERY_BYTES. */
  function collectGarbageNow(): void {
    if (!runtime.collectGarbage || ctx.budget.released - collectedAt < GC_EVERY_BYTES) return;
    collectedAt = ctx.budget.released;
    runtime.collectGarbage();
  }

  async function reloadRoute(): Promise<Response> {
    if (!options.reload) return errorResponse(404, "404 page not found");
    const result = await options.reload();
    if (result.ok) return textResponse(200, "config reloaded\n");
    return errorResponse(400, `config not reloaded: ${result.errors.join("; ")}`);
  }

  async function serve(request: Request, path: string): Promise<Response> {
    if (path === "/-/reload") {
      if (request.method !== "POST") return emptyResponse(405);
      const allowed = await authorize(request, ctx, "operator");
      return allowed.ok ? await reloadRoute() : allowed.response;
    }
    if (path === "/metrics") {
      if (request.method !== "GET") return emptyResponse(405);
      const allowed = await authorize(request, ctx, "metrics");
      if (!allowed.ok) return allowed.response;
      const text = await registry.metrics();
      return textResponse(200, text, { "content-type": registry.contentType });
    }
    if (Object.hasOwn(STATUS_ROUTES, path)) {
      const allowed = await authorize(request, ctx, "operator");
      return allowed.ok ? await board.serve(request, path) : allowed.response;
    }
    const route = ROUTES[path];
    if (route === undefined) return errorResponse(404, "404 page not found");
    if (request.method !== route.method) return emptyResponse(405);
    if (closing && route.method === "POST") return errorResponse(503, "server shutdown");
    if (!ctx.active.auth) return await route.handler(request, ctx);
    const allowed = await authorize(request, ctx, route.access);
    if (!allowed.ok) return allowed.response;
    return await route.handler(request, ctx, allowed.credential);
  }

  return {
    registry,
    async opened() {
      if (ctx.sink instanceof WalSink) {
        const failure = await ctx.sink.opened();
        if (failure !== undefined) throw new Error(failure);
      }
    },
    logger,
    get settings() {
      return settings;
    },
    async fetch(request) {
      const started = runtime.now();
      const path = new URL(request.url).pathname;
      const route = ROUTES[path]?.route ?? STATUS_ROUTES[path] ?? "other";
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
        (runtime.now() - started) / 1000,
      );
      collectGarbageNow();
      const length = bodyBytesRead(request) ?? Number(request.headers.get("content-length") ?? 0);
      if (length > 0) metrics.requestBytes.observe(labels, length);
      metrics.responseBytes.observe(labels, Number(response.headers.get("content-length") ?? 0));
      return response;
    },
    close() {
      board.close();
      closing ??= Promise.all([ctx.sink.close(), ...retiring]).then(() => {});
      return closing;
    },
    reload(input) {
      const resolved = isSettings(input)
        ? { ok: true as const, settings: input }
        : resolveSettings(input, runtime.readFile);
      if (!resolved.ok) return resolved;
      const next = resolved.settings;
      const diff = diffSettings(settings, next);
      if ((diff.forward || diff.wal) && !options.sink) {
        let sink: Sink;
        try {
          sink = buildSink(next, ctx.sink, diff.carried);
        } catch (err) {
          return { ok: false, errors: [(err as Error).message] };
        }
        const old = ctx.sink;
        ctx.sink = sink;
        const kept = new Set(sink instanceof Forwarder ? sink.endpoints : []);
        const done = (old instanceof Forwarder
          ? old.retire(kept)
          : old instanceof WalSink
          ? old.retire()
          : old.close())
          .finally(() =>
            retiring.delete(done)
          );
        retiring.add(done);
      }
      if (diff.receive) ctx.active = activate(next.receive, runtime.now, ctx.active);
      if (next.receive.maxInflightBytes !== ctx.budget.limit) {
        ctx.budget = new InflightBudget(next.receive.maxInflightBytes);
      }
      settings = next;
      return { ok: true };
    },
  };
}

/** Settings as given, or resolved from a configuration (files read with the runtime's reader). */
function settingsOf(config: ConfigInput | Settings, runtime: Runtime): Settings {
  if (isSettings(config)) return config;
  const resolved = resolveSettings(config, runtime.readFile);
  if (!resolved.ok) throw new RangeError(`invalid config:\n  ${resolved.errors.join("\n  ")}`);
  return resolved.settings;
}

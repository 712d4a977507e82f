/**
 * The operator routes of a relay: `GET /` (the status page), `GET /status` (its data as JSON,
 * for scripts) and `GET /tail` (the live tail, Server-Sent Events). One object holds what they
 * read: the metrics sampler (ticking once a second), the last errors (from the relay's logger,
 * which it wraps) and the tail's subscribers (fed with each accepted push).
 *
 * @module
 */
import type { Registry } from "prom-client";
import type { Accepted } from "../types.ts";
import type { Settings } from "../config/settings.ts";
import type { Logger } from "../log/logger.ts";
import { emptyResponse, errorResponse, textResponse } from "../http/responses.ts";
import { type SampledStatus, StatusSampler } from "./status_sampler.ts";
import { type RecentEvent, RecentEvents } from "./recent_events.ts";
import { TailHub, type TailLimits } from "./tail_hub.ts";
import { parseMatchers } from "./label_matchers.ts";
import { STATUS_PAGE_HTML } from "./status_page.ts";

/** The operator routes, by path, with their `route` label in the request metrics. */
export const STATUS_ROUTES: Record<string, string> = {
  "/": "status_page",
  "/status": "status",
  "/tail": "tail",
};

/** A tail stream's longest life when no write timeout bounds it. */
const TAIL_LIFETIME_MS = 10 * 60_000;

/** What `GET /status` answers. */
export interface StatusDocument extends Omit<SampledStatus, "reload"> {
  version: string;
  /** The runtime, as `navigator.userAgent` names it (`Deno/2.x`, `Bun/1.x`), when known. */
  runtime: string | null;
  started: string;
  uptime_seconds: number;
  errors: { loki: RecentEvent[]; clients: RecentEvent[] };
  reload: SampledStatus["reload"] & { last_error: RecentEvent | null };
  tail: { enabled: boolean; subscribers: number; max_subscribers: number; rate: number };
}

/** What a {@link StatusBoard} reads from its relay. */
export interface StatusBoardOptions {
  registry: Registry;
  now: () => number;
  /** The settings in force (they change on reload). */
  settings: () => Settings;
  /** The relay's logger: the board wraps it (see {@link StatusBoard.logger}). */
  logger: Logger;
  version: string;
  /** Bounds of the tail (defaults: `TAIL_LIMITS`). */
  tail?: Partial<TailLimits>;
  /** Samples once a second on a timer (off in tests that call {@link StatusBoard.tick}). */
  ticking?: boolean;
}

/**
 * The status page, its JSON and the live tail of one relay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { StatusBoard } from "./status_board.ts";
 * import { resolveSettings } from "../config/resolve_settings.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const r = resolveSettings({});
 * assert.ok(r.ok);
 * const board = new StatusBoard({
 *   registry: new Registry(),
 *   now: () => 1_700_000_060_000,
 *   settings: () => r.settings,
 *   logger: silentLogger,
 *   version: "1.2.3",
 *   ticking: false,
 * });
 * const page = await board.serve(new Request("http://relay/"), "/");
 * assert.match(page.headers.get("content-type")!, /^text\/html/);
 * const status = await (await board.serve(new Request("http://relay/status"), "/status")).json();
 * assert.equal(status.version, "1.2.3");
 * const bad = await board.serve(new Request("http://relay/tail?match=nope"), "/tail");
 * assert.equal(bad.status, 400);
 * board.close();
 * ```
 */
export class StatusBoard {
  /** The relay's logger, wrapped: what it logs of refusals, Loki errors and reloads is kept. */
  readonly logger: Logger;
  readonly #options: StatusBoardOptions;
  readonly #sampler: StatusSampler;
  readonly #events: RecentEvents;
  readonly #tail: TailHub;
  readonly #started: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sampling = false;

  constructor(options: StatusBoardOptions) {
    this.#options = options;
    this.#started = options.now();
    this.#sampler = new StatusSampler(options.registry, options.now, options.settings);
    this.#events = new RecentEvents(options.now);
    this.#tail = new TailHub(options.now, options.tail);
    this.logger = this.#events.tap(options.logger);
    if (options.ticking !== false) this.#timer = setInterval(() => void this.tick(), 1000);
  }

  /** Hands an accepted push to the live tail (copies what it keeps; cheap with no subscriber). */
  readonly observe = (accepted: Accepted): void => {
    if (this.#options.settings().status.tail) this.#tail.publish(accepted);
  };

  /** Takes one sample of the metrics and moves the tail's clock. */
  async tick(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      await this.#sampler.sample();
    } finally {
      this.#sampling = false;
    }
    this.#tail.tick();
  }

  /** Answers a request for one of the {@link STATUS_ROUTES}. */
  async serve(request: Request, path: string): Promise<Response> {
    const status = this.#options.settings().status;
    const enabled = path === "/tail" ? status.tail : status.page;
    if (!enabled) return errorResponse(404, "404 page not found");
    if (request.method !== "GET") return emptyResponse(405);
    if (path === "/") {
      return textResponse(200, STATUS_PAGE_HTML, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
    }
    const url = new URL(request.url);
    if (path === "/status") {
      const body = JSON.stringify(await this.document(url.searchParams.get("history") !== "0"));
      return textResponse(200, body, {
        "content-type": "application/json",
        "cache-control": "no-store",
      });
    }
    return this.#tailResponse(url.searchParams.get("match") ?? "");
  }

  /** The data of the page. */
  async document(history = true): Promise<StatusDocument> {
    const sampled = await this.#sampler.read(history);
    const now = this.#options.now();
    const limits = this.#tail.limits;
    const lastReload = this.#events.list("reload")[0];
    return {
      version: this.#options.version,
      runtime: globalThis.navigator?.userAgent ?? null,
      started: new Date(this.#started).toISOString(),
      uptime_seconds: Math.round((now - this.#started) / 1000),
      ...sampled,
      errors: { loki: this.#events.list("loki"), clients: this.#events.list("client") },
      reload: {
        ...sampled.reload,
        last_error: lastReload?.level === "error" ? lastReload : null,
      },
      tail: {
        enabled: this.#options.settings().status.tail,
        subscribers: this.#tail.size,
        max_subscribers: limits.maxSubscribers,
        rate: limits.rate,
      },
    };
  }

  #tailResponse(match: string): Response {
    const matchers = parseMatchers(match);
    if (!matchers.ok) return errorResponse(400, matchers.error);
    const writeTimeout = this.#options.settings().listener.writeTimeoutMs;
    // End before the listener's write timeout would cut the stream; EventSource reconnects.
    const lifetime = writeTimeout > 0 ? Math.max(1000, writeTimeout - 2000) : TAIL_LIFETIME_MS;
    const stream = this.#tail.subscribe(matchers.filter, lifetime);
    if (!stream) {
      return errorResponse(
        429,
        `too many live tails (${this.#tail.limits.maxSubscribers}); close one and retry`,
        { "retry-after": "5" },
      );
    }
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Stops sampling and ends every tail stream. */
  close(): void {
    clearInterval(this.#timer);
    this.#tail.close();
  }
}

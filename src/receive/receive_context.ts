/**
 * What the receive routes read: the active receive settings with their compiled label pipeline
 * (swapped whole on reload, read once per request so a request sees one snapshot), the in-flight
 * budget, the receive clock, the sink, metrics and the log.
 *
 * @module
 */
import type { Accepted, Sink } from "../types.ts";
import type { Logger } from "../log/logger.ts";
import type { ReceiveSettings } from "../config/settings.ts";
import { compileRules, relabel } from "../rules/relabel.ts";
import type { InflightBudget } from "../http/inflight_budget.ts";
import type { ReceiveMetrics } from "./receive_metrics.ts";
import { createStreamResolver, type ResolvedStream } from "./stream_resolver.ts";
import type { Stampable } from "./receive_clock.ts";
import { Authenticator } from "../auth/authenticator.ts";
import { RateLimiter } from "../limits/rate_limiter.ts";
import { sameValue } from "../config/settings_diff.ts";

/** Receive settings and the label pipeline built from them. */
export interface ActiveReceive {
  readonly settings: ReceiveSettings;
  /** The cached per-stream label pipeline (`labels`, relabel rules, `__` removal). */
  readonly resolve: (labelString: string) => ResolvedStream;
  /** Checks credentials, when `auth` has any. */
  readonly auth?: Authenticator;
  /** The ingestion rates, when `rate_limits` sets any. */
  readonly rates?: RateLimiter;
}

/** Everything a receive route reads. */
export interface ReceiveContext {
  active: ActiveReceive;
  /** Bytes all requests being received may hold at once. */
  budget: InflightBudget;
  /** Sets receive times on entries (see `createReceiveClock`). */
  stamp: (entries: Stampable[]) => void;
  /** The time, in ms since the epoch (Loki's time limits are checked against it). */
  now: () => number;
  sink: Sink;
  metrics: ReceiveMetrics;
  logger: Logger;
  /**
   * What recent pushes held in a queue per byte of their body (a moving average): a request's
   * `Content-Length` times this is what it is expected to need, asked for before it is read.
   */
  queuedPerBodyByte: number;
  /**
   * Told of each accepted push once the sink has taken it, synchronously (the live tail; see
   * `status/`). Entries may be views into the request's body: copy what is kept.
   */
  onAccepted?: (accepted: Accepted) => void;
}

/**
 * Builds the label pipeline of `settings` (relabel rules compiled once), the authenticator and
 * the rate limiter. A `previous` activation whose rates are the same keeps its buckets, so a
 * reload does not hand every tenant a fresh burst.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activate } from "./receive_context.ts";
 * import { resolveSettings } from "../config/resolve_settings.ts";
 *
 * const r = resolveSettings({ relabel_rules: [{ action: "drop", source_labels: ["app"], regex: "x" }] });
 * assert.ok(r.ok);
 * const active = activate(r.settings.receive);
 * assert.deepEqual(active.resolve('{app="x"}'), { kind: "dropped", reason: "relabel_dropped" });
 * assert.equal(active.resolve('{app="y"}').kind, "ok");
 * ```
 */
export function activate(
  settings: ReceiveSettings,
  now: () => number = Date.now,
  previous?: ActiveReceive,
): ActiveReceive {
  const rules = settings.relabelRules.length > 0 ? compileRules(settings.relabelRules) : null;
  const kept = previous?.rates && sameValue(previous.rates.settings, settings.rateLimits);
  return {
    settings,
    resolve: createStreamResolver({
      labels: settings.labels,
      relabel: rules && ((labels) => relabel(labels, rules)),
      ...(settings.validation && { validation: settings.validation }),
    }),
    ...(settings.auth && { auth: new Authenticator(settings.auth) }),
    ...(settings.rateLimits && {
      rates: kept ? previous!.rates! : new RateLimiter(settings.rateLimits, now),
    }),
  };
}

/**
 * What the receive routes need: the current settings (swapped whole on reload), the clock, the
 * sink, metrics and the logger. Each request reads `settings` once, so it sees one snapshot.
 *
 * @module
 */
import type { Sink, SinkResult } from "../types.ts";
import type { Logger } from "../log/logger.ts";
import type { ReceiveMetrics } from "../metrics/receive_metrics.ts";
import type { ResolvedStream } from "./stream_resolver.ts";
import type { Stampable } from "./receive_clock.ts";
import type { BuiltBatch } from "./build_batch.ts";
import { emptyResponse, errorResponse } from "../http/responses.ts";
import type { InflightBudget } from "../http/inflight_budget.ts";

/** Settings that a reload may swap. */
export interface ReceiveSettings {
  maxBytes: number;
  maxInflightBytes: number;
  useIncomingTimestamp: boolean;
  resolve: (labelString: string) => ResolvedStream;
}

/** Everything a receive route reads. */
export interface ReceiveContext {
  settings: ReceiveSettings;
  /** Bytes all requests being received may hold at once. */
  budget: InflightBudget;
  stamp: (entries: Stampable[]) => void;
  sink: Sink;
  metrics: ReceiveMetrics;
  logger: Logger;
}

/**
 * Hands a built batch to the sink and turns the outcome into the response: 204, 400 with the last
 * stream error (the good streams are still forwarded, as Alloy does), 429 with `Retry-After` when
 * the sink is full (nothing of the request is taken), 503 while stopping.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { handOff, type ReceiveContext } from "./receive_context.ts";
 * import { createReceiveMetrics } from "../metrics/receive_metrics.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const ctx = {
 *   sink: { push: () => ({ status: "full", retryAfterSeconds: 2, reason: "queue full" }) },
 *   metrics: createReceiveMetrics(new Registry()),
 *   logger: silentLogger,
 * } as unknown as ReceiveContext;
 * const res = handOff(ctx, { batch: { streams: [], entryCount: 1, byteSize: 1 }, skipped: {} });
 * assert.equal(res.status, 429);
 * assert.equal(res.headers.get("retry-after"), "2");
 * ```
 */
export function handOff(ctx: ReceiveContext, built: BuiltBatch): Response {
  if (built.batch.entryCount > 0) {
    const refused = refusal(ctx.sink.push(built.batch));
    if (refused) return refused;
  }
  return finish(ctx, built);
}

/**
 * Asks the sink, before a body is read, whether it can take a push; a refusal response if not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseEarly, type ReceiveContext } from "./receive_context.ts";
 *
 * const ctx = { sink: { ready: () => ({ status: "closed" }) } } as unknown as ReceiveContext;
 * assert.equal(refuseEarly(ctx)?.status, 503);
 * ```
 */
export function refuseEarly(ctx: ReceiveContext): Response | undefined {
  return ctx.sink.ready ? refusal(ctx.sink.ready()) : undefined;
}

function refusal(result: SinkResult): Response | undefined {
  if (result.status === "full") {
    return errorResponse(429, `too many entries queued, retry later: ${result.reason}`, {
      "retry-after": String(result.retryAfterSeconds),
    });
  }
  if (result.status === "closed") return errorResponse(503, "server shutdown");
  return undefined;
}

function finish(ctx: ReceiveContext, built: BuiltBatch): Response {
  const { batch, error, skipped } = built;
  if (batch.entryCount > 0) ctx.metrics.entriesWritten.inc(batch.entryCount);
  for (const reason in skipped) {
    ctx.metrics.skipped.inc({ reason }, skipped[reason]);
    ctx.logger.debug("entries skipped", { reason, entries: skipped[reason] });
  }
  if (error !== undefined) return errorResponse(400, error);
  return emptyResponse(204);
}

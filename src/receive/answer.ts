/**
 * The answers of the receive routes: the one place where what happened to a request becomes a
 * status code. Lower layers (body reading, decompression, decoding, the sink) report outcomes
 * as values; the routes turn them into responses here.
 *
 * @module
 */
import type { SinkResult } from "../types.ts";
import type { BodyFailure } from "../http/read_body.ts";
import type { SnappyResult } from "../codec/snappy_block.ts";
import { emptyResponse, errorResponse } from "../http/responses.ts";
import type { AcceptResult } from "./accept_streams.ts";
import type { ReceiveContext } from "./receive_context.ts";

type SnappyFailure = Extract<SnappyResult, { ok: false }>["failure"];

/** The status for each way a body can fail: 400 for bad bytes, 413 too large, 429 busy. */
export const FAILURE_STATUS: Record<BodyFailure | SnappyFailure, number> = {
  unsupported_encoding: 400,
  unreadable: 400,
  corrupt: 400,
  too_large: 413,
  busy: 429,
};

/**
 * A refusal: the status and a one-line reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuse } from "./answer.ts";
 *
 * const res = refuse(413, "request body too large");
 * assert.equal(res.status, 413);
 * assert.equal(await res.text(), "request body too large\n");
 * ```
 */
export function refuse(status: number, error: string): Response {
  return errorResponse(status, error);
}

/**
 * The refusal for a sink that cannot take entries now: 429 with `Retry-After` when it is full,
 * 503 while the relay stops; `undefined` when it can.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sinkRefusal } from "./answer.ts";
 *
 * const res = sinkRefusal({ status: "full", retryAfterSeconds: 2, reason: "queue full" });
 * assert.equal(res?.status, 429);
 * assert.equal(res?.headers.get("retry-after"), "2");
 * assert.equal(sinkRefusal({ status: "closed" })?.status, 503);
 * assert.equal(sinkRefusal({ status: "ok" }), undefined);
 * ```
 */
export function sinkRefusal(result: SinkResult): Response | undefined {
  if (result.status === "full") {
    return errorResponse(429, `too many entries queued, retry later: ${result.reason}`, {
      "retry-after": String(result.retryAfterSeconds),
    });
  }
  if (result.status === "closed") return errorResponse(503, "server shutdown");
  return undefined;
}

/**
 * Hands accepted streams to the sink and answers: 204; 400 with the last stream error when some
 * streams were refused (the good ones are still forwarded, as Alloy does); 429 or 503 when the
 * sink cannot take them (then nothing of the request is taken).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { handOff } from "./answer.ts";
 * import type { ReceiveContext } from "./receive_context.ts";
 * import { createReceiveMetrics } from "./receive_metrics.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const ctx = {
 *   sink: { offer: () => ({ status: "full", retryAfterSeconds: 2, reason: "queue full" }) },
 *   metrics: createReceiveMetrics(new Registry()),
 *   logger: silentLogger,
 * } as unknown as ReceiveContext;
 * const res = handOff(ctx, { accepted: { streams: [], entryCount: 1, byteSize: 1 }, skipped: {} });
 * assert.equal(res.status, 429);
 * ```
 */
export function handOff(ctx: ReceiveContext, result: AcceptResult): Response {
  const { accepted, error, skipped } = result;
  if (accepted.entryCount > 0) {
    const refused = sinkRefusal(ctx.sink.offer(accepted));
    if (refused) return refused;
    ctx.metrics.entriesWritten.inc(accepted.entryCount);
  }
  for (const reason in skipped) {
    ctx.metrics.skipped.inc({ reason }, skipped[reason]);
    ctx.logger.debug("entries skipped", { reason, entries: skipped[reason] });
  }
  if (error !== undefined) return errorResponse(400, error);
  return emptyResponse(204);
}

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
import type { DecodeFailure } from "../codec/decode_result.ts";
import { emptyResponse, errorResponse } from "../http/responses.ts";
import type { AcceptResult } from "./accept_streams.ts";
import type { ReceiveContext } from "./receive_context.ts";

type SnappyFailure = Extract<SnappyResult, { ok: false }>["failure"];
type DecodeFailureKind = DecodeFailure["failure"];

/**
 * The status for each way a body can fail: 400 for bytes that are not a push, 413 for a request
 * too large to ever take, 429 when only the bytes other requests hold are in the way.
 */
export const FAILURE_STATUS: Record<BodyFailure | SnappyFailure | DecodeFailureKind, number> = {
  unsupported_encoding: 400,
  unreadable: 400,
  corrupt: 400,
  invalid: 400,
  too_large: 413,
  busy: 429,
};

/**
 * How long a push waits for room in a full queue, before its body is read, until it is answered
 * 429: long enough for a Loki that recovers to take it, short enough for a client's timeout; a
 * client that ignores `Retry-After` is slowed to one try per wait on each connection.
 */
export const ROOM_WAIT_MS = 1000;

/**
 * Asks the sink, before the body is read, whether a push of this request's size could be taken
 * (its `Content-Length` times what recent pushes held per body byte), waiting up to
 * {@link ROOM_WAIT_MS}; the refusal to answer, or `undefined` to go on. A push that is still too
 * large once decoded is refused then, without a second wait.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { admit } from "./answer.ts";
 * import type { ReceiveContext } from "./receive_context.ts";
 *
 * const asked: unknown[] = [];
 * const ctx = {
 *   sink: { hasRoom: (wait: number, bytes: number) => (asked.push([wait, bytes]), { status: "closed" }) },
 *   queuedPerBodyByte: 4,
 * } as unknown as ReceiveContext;
 * const req = new Request("http://x/", {
 *   method: "POST",
 *   body: "12345",
 *   headers: { "content-length": "5" },
 * });
 * assert.equal((await admit(req, ctx))?.status, 503);
 * assert.deepEqual(asked, [[1000, 20]]);
 * ```
 */
export async function admit(request: Request, ctx: ReceiveContext): Promise<Response | undefined> {
  if (!ctx.sink.hasRoom) return undefined;
  const length = bodyLength(request);
  return sinkRefusal(await ctx.sink.hasRoom(ROOM_WAIT_MS, length * ctx.queuedPerBodyByte));
}

function bodyLength(request: Request): number {
  const length = Number(request.headers.get("content-length") ?? 0);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

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
  if (result.status === "unavailable") {
    return errorResponse(503, `cannot take entries now, retry later: ${result.reason}`, {
      "retry-after": String(result.retryAfterSeconds),
    });
  }
  if (result.status === "closed") return errorResponse(503, "server shutdown");
  return undefined;
}

/**
 * Hands accepted streams to the sink and answers: 204; 400 with the last stream error when some
 * streams were refused (the good ones are still forwarded, as Alloy does); 429 or 503 when the
 * sink cannot take them (then nothing of the request is taken). The wait for room happens before
 * the body is read (see {@link admit}), so no request holds its decoded entries while it waits.
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
 * const res = await handOff(ctx, {
 *   accepted: { streams: [], entryCount: 1, byteSize: 1, queuedBytes: 300 },
 *   skipped: {},
 * });
 * assert.equal(res.status, 429);
 * ```
 */
export async function handOff(
  ctx: ReceiveContext,
  result: AcceptResult,
  request?: Request,
): Promise<Response> {
  const { accepted, error, skipped } = result;
  if (accepted.entryCount > 0) {
    const length = request ? bodyLength(request) : 0;
    if (length > 0) {
      ctx.queuedPerBodyByte = 0.8 * ctx.queuedPerBodyByte + 0.2 * (accepted.queuedBytes / length);
    }
    const refused = sinkRefusal(await ctx.sink.offer(accepted));
    if (refused) return refused;
    const m = ctx.metrics;
    m.entriesWritten.inc(accepted.entryCount);
    const tenant = m.tenantLabel(accepted.tenant);
    m.receivedEntries.inc({ tenant }, accepted.entryCount);
    m.receivedBytes.inc({ tenant }, accepted.byteSize);
    ctx.onAccepted?.(accepted);
  }
  for (const reason in skipped) {
    ctx.metrics.skipped.inc({ reason }, skipped[reason]);
    ctx.logger.debug("entries skipped", { reason, entries: skipped[reason] });
  }
  if (error !== undefined) return errorResponse(400, error);
  return emptyResponse(204);
}

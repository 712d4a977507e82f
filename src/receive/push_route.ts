/**
 * `POST /loki/api/v1/push`: Loki's push API, protobuf+snappy or JSON, gzip/deflate allowed.
 *
 * @module
 */
import type { PushRequest } from "../types.ts";
import { readBody } from "../http/read_body.ts";
import type { BudgetHold } from "../http/inflight_budget.ts";
import { errorResponse } from "../http/responses.ts";
import { parseTenant } from "../http/tenant.ts";
import { decodePushRequest } from "../push/proto_codec.ts";
import { decodePushJson } from "../push/json_codec.ts";
import { snappyUncompress } from "../push/snappy_block.ts";
import { buildBatch } from "./build_batch.ts";
import { handOff, type ReceiveContext, refuseEarly } from "./receive_context.ts";

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/**
 * Handles a push request. A missing `Content-Type` means protobuf (what Loki clients send);
 * `application/json` means JSON; anything else is protobuf in a snappy block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "../relay.ts";
 *
 * const lines: string[] = [];
 * const relay = createRelay({}, { stdout: (l) => lines.push(l) });
 * const res = await relay.fetch(new Request("http://relay/loki/api/v1/push", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"streams":[{"stream":{"app":"a"},"values":[["1","hello"]]}]}',
 * }));
 * assert.equal(res.status, 204);
 * assert.match(lines[0], /"hello"/);
 * await relay.close();
 * ```
 */
export async function handlePush(request: Request, ctx: ReceiveContext): Promise<Response> {
  const hold = ctx.budget.hold();
  try {
    return await receivePush(request, ctx, hold);
  } finally {
    hold.release();
  }
}

async function receivePush(
  request: Request,
  ctx: ReceiveContext,
  hold: BudgetHold,
): Promise<Response> {
  const settings = ctx.settings;
  const tenant = parseTenant(request.headers.get("x-scope-orgid"));
  if (!tenant.ok) return errorResponse(400, tenant.error);
  const contentType = request.headers.get("content-type");
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "" && !MEDIA_TYPE.test(mediaType)) {
    return errorResponse(400, `Content-Type ${JSON.stringify(contentType)} is not a media type`);
  }
  const early = refuseEarly(ctx);
  if (early) return early;
  const body = await readBody(request, settings.maxBytes, hold);
  if (!body.ok) return errorResponse(body.status, body.error);
  let req: PushRequest;
  if (mediaType === "application/json") {
    let bytes = body.bytes;
    if (request.headers.get("content-encoding") === "snappy") {
      const un = snappyUncompress(bytes, settings.maxBytes);
      if (!un.ok) return errorResponse(un.status, un.error);
      bytes = un.bytes;
    }
    try {
      req = decodePushJson(new TextDecoder().decode(bytes));
    } catch (err) {
      return errorResponse(400, (err as Error).message);
    }
  } else {
    const un = snappyUncompress(body.bytes, settings.maxBytes);
    if (!un.ok) return errorResponse(un.status, un.error);
    try {
      req = decodePushRequest(un.bytes);
    } catch (err) {
      return errorResponse(400, (err as Error).message);
    }
  }
  const built = buildBatch(req, {
    resolve: settings.resolve,
    stamp: ctx.stamp,
    useIncomingTimestamp: settings.useIncomingTimestamp,
    tenant: tenant.tenant,
  });
  return handOff(ctx, built);
}

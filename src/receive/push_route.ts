/**
 * `POST /loki/api/v1/push`: Loki's push API, protobuf+snappy or JSON, gzip/deflate allowed.
 *
 * @module
 */
import type { PushRequest } from "../types.ts";
import { errorResponse } from "../http/responses.ts";
import { decodePushRequest } from "../push/proto_codec.ts";
import { decodePushJson } from "../push/json_codec.ts";
import { buildBatch } from "./build_batch.ts";
import { handOff, type ReceiveContext } from "./receive_context.ts";
import { receiveBody, unsnappy } from "./receive_body.ts";

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
export function handlePush(request: Request, ctx: ReceiveContext): Promise<Response> | Response {
  const contentType = request.headers.get("content-type");
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "" && !MEDIA_TYPE.test(mediaType)) {
    return errorResponse(400, `Content-Type ${JSON.stringify(contentType)} is not a media type`);
  }
  return receiveBody(request, ctx, (received) => {
    const json = mediaType === "application/json";
    const bytes = unsnappy(received, !json);
    if (bytes instanceof Response) return bytes;
    let req: PushRequest;
    try {
      req = json ? decodePushJson(new TextDecoder().decode(bytes)) : decodePushRequest(bytes);
    } catch (err) {
      return errorResponse(400, (err as Error).message);
    }
    return handOff(
      ctx,
      buildBatch(req, {
        resolve: received.settings.resolve,
        stamp: ctx.stamp,
        useIncomingTimestamp: received.settings.useIncomingTimestamp,
        tenant: received.tenant,
      }),
    );
  });
}

/**
 * `POST /loki/api/v1/push`: Loki's push API, protobuf+snappy or JSON, gzip/deflate allowed. Reads
 * top to bottom as Alloy's `Logs` does: request headers → body → decode → streams → hand-off.
 *
 * @module
 */
import type { PushRequest } from "../types.ts";
import { readBody } from "../http/read_body.ts";
import { parseTenant } from "../http/tenant.ts";
import { snappyUncompress } from "../codec/snappy_block.ts";
import { decodePushRequest } from "../codec/decode_proto.ts";
import { decodePushJson } from "../codec/decode_json.ts";
import { acceptStreams } from "./accept_streams.ts";
import { FAILURE_STATUS, handOff, refuse, sinkRefusal } from "./answer.ts";
import type { ReceiveContext } from "./receive_context.ts";

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
export async function pushRoute(request: Request, ctx: ReceiveContext): Promise<Response> {
  const { settings, resolve } = ctx.active;
  const contentType = request.headers.get("content-type");
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "" && !MEDIA_TYPE.test(mediaType)) {
    return refuse(400, `Content-Type ${JSON.stringify(contentType)} is not a media type`);
  }
  const json = mediaType === "application/json";
  const tenant = parseTenant(request.headers.get("x-scope-orgid"));
  if (!tenant.ok) return refuse(400, tenant.error);
  const full = ctx.sink.hasRoom && sinkRefusal(ctx.sink.hasRoom());
  if (full) return full;

  const hold = ctx.budget.hold();
  try {
    const body = await readBody(request, settings.maxMessageBytes, hold);
    if (!body.ok) return refuse(FAILURE_STATUS[body.failure], body.error);
    let bytes = body.bytes;
    if (!json || request.headers.get("content-encoding") === "snappy") {
      const block = snappyUncompress(bytes, settings.maxMessageBytes);
      if (!block.ok) return refuse(FAILURE_STATUS[block.failure], block.error);
      bytes = block.bytes;
    }

    let decoded: PushRequest;
    try {
      decoded = json ? decodePushJson(new TextDecoder().decode(bytes)) : decodePushRequest(bytes);
    } catch (err) {
      return refuse(400, (err as Error).message);
    }

    const streams = acceptStreams(decoded, {
      resolve,
      stamp: ctx.stamp,
      useIncomingTimestamp: settings.useIncomingTimestamp,
      tenant: tenant.tenant,
    });
    return handOff(ctx, streams);
  } finally {
    hold.release();
  }
}

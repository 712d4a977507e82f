/**
 * `POST /loki/api/v1/push`: Loki's push API, protobuf+snappy or JSON, gzip/deflate allowed. Reads
 * top to bottom as Alloy's `Logs` does: request headers → body → decode → streams → hand-off.
 * Every step is bounded before it allocates (the body by `max_send_message_size`, everything it
 * decodes to by `max_inflight_bytes` and `request_limits`) and long steps run in slices.
 *
 * @module
 */
import { readBody } from "../http/read_body.ts";
import { parseMediaType } from "../http/media_type.ts";
import { headerText } from "../http/header_text.ts";
import { reserveFrom } from "../http/inflight_budget.ts";
import { snappyUncompressSteps } from "../codec/snappy_block.ts";
import { decodeProtoSteps } from "../codec/decode_proto.ts";
import { decodePushJsonSteps } from "../codec/decode_json.ts";
import { decodeLegacyJsonSteps } from "../codec/decode_legacy_json.ts";
import { DECODED_ENTRY_BYTES } from "../codec/wire_entry.ts";
import { acceptSteps } from "./accept_streams.ts";
import { admit, FAILURE_STATUS, handOff, refuse, requestTenantOrRefusal } from "./answer.ts";
import type { Credential } from "../auth/authenticator.ts";
import { runSliced } from "./run_sliced.ts";
import type { ReceiveContext } from "./receive_context.ts";

/**
 * Handles a push request. `Content-Type` is read as Go's `mime.ParseMediaType` reads it (a value
 * it refuses is answered 400 with Go's error, as Alloy answers); media type `application/json`
 * means JSON, any other protobuf in a snappy block. A missing or empty `Content-Type` means
 * protobuf (what Loki clients send; Alloy refuses it).
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
export function pushRoute(
  request: Request,
  ctx: ReceiveContext,
  credential?: Credential,
): Promise<Response> {
  return push(request, ctx, false, credential);
}

/**
 * Handles a push on Loki's legacy path (`POST /api/prom/push`, which Loki still serves on the
 * same handler): protobuf exactly as {@link pushRoute}; JSON in the legacy format
 * (`{"streams":[{"labels":"{app=\"a\"}","entries":[{"ts":"<RFC 3339>","line":"…"}]}]}`, see
 * `decode_legacy_json.ts`), under the same limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "../relay.ts";
 *
 * const lines: string[] = [];
 * const relay = createRelay({ use_incoming_timestamp: true }, { stdout: (l) => lines.push(l) });
 * const res = await relay.fetch(new Request("http://relay/api/prom/push", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"streams":[{"labels":"{app=\\"a\\"}","entries":[{"ts":"1970-01-01T00:00:01Z","line":"hi"}]}]}',
 * }));
 * assert.equal(res.status, 204);
 * assert.equal(lines[0], '{"stream":{"app":"a"},"values":[["1000000000","hi"]]}\n');
 * await relay.close();
 * ```
 */
export function legacyPushRoute(
  request: Request,
  ctx: ReceiveContext,
  credential?: Credential,
): Promise<Response> {
  return push(request, ctx, true, credential);
}

async function push(
  request: Request,
  ctx: ReceiveContext,
  legacy: boolean,
  credential: Credential | undefined,
): Promise<Response> {
  const { settings, resolve } = ctx.active;
  const contentType = headerText(request.headers.get("content-type") ?? "");
  let json = false;
  if (contentType !== "") {
    const media = parseMediaType(contentType);
    if (!media.ok) return refuse(400, media.error);
    json = media.mediaType === "application/json";
  }
  const tenant = requestTenantOrRefusal(request, ctx, credential);
  if (tenant instanceof Response) return tenant;
  const full = await admit(request, ctx);
  if (full) return full;

  const hold = ctx.budget.hold();
  try {
    const body = await readBody(request, settings.maxMessageBytes, hold);
    if (!body.ok) return refuse(FAILURE_STATUS[body.failure], body.error);
    let bytes = body.bytes;
    if (!json || request.headers.get("content-encoding") === "snappy") {
      const reserve = reserveFrom(hold, "the decompressed body");
      const block = await runSliced(
        snappyUncompressSteps(bytes, settings.maxMessageBytes, reserve, hold.buffer),
      );
      if (!block.ok) return refuse(FAILURE_STATUS[block.failure], block.error);
      bytes = block.bytes;
    }

    const options = {
      limits: settings.limits,
      account: reserveFrom(hold, "the decoded push"),
      entryOverhead: DECODED_ENTRY_BYTES,
    };
    const decoded = await runSliced(
      !json
        ? decodeProtoSteps(bytes, options)
        : legacy
        ? decodeLegacyJsonSteps(bytes, options)
        : decodePushJsonSteps(bytes, options),
    );
    if (!decoded.ok) return refuse(FAILURE_STATUS[decoded.failure], decoded.error);

    const streams = await runSliced(acceptSteps(decoded.request, {
      resolve,
      stamp: ctx.stamp,
      useIncomingTimestamp: settings.useIncomingTimestamp,
      tenant: tenant.tenant,
      labelTenants: !tenant.pinned,
      validation: settings.validation,
      now: ctx.now(),
    }));
    // Awaited here: the hold is kept (and counted) until the sink has answered.
    return await handOff(ctx, streams, request, credential, hold);
  } finally {
    hold.release();
  }
}

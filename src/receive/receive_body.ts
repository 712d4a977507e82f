/**
 * What every receive route does before it looks at the body: check the tenant, refuse early when
 * the sink is full, read the body within the size limit and the shared in-flight budget, and
 * give the budget back once the request is handled.
 *
 * @module
 */
import { readBody } from "../http/read_body.ts";
import { errorResponse } from "../http/responses.ts";
import { parseTenant } from "../http/tenant.ts";
import { snappyUncompress } from "../push/snappy_block.ts";
import { type ReceiveContext, type ReceiveSettings, refuseEarly } from "./receive_context.ts";

/** A request's body (after gzip/deflate) with what came with it. */
export interface Received {
  bytes: Uint8Array;
  tenant?: string;
  /** The settings snapshot this request uses from start to end. */
  settings: ReceiveSettings;
  /** `Content-Encoding: snappy` was sent. */
  snappyEncoded: boolean;
}

/**
 * Runs `handle` on the body of `request`, or answers with the reason it could not be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "../relay.ts";
 *
 * // Through a route: a bad tenant is refused before the body is read.
 * const relay = createRelay({}, { stdout: () => {} });
 * const res = await relay.fetch(new Request("http://relay/loki/api/v1/raw", {
 *   method: "POST",
 *   headers: { "x-scope-orgid": "a|b" },
 *   body: "x",
 * }));
 * assert.equal(res.status, 400);
 * await relay.close();
 * ```
 */
export async function receiveBody(
  request: Request,
  ctx: ReceiveContext,
  handle: (received: Received) => Response,
): Promise<Response> {
  const settings = ctx.settings;
  const tenant = parseTenant(request.headers.get("x-scope-orgid"));
  if (!tenant.ok) return errorResponse(400, tenant.error);
  const early = refuseEarly(ctx);
  if (early) return early;
  const hold = ctx.budget.hold();
  try {
    const body = await readBody(request, settings.maxBytes, hold);
    if (!body.ok) return errorResponse(body.status, body.error);
    return handle({
      bytes: body.bytes,
      tenant: tenant.tenant,
      settings,
      snappyEncoded: request.headers.get("content-encoding") === "snappy",
    });
  } finally {
    hold.release();
  }
}

/**
 * The body with snappy undone when it was sent snappy-encoded (or `always`): the bytes, or the
 * refusal (400 corrupt, 413 too large).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unsnappy } from "./receive_body.ts";
 *
 * const r = unsnappy({ bytes: new Uint8Array([1, 2]), settings: {} as never, snappyEncoded: false });
 * assert.deepEqual(r, new Uint8Array([1, 2]));
 * ```
 */
export function unsnappy(received: Received, always = false): Uint8Array | Response {
  if (!always && !received.snappyEncoded) return received.bytes;
  const un = snappyUncompress(received.bytes, received.settings.maxBytes);
  return un.ok ? un.bytes : errorResponse(un.status, un.error);
}

/**
 * The few responses the relay gives, shaped as Alloy gives them.
 *
 * @module
 */

/**
 * A plain-text error response: one line, `text/plain; charset=utf-8`, `nosniff`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse } from "./responses.ts";
 *
 * const res = errorResponse(400, "snappy: corrupt input");
 * assert.equal(res.status, 400);
 * assert.equal(await res.text(), "snappy: corrupt input\n");
 * ```
 */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const line = message.replace(/[\r\n]+/g, " ");
  const response = textResponse(status, line + "\n", {
    "x-content-type-options": "nosniff",
    ...headers,
  });
  reasons.set(response, line);
  return response;
}

const encoder = new TextEncoder();

/**
 * A text response with its `content-length` set, so its size is known for metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textResponse } from "./responses.ts";
 *
 * const res = textResponse(200, "ready");
 * assert.equal(res.headers.get("content-length"), "5");
 * ```
 */
export function textResponse(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  const body = encoder.encode(text);
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(body.byteLength),
      ...headers,
    },
  });
}

const reasons = new WeakMap<Response, string>();

/**
 * The one-line reason of a response made by {@link errorResponse}, for the log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorReason, errorResponse } from "./responses.ts";
 *
 * assert.equal(errorReason(errorResponse(400, "bad\nthing")), "bad thing");
 * assert.equal(errorReason(new Response("x")), undefined);
 * ```
 */
export function errorReason(response: Response): string | undefined {
  return reasons.get(response);
}

/**
 * An empty response with the given status (204 for accepted pushes, 405 for a wrong method).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyResponse } from "./responses.ts";
 *
 * assert.equal(emptyResponse(204).status, 204);
 * ```
 */
export function emptyResponse(status: number): Response {
  return new Response(null, { status });
}

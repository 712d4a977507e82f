/**
 * `POST /loki/api/v1/raw`: newline-delimited lines, one entry each, stamped with the receive time.
 *
 * @module
 */
import { WireEntry } from "../push/wire_entry.ts";
import { errorResponse } from "../http/responses.ts";
import { buildBatch } from "./build_batch.ts";
import { handOff, type ReceiveContext } from "./receive_context.ts";
import { receiveBody, unsnappy } from "./receive_body.ts";

/**
 * Splits a body into entries: split on `\n`, trailing `\r`/`\n` removed, empty lines skipped.
 * Lines stay the bytes sent (as Alloy keeps them), read as UTF-8 when something asks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitLines } from "./raw_route.ts";
 *
 * const body = new TextEncoder().encode("a\r\n\n b \nc");
 * assert.deepEqual(splitLines(body).map((e) => e.line), ["a", " b ", "c"]);
 * ```
 */
export function splitLines(bytes: Uint8Array): WireEntry[] {
  const entries: WireEntry[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let next = bytes.indexOf(10, start);
    if (next < 0) next = bytes.length;
    let end = next;
    while (end > start && bytes[end - 1] === 13) end--;
    if (end > start) {
      entries.push(
        new WireEntry({
          seconds: 0,
          nanos: 0,
          source: bytes,
          lineStart: start,
          lineEnd: end,
          metaStart: 0,
          metaEnd: 0,
          metaSize: 0,
        }),
      );
    }
    start = next + 1;
  }
  return entries;
}

/**
 * Handles a raw request. The configured `labels`, the relabel rules and the tenant apply as on
 * the push endpoints (Alloy applies only the labels here). A body that would end up in a stream
 * without any label is refused with 400, since Loki refuses such streams.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "../relay.ts";
 *
 * let out = "";
 * const relay = createRelay({ labels: { job: "raw" } }, { stdout: (text) => (out += text) });
 * const res = await relay.fetch(
 *   new Request("http://relay/loki/api/v1/raw", { method: "POST", body: "one\ntwo\n" }),
 * );
 * assert.equal(res.status, 204);
 * assert.equal(out.trim().split("\n").length, 2);
 * await relay.close();
 * ```
 */
export function handleRaw(request: Request, ctx: ReceiveContext): Promise<Response> {
  return receiveBody(request, ctx, (received) => {
    const bytes = unsnappy(received);
    if (bytes instanceof Response) return bytes;
    const entries = splitLines(bytes);
    const options = {
      resolve: received.settings.resolve,
      stamp: ctx.stamp,
      useIncomingTimestamp: false,
      tenant: received.tenant,
    };
    if (entries.length === 0) return handOff(ctx, buildBatch({ streams: [] }, options));
    const resolved = received.settings.resolve("{}");
    if (resolved.kind === "dropped" && resolved.reason === "no_labels") {
      return errorResponse(
        400,
        'raw lines would have no labels: set "labels" in the config (Loki refuses unlabelled streams)',
      );
    }
    return handOff(ctx, buildBatch({ streams: [{ labels: "{}", entries }] }, options));
  });
}

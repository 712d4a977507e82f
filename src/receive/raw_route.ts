/**
 * `POST /loki/api/v1/raw`: newline-delimited lines, one entry each, stamped with the receive time.
 *
 * @module
 */
import type { Entry } from "../types.ts";
import { errorResponse } from "../http/responses.ts";
import { buildBatch } from "./build_batch.ts";
import { handOff, type ReceiveContext } from "./receive_context.ts";
import { receiveBody, unsnappy } from "./receive_body.ts";

/**
 * Splits a body into entries: split on `\n`, trailing `\r`/`\n` removed, empty lines skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitLines } from "./raw_route.ts";
 *
 * assert.deepEqual(splitLines("a\r\n\n b \nc").map((e) => e.line), ["a", " b ", "c"]);
 * ```
 */
export function splitLines(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const piece of text.split("\n")) {
    let end = piece.length;
    while (end > 0 && piece.charCodeAt(end - 1) === 13) end--;
    if (end > 0) entries.push({ seconds: 0, nanos: 0, line: piece.slice(0, end) });
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
    const entries = splitLines(new TextDecoder().decode(bytes));
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

/**
 * `POST /loki/api/v1/raw`: newline-delimited lines, one entry each, stamped with the receive time.
 *
 * @module
 */
import type { Entry } from "../types.ts";
import { readBody } from "../http/read_body.ts";
import type { BudgetHold } from "../http/inflight_budget.ts";
import { errorResponse } from "../http/responses.ts";
import { parseTenant } from "../http/tenant.ts";
import { snappyUncompress } from "../push/snappy_block.ts";
import { buildBatch } from "./build_batch.ts";
import { handOff, type ReceiveContext, refuseEarly } from "./receive_context.ts";

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
export async function handleRaw(request: Request, ctx: ReceiveContext): Promise<Response> {
  const hold = ctx.budget.hold();
  try {
    return await receiveRaw(request, ctx, hold);
  } finally {
    hold.release();
  }
}

async function receiveRaw(
  request: Request,
  ctx: ReceiveContext,
  hold: BudgetHold,
): Promise<Response> {
  const settings = ctx.settings;
  const tenant = parseTenant(request.headers.get("x-scope-orgid"));
  if (!tenant.ok) return errorResponse(400, tenant.error);
  const early = refuseEarly(ctx);
  if (early) return early;
  const body = await readBody(request, settings.maxBytes, hold);
  if (!body.ok) return errorResponse(body.status, body.error);
  let bytes = body.bytes;
  if (request.headers.get("content-encoding") === "snappy") {
    const un = snappyUncompress(bytes, settings.maxBytes);
    if (!un.ok) return errorResponse(un.status, un.error);
    bytes = un.bytes;
  }
  const entries = splitLines(new TextDecoder().decode(bytes));
  if (entries.length === 0) return handOff(ctx, buildBatch({ streams: [] }, opts()));
  const resolved = settings.resolve("{}");
  if (resolved.kind === "dropped" && resolved.reason === "no_labels") {
    return errorResponse(
      400,
      'raw lines would have no labels: set "labels" in the config (Loki refuses unlabelled streams)',
    );
  }
  return handOff(ctx, buildBatch({ streams: [{ labels: "{}", entries }] }, opts()));

  function opts() {
    return {
      resolve: settings.resolve,
      stamp: ctx.stamp,
      useIncomingTimestamp: false,
      tenant: tenant.ok ? tenant.tenant : undefined,
    };
  }
}

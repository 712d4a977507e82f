/**
 * `POST /loki/api/v1/raw`: newline-delimited lines, one entry each, stamped with the receive time.
 * Reads top to bottom: request headers → body → split into lines → streams → hand-off.
 *
 * @module
 */
import { readBody } from "../http/read_body.ts";
import { reserveFrom } from "../http/inflight_budget.ts";
import { snappyUncompressSteps } from "../codec/snappy_block.ts";
import { maxLines, splitLines } from "../codec/decode_raw.ts";
import { DECODED_ENTRY_BYTES } from "../codec/wire_entry.ts";
import { acceptSteps } from "./accept_streams.ts";
import { admit, FAILURE_STATUS, handOff, refuse, requestTenantOrRefusal } from "./answer.ts";
import type { Credential } from "../auth/authenticator.ts";
import { runSliced } from "./run_sliced.ts";
import type { ReceiveContext } from "./receive_context.ts";

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
export async function rawRoute(
  request: Request,
  ctx: ReceiveContext,
  credential?: Credential,
): Promise<Response> {
  const { settings, resolve } = ctx.active;
  const tenant = requestTenantOrRefusal(request, ctx, credential);
  if (tenant instanceof Response) return tenant;
  const full = await admit(request, ctx);
  if (full) return full;

  const hold = ctx.budget.hold();
  try {
    const body = await readBody(request, settings.maxMessageBytes, hold);
    if (!body.ok) return refuse(FAILURE_STATUS[body.failure], body.error);
    let bytes = body.bytes;
    if (request.headers.get("content-encoding") === "snappy") {
      const reserve = reserveFrom(hold, "the decompressed body");
      const block = await runSliced(
        snappyUncompressSteps(bytes, settings.maxMessageBytes, reserve, hold.buffer),
      );
      if (!block.ok) return refuse(FAILURE_STATUS[block.failure], block.error);
      bytes = block.bytes;
    }

    const lines = maxLines(bytes);
    if (lines > settings.limits.maxEntries) {
      return refuse(
        413,
        `the body has more than ${settings.limits.maxEntries} lines (request_limits.max_entries)`,
      );
    }
    const decoded = reserveFrom(hold, "the raw lines")(lines * DECODED_ENTRY_BYTES);
    if (decoded !== true) return refuse(FAILURE_STATUS[decoded.failure], decoded.error);
    const entries = splitLines(bytes);
    if (entries.length > 0) {
      const unlabelled = resolve("{}");
      if (unlabelled.kind === "dropped" && unlabelled.reason === "no_labels") {
        return refuse(
          400,
          'raw lines would have no labels: set "labels" in the config (Loki refuses unlabelled streams)',
        );
      }
    }

    const streams = await runSliced(acceptSteps({ streams: [{ labels: "{}", entries }] }, {
      resolve,
      stamp: ctx.stamp,
      useIncomingTimestamp: false,
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

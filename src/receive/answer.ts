/**
 * The answers of the receive routes: the one place where what happened to a request becomes a
 * status code. Lower layers (body reading, decompression, decoding, the sink) report outcomes
 * as values; the routes turn them into responses here.
 *
 * @module
 */
import type { SinkResult } from "../types.ts";
import type { BodyFailure } from "../http/read_body.ts";
import { type BudgetHold, reserveFrom } from "../http/inflight_budget.ts";
import type { SnappyResult } from "../codec/snappy_block.ts";
import type { DecodeFailure } from "../codec/decode_result.ts";
import { emptyResponse, errorResponse } from "../http/responses.ts";
import type { AcceptResult } from "./accept_streams.ts";
import type { ReceiveContext } from "./receive_context.ts";
import type { AuthOutcome, Credential } from "../auth/authenticator.ts";
import type { RateRefusal, TenantUsage } from "../limits/rate_limiter.ts";
import { tenantGroups } from "../tenant_groups.ts";
import { requestTenant, streamTenantsForbidden, type TenantDecision } from "./tenant_policy.ts";

type SnappyFailure = Extract<SnappyResult, { ok: false }>["failure"];
type DecodeFailureKind = DecodeFailure["failure"];

/**
 * The status for each way a body can fail: 400 for bytes that are not a push, 413 for a request
 * too large to ever take, 429 when only the bytes other requests hold are in the way.
 */
export const FAILURE_STATUS: Record<BodyFailure | SnappyFailure | DecodeFailureKind, number> = {
  unsupported_encoding: 400,
  unreadable: 400,
  corrupt: 400,
  invalid: 400,
  too_large: 413,
  busy: 429,
};

/**
 * How long a push waits for room in a full queue, before its body is read, until it is answered
 * 429: long enough for a Loki that recovers to take it, short enough for a client's timeout; a
 * client that ignores `Retry-After` is slowed to one try per wait on each connection.
 */
export const ROOM_WAIT_MS = 1000;

/**
 * Asks the sink, before the body is read, whether a push of this request's size could be taken
 * (its `Content-Length` times what recent pushes held per body byte), waiting up to
 * {@link ROOM_WAIT_MS}; the refusal to answer, or `undefined` to go on. A push that is still too
 * large once decoded is refused then, without a second wait.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { admit } from "./answer.ts";
 * import type { ReceiveContext } from "./receive_context.ts";
 *
 * const asked: unknown[] = [];
 * const ctx = {
 *   sink: { hasRoom: (wait: number, bytes: number) => (asked.push([wait, bytes]), { status: "closed" }) },
 *   queuedPerBodyByte: 4,
 * } as unknown as ReceiveContext;
 * const req = new Request("http://x/", {
 *   method: "POST",
 *   body: "12345",
 *   headers: { "content-length": "5" },
 * });
 * assert.equal((await admit(req, ctx))?.status, 503);
 * assert.deepEqual(asked, [[1000, 20]]);
 * ```
 */
export async function admit(request: Request, ctx: ReceiveContext): Promise<Response | undefined> {
  if (!ctx.sink.hasRoom) return undefined;
  const length = bodyLength(request);
  return sinkRefusal(await ctx.sink.hasRoom(ROOM_WAIT_MS, length * ctx.queuedPerBodyByte));
}

function bodyLength(request: Request): number {
  const length = Number(request.headers.get("content-length") ?? 0);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

/**
 * A refusal: the status and a one-line reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuse } from "./answer.ts";
 *
 * const res = refuse(413, "request body too large");
 * assert.equal(res.status, 413);
 * assert.equal(await res.text(), "request body too large\n");
 * ```
 */
export function refuse(status: number, error: string): Response {
  return errorResponse(status, error);
}

/**
 * The refusal for a sink that cannot take entries now: 429 with `Retry-After` when it is full,
 * 503 while the relay stops; `undefined` when it can.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sinkRefusal } from "./answer.ts";
 *
 * const res = sinkRefusal({ status: "full", retryAfterSeconds: 2, reason: "queue full" });
 * assert.equal(res?.status, 429);
 * assert.equal(res?.headers.get("retry-after"), "2");
 * assert.equal(sinkRefusal({ status: "closed" })?.status, 503);
 * assert.equal(sinkRefusal({ status: "ok" }), undefined);
 * ```
 */
export function sinkRefusal(result: SinkResult): Response | undefined {
  if (result.status === "full") {
    return errorResponse(429, `too many entries queued, retry later: ${result.reason}`, {
      "retry-after": String(result.retryAfterSeconds),
    });
  }
  if (result.status === "unavailable") {
    return errorResponse(503, `cannot take entries now, retry later: ${result.reason}`, {
      "retry-after": String(result.retryAfterSeconds),
    });
  }
  if (result.status === "closed") return errorResponse(503, "server shutdown");
  return undefined;
}

/**
 * The refusal of a request that did not authenticate: 401 with the challenges of the configured
 * schemes (`WWW-Authenticate`), or 429 when too many password checks are waiting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authRefusal } from "./answer.ts";
 *
 * const res = authRefusal(
 *   { ok: false, failure: "missing", error: "authentication required" },
 *   'Bearer realm="lokirelay"',
 * );
 * assert.equal(res.status, 401);
 * assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="lokirelay"');
 * ```
 */
export function authRefusal(
  outcome: Extract<AuthOutcome, { ok: false }>,
  challenge: string,
): Response {
  if (outcome.failure === "busy") {
    return errorResponse(429, outcome.error, { "retry-after": "1" });
  }
  return errorResponse(401, outcome.error, { "www-authenticate": challenge });
}

/**
 * The refusal of a request whose credential may not do what it asks (a tenant it is not bound
 * to, a route that shows every tenant): 403, nothing taken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forbidden } from "./answer.ts";
 *
 * assert.equal(forbidden('tenant "b" is not allowed').status, 403);
 * ```
 */
export function forbidden(error: string): Response {
  return errorResponse(403, error);
}

/**
 * The tenant a request pushes for, decided before its body is read (the credential's pin, else
 * `X-Scope-OrgID`, else `tenants.default`), or the refusal: 400 for a bad header, 403 for a tenant
 * the credential or `tenants.allowed` forbids, 429 (or 413) when that tenant, or everyone, has no
 * entry left in its rate bucket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "../relay.ts";
 *
 * const relay = createRelay({ tenants: { allowed: ["a"] } }, { stdout: () => {} });
 * const push = (tenant: string) =>
 *   relay.fetch(new Request("http://relay/loki/api/v1/raw", {
 *     method: "POST",
 *     headers: { "x-scope-orgid": tenant },
 *     body: "one\n",
 *   }));
 * assert.equal((await push("b")).status, 403);
 * assert.equal((await push("a|b")).status, 400);
 * await relay.close();
 * ```
 */
export function requestTenantOrRefusal(
  request: Request,
  ctx: ReceiveContext,
  credential: Credential | undefined,
): TenantDecision & { ok: true } | Response {
  const { settings, rates } = ctx.active;
  const tenant = requestTenant(request.headers.get("x-scope-orgid"), credential, settings.tenants);
  if (!tenant.ok) {
    if (tenant.status === 403) ctx.metrics.authFailures.inc({ reason: "forbidden" });
    return refuse(tenant.status, tenant.error);
  }
  const limited = rates?.empty(tenant.tenant ?? "");
  if (limited) {
    ctx.metrics.rateLimited.inc({ tenant: ctx.metrics.tenantLabel(limited.tenant) });
    return rateRefusal(limited);
  }
  return tenant;
}

/**
 * The refusal of a push over an ingestion rate: 429 with `Retry-After` from the bucket, or 413
 * for a push larger than a burst (it could never pass).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateRefusal } from "./answer.ts";
 *
 * const res = rateRefusal({ kind: "wait", retryAfterSeconds: 3, tenant: "a", error: "over" });
 * assert.equal(res.status, 429);
 * assert.equal(res.headers.get("retry-after"), "3");
 * assert.equal(rateRefusal({ kind: "never", tenant: "a", error: "too big" }).status, 413);
 * ```
 */
export function rateRefusal(refusal: RateRefusal): Response {
  if (refusal.kind === "never") return errorResponse(413, refusal.error);
  return errorResponse(429, refusal.error, { "retry-after": String(refusal.retryAfterSeconds) });
}

/**
 * Hands accepted streams to the sink and answers: 204; 400 with the last stream error when some
 * streams were refused (the good ones are still forwarded, as Alloy does), or in Loki's grouped
 * form when Loki's limits refused streams or entries; 403 when a `__tenant_id__` label gave a
 * stream a tenant the credential or `tenants.allowed` forbids, 429 (or 413) over an ingestion
 * rate, 429 or 503 when the sink cannot take them (then nothing of the request is taken). The
 * wait for room happens before the body is read (see {@link admit}), so no request holds its
 * decoded entries while it waits. What the sink holds beyond the entries while it answers (see
 * `Sink.heldBytes`) is taken from `hold` first: 413 or 429 when it cannot be.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "prom-client";
 * import { handOff } from "./answer.ts";
 * import type { ReceiveContext } from "./receive_context.ts";
 * import { createReceiveMetrics } from "./receive_metrics.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const ctx = {
 *   active: { settings: { tenants: {} } },
 *   sink: { offer: () => ({ status: "full", retryAfterSeconds: 2, reason: "queue full" }) },
 *   metrics: createReceiveMetrics(new Registry()),
 *   logger: silentLogger,
 * } as unknown as ReceiveContext;
 * const res = await handOff(ctx, {
 *   accepted: { streams: [], entryCount: 1, byteSize: 1, queuedBytes: 300 },
 *   skipped: {},
 * });
 * assert.equal(res.status, 429);
 * ```
 */
export async function handOff(
  ctx: ReceiveContext,
  result: AcceptResult,
  request?: Request,
  credential?: Credential,
  hold?: BudgetHold,
): Promise<Response> {
  const { accepted, error, skipped, refused } = result;
  const m = ctx.metrics;
  if (accepted.entryCount > 0) {
    const refusedTenant = streamTenantsForbidden(accepted, credential, ctx.active.settings.tenants);
    if (refusedTenant) {
      m.authFailures.inc({ reason: "forbidden" });
      return forbidden(refusedTenant);
    }
    const groups = tenantGroups(accepted);
    const rates = ctx.active.rates;
    if (rates) {
      const usage: TenantUsage = new Map();
      for (const g of groups) {
        usage.set(g.tenant ?? "", { entries: g.entryCount, bytes: g.byteSize });
      }
      const limited = rates.take(usage);
      if (limited) {
        m.rateLimited.inc({ tenant: m.tenantLabel(limited.tenant) });
        return rateRefusal(limited);
      }
    }
    const length = request ? bodyLength(request) : 0;
    if (length > 0) {
      ctx.queuedPerBodyByte = 0.8 * ctx.queuedPerBodyByte + 0.2 * (accepted.queuedBytes / length);
    }
    const held = hold && ctx.sink.heldBytes?.(accepted);
    if (held) {
      const taken = reserveFrom(hold, "the log record")(held);
      if (taken !== true) return refuse(FAILURE_STATUS[taken.failure], taken.error);
    }
    const full = sinkRefusal(await ctx.sink.offer(accepted));
    if (full) return full;
    m.entriesWritten.inc(accepted.entryCount);
    for (const g of groups) {
      const tenant = m.tenantLabel(g.tenant);
      m.receivedEntries.inc({ tenant }, g.entryCount);
      m.receivedBytes.inc({ tenant }, g.byteSize);
    }
    ctx.onAccepted?.(accepted);
  }
  for (const reason in skipped) {
    m.skipped.inc({ reason }, skipped[reason]);
    ctx.logger.debug("entries skipped", { reason, entries: skipped[reason] });
  }
  if (refused) {
    for (const [tenant, cut] of refused.truncated()) {
      const labels = { reason: "line_too_long", tenant: m.tenantLabel(tenant) };
      m.mutatedEntries.inc(labels, cut.entries);
      m.mutatedBytes.inc(labels, cut.bytes);
    }
    for (const d of refused.discarded()) {
      const labels = { reason: d.reason, tenant: m.tenantLabel(d.tenant) };
      m.discardedEntries.inc(labels, d.entries);
      m.discardedBytes.inc(labels, d.bytes);
    }
    if (refused.any) {
      if (error !== undefined) refused.errors.add(error);
      const message = refused.errors.toString();
      ctx.logger.debug("entries refused by limits", {
        entries: refused.errors.count,
        error: message,
      });
      return errorResponse(400, message);
    }
  }
  if (error !== undefined) return errorResponse(400, error);
  return emptyResponse(204);
}

/**
 * Who may use a route, when `auth` has credentials: the push routes need any credential; the
 * operator routes (status page, its JSON, the tail, `/-/reload`) need one bound to no tenant,
 * since they show or change every tenant's traffic; `/metrics` and `/ready` are open unless
 * `protect_metrics` / `protect_ready` say otherwise. With `auth` off every route is open.
 *
 * @module
 */
import type { Credential } from "../auth/authenticator.ts";
import { authRefusal, forbidden } from "./answer.ts";
import type { ReceiveContext } from "./receive_context.ts";

/** What a route asks of a request. */
export type Access = "push" | "operator" | "metrics" | "ready";

/** The credential a request authenticated with (none when `auth` is off), or the refusal. */
export type Authorized =
  | { ok: true; credential?: Credential }
  | { ok: false; response: Response };

/**
 * Authorizes `request` for a route of kind `access`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "../relay.ts";
 *
 * const relay = createRelay({ auth: { bearer_tokens: [{ token: "s3cret", tenants: ["a"] }] } });
 * const get = (path: string, token?: string) =>
 *   relay.fetch(new Request(`http://relay${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}));
 * assert.equal((await get("/ready")).status, 200);
 * assert.equal((await get("/status")).status, 401);
 * assert.equal((await get("/status", "s3cret")).status, 403);
 * await relay.close();
 * ```
 */
export async function authorize(
  request: Request,
  ctx: ReceiveContext,
  access: Access,
): Promise<Authorized> {
  const auth = ctx.active.auth;
  if (!auth) return { ok: true };
  if (access === "ready" && !auth.settings.protectReady) return { ok: true };
  if (access === "metrics" && !auth.settings.protectMetrics) return { ok: true };
  const outcome = await auth.authenticate(request.headers.get("authorization"));
  if (!outcome.ok) {
    ctx.metrics.authFailures.inc({ reason: outcome.failure });
    return { ok: false, response: authRefusal(outcome, auth.challenge(outcome.failure)) };
  }
  const credential = outcome.credential;
  ctx.metrics.authRequests.inc({ credential: credential.name });
  if (
    (access === "operator" || access === "metrics") && (credential.tenants || credential.tenant)
  ) {
    ctx.metrics.authFailures.inc({ reason: "forbidden" });
    return {
      ok: false,
      response: forbidden(
        `credential ${JSON.stringify(credential.name)} is bound to tenants: this route shows ` +
          "every tenant and needs a credential bound to none",
      ),
    };
  }
  return { ok: true, credential };
}

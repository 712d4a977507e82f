/**
 * Which tenant a push is written for, and whether it may be: the credential's pin, else
 * `X-Scope-OrgID`, else `tenants.default`; then a `__tenant_id__` label may set a stream's own.
 * Every tenant a push ends up with must be in `tenants.allowed` (when set) and among the
 * credential's tenants (when bound); otherwise the whole push is refused, nothing taken.
 *
 * @module
 */
import type { TenantSettings } from "../config/settings.ts";
import type { Credential } from "../auth/authenticator.ts";
import type { Accepted } from "../types.ts";
import { parseTenant } from "../http/tenant.ts";

/** The tenant of a request, or why it is refused: 400 for a bad header, 403 for a forbidden one. */
export type TenantDecision =
  | { ok: true; tenant: string | undefined; pinned: boolean }
  | { ok: false; status: 400 | 403; error: string };

/**
 * Decides the request's tenant before its body is read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestTenant } from "./tenant_policy.ts";
 *
 * const policy = { default: "edge", allowed: ["edge", "ops"] };
 * assert.deepEqual(requestTenant(null, undefined, policy), { ok: true, tenant: "edge", pinned: false });
 * assert.deepEqual(requestTenant("dev", undefined, policy), {
 *   ok: false, status: 403, error: 'tenant "dev" is not allowed (tenants.allowed)',
 * });
 * const pinned = { name: "ci", tenant: "ops" };
 * assert.deepEqual(requestTenant("edge", pinned, policy), { ok: true, tenant: "ops", pinned: true });
 * const bound = { name: "ci", tenants: new Set(["ops"]) };
 * assert.equal(requestTenant("edge", bound, policy).ok, false);
 * ```
 */
export function requestTenant(
  header: string | null,
  credential: Credential | undefined,
  policy: TenantSettings,
): TenantDecision {
  if (credential?.tenant !== undefined) {
    return { ok: true, tenant: credential.tenant, pinned: true };
  }
  const parsed = parseTenant(header);
  if (!parsed.ok) return { ok: false, status: 400, error: parsed.error };
  const tenant = parsed.tenant ?? policy.default;
  const forbidden = tenantForbidden(tenant, credential, policy);
  if (forbidden) return { ok: false, status: 403, error: forbidden };
  return { ok: true, tenant, pinned: false };
}

/**
 * Checks the tenants that `__tenant_id__` labels gave streams of an accepted push: the reason
 * the push is refused (403), or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamTenantsForbidden } from "./tenant_policy.ts";
 *
 * const accepted = {
 *   tenant: "a",
 *   streams: [{ tenant: "b", labels: {}, key: "{}", entries: [] }],
 *   entryCount: 0, byteSize: 0, queuedBytes: 0,
 * };
 * assert.equal(streamTenantsForbidden(accepted, undefined, {}), undefined);
 * assert.equal(
 *   streamTenantsForbidden(accepted, { name: "ci", tenants: new Set(["a"]) }, {}),
 *   'credential "ci" may not push for tenant "b" (set by a __tenant_id__ label)',
 * );
 * ```
 */
export function streamTenantsForbidden(
  accepted: Accepted,
  credential: Credential | undefined,
  policy: TenantSettings,
): string | undefined {
  if (!credential?.tenants && !policy.allowed) return undefined;
  const seen = new Set<string>();
  for (const s of accepted.streams) {
    if (s.tenant === undefined || seen.has(s.tenant)) continue;
    seen.add(s.tenant);
    const forbidden = tenantForbidden(s.tenant, credential, policy);
    if (forbidden) return `${forbidden} (set by a __tenant_id__ label)`;
  }
  return undefined;
}

function tenantForbidden(
  tenant: string | undefined,
  credential: Credential | undefined,
  policy: TenantSettings,
): string | undefined {
  if (tenant === undefined) {
    if (credential?.tenants) {
      return `credential ${JSON.stringify(credential.name)} must name its tenant (X-Scope-OrgID)`;
    }
    if (policy.allowed) return "a tenant is required (X-Scope-OrgID): tenants.allowed is set";
    return undefined;
  }
  if (credential?.tenants && !credential.tenants.has(tenant)) {
    return `credential ${JSON.stringify(credential.name)} may not push for tenant ${
      JSON.stringify(tenant)
    }`;
  }
  if (policy.allowed && !policy.allowed.includes(tenant)) {
    return `tenant ${JSON.stringify(tenant)} is not allowed (tenants.allowed)`;
  }
  return undefined;
}

/**
 * The tenant of a request, from `X-Scope-OrgID`, checked as Loki and dskit check it.
 *
 * @module
 */
import { tenantIdError } from "../tenant_id.ts";

/** A tenant (or none), or the reason the header was refused. */
export type TenantResult = { ok: true; tenant?: string } | { ok: false; error: string };

/**
 * Reads the tenant from an `X-Scope-OrgID` value. A `:subtenant` suffix is dropped; several
 * tenants joined with `|` are allowed only when they are the same one. Unlike Alloy, which ignores
 * a bad header and merges the entries into the default tenant, an invalid value is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTenant } from "./tenant.ts";
 *
 * assert.deepEqual(parseTenant("team-a"), { ok: true, tenant: "team-a" });
 * assert.deepEqual(parseTenant("a:x|a:y"), { ok: true, tenant: "a" });
 * assert.deepEqual(parseTenant(null), { ok: true });
 * assert.equal(parseTenant("a|b").ok, false);
 * ```
 */
export function parseTenant(header: string | null): TenantResult {
  if (header === null || header === "") return { ok: true };
  const parts = header.split("|");
  const tenant = parts[0].split(":")[0];
  const bad = tenantIdError(tenant);
  if (bad) return { ok: false, error: `X-Scope-OrgID ${JSON.stringify(header)}: ${bad}` };
  for (const part of parts.slice(1)) {
    if (part.split(":")[0] !== tenant) {
      return {
        ok: false,
        error: `X-Scope-OrgID ${JSON.stringify(header)}: multiple tenants are not supported`,
      };
    }
  }
  return tenant === "" ? { ok: true } : { ok: true, tenant };
}

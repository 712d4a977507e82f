/**
 * What a tenant ID may be, as Loki (dskit's `ValidTenantID`) checks it: at most 150 bytes of
 * letters, digits and `!-_.*'()`, and neither `.` nor `..`. Used for `X-Scope-OrgID`, for tenants
 * named in the config and for tenants set by a `__tenant_id__` label.
 *
 * @module
 */

/** Longest tenant ID Loki accepts. */
export const MAX_TENANT_LENGTH = 150;

const TENANT_CHARS = /^[a-zA-Z0-9!\-_.*'()]+$/;

/**
 * Why `tenant` is not a valid tenant ID, or `undefined` when it is (`""` is "no tenant": valid).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tenantIdError } from "./tenant_id.ts";
 *
 * assert.equal(tenantIdError("team-a"), undefined);
 * assert.equal(tenantIdError(".."), 'tenant ".." is not allowed');
 * assert.equal(tenantIdError("a b"), "tenant may only contain letters, digits and !-_.*'()");
 * ```
 */
export function tenantIdError(tenant: string): string | undefined {
  if (tenant === "") return undefined;
  if (tenant.length > MAX_TENANT_LENGTH) return `tenant longer than ${MAX_TENANT_LENGTH} bytes`;
  if (tenant === "." || tenant === "..") return `tenant "${tenant}" is not allowed`;
  if (!TENANT_CHARS.test(tenant)) return "tenant may only contain letters, digits and !-_.*'()";
  return undefined;
}

/**
 * The `tenant` label of the receive metrics, with a bound on its values: a client chooses its
 * `X-Scope-OrgID`, so without one it could make the registry grow without end.
 *
 * @module
 */

/** Distinct tenants that get their own label value, per process. */
export const MAX_TENANT_LABELS = 50;

/** The label value of every tenant past the bound (`~` cannot be in a tenant ID). */
export const OTHER_TENANTS = "~other";

/**
 * A function naming the label value of a tenant: the tenant itself (`""` for none) for the first
 * `max` distinct tenants seen, {@link OTHER_TENANTS} for any later one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tenantLabel } from "./tenant_label.ts";
 *
 * const label = tenantLabel(2);
 * assert.equal(label("a"), "a");
 * assert.equal(label(undefined), "");
 * assert.equal(label("b"), "~other");
 * assert.equal(label("a"), "a");
 * ```
 */
export function tenantLabel(max = MAX_TENANT_LABELS): (tenant: string | undefined) => string {
  const seen = new Set<string>();
  return (tenant = "") => {
    if (seen.has(tenant)) return tenant;
    if (seen.size >= max) return OTHER_TENANTS;
    seen.add(tenant);
    return tenant;
  };
}

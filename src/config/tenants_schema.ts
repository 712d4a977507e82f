/**
 * The `tenants` block: lokirelay's own tenant policy.
 *
 * @module
 */
import { z } from "zod";
import { tenantIdError } from "../tenant_id.ts";

/**
 * A tenant ID as Loki accepts it (see `tenant_id.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tenantIdSchema } from "./tenants_schema.ts";
 *
 * assert.equal(tenantIdSchema.parse("team-a"), "team-a");
 * assert.equal(tenantIdSchema.safeParse("team a").success, false);
 * ```
 */
export const tenantIdSchema = z.string().min(1).check((ctx) => {
  const error = tenantIdError(ctx.value);
  if (error) {
    ctx.issues.push({
      code: "custom",
      message: `${JSON.stringify(ctx.value)}: ${error}`,
      input: ctx.value,
    });
  }
});

/**
 * Schema of the `tenants` block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tenantsSchema } from "./tenants_schema.ts";
 *
 * assert.deepEqual(tenantsSchema.parse(undefined), {});
 * assert.deepEqual(tenantsSchema.parse({ default: "edge", allowed: ["edge", "ops"] }), {
 *   default: "edge",
 *   allowed: ["edge", "ops"],
 * });
 * ```
 */
export const tenantsSchema = z.strictObject({
  default: tenantIdSchema.optional().describe(
    "Tenant of pushes without X-Scope-OrgID. Absent: such pushes have no tenant, and each " +
      "endpoint's tenant_id applies (as Alloy).",
  ),
  allowed: z.array(tenantIdSchema).min(1).optional().describe(
    "The only tenants accepted (after default, pinning and __tenant_id__ labels); a push for " +
      "another, or for none, is refused 403 with nothing taken. Absent: any tenant.",
  ),
}).prefault({}).describe(
  "lokirelay's own tenant policy. A relabel rule that writes __tenant_id__ sets the tenant of " +
    "its stream, so one push can fan out to several tenants.",
);

/** The `tenants` block as parsed. */
export type TenantsConfig = z.output<typeof tenantsSchema>;

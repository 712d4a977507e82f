/**
 * The `rate_limits` block: lokirelay's own per-tenant and global ingestion rates, as token
 * buckets (Loki's `ingestion_rate_mb` / `ingestion_burst_size_mb`, counted in entries too).
 *
 * @module
 */
import { z } from "zod";
import { sizeSchema } from "./schema_helpers.ts";
import { tenantIdSchema } from "./tenants_schema.ts";

/**
 * One set of rates: each of entries/s and bytes/s (lines and structured metadata, Loki's
 * measure) with its burst; `0` (the default) is no limit. A burst left out is one second of the
 * rate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateSchema } from "./rate_limits_schema.ts";
 *
 * assert.deepEqual(rateSchema.parse({}), { entries_per_second: 0, bytes_per_second: 0 });
 * assert.equal(rateSchema.parse({ bytes_per_second: "4MiB" }).bytes_per_second, "4MiB");
 * ```
 */
export const rateSchema = z.strictObject({
  entries_per_second: z.number().min(0).default(0).describe("Entries per second; 0: no limit."),
  entries_burst: z.int().min(1).optional().describe(
    "Entries a client may push at once after a quiet spell (the bucket's size); default: one " +
      "second of entries_per_second. A push of more entries is refused 413.",
  ),
  bytes_per_second: sizeSchema.default(0).describe(
    "Bytes of lines and structured metadata per second (Loki's ingestion_rate_mb); 0: no limit.",
  ),
  bytes_burst: sizeSchema.optional().describe(
    "Bytes a client may push at once (Loki's ingestion_burst_size_mb); default: one second of " +
      "bytes_per_second. A push of more bytes is refused 413.",
  ),
});

/**
 * Schema of the `rate_limits` block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimitsSchema } from "./rate_limits_schema.ts";
 *
 * const r = rateLimitsSchema.parse({ per_tenant: { entries_per_second: 100 } });
 * assert.equal(r.per_tenant.entries_per_second, 100);
 * assert.equal(r.global.entries_per_second, 0);
 * assert.deepEqual(r.overrides, {});
 * ```
 */
export const rateLimitsSchema = z.strictObject({
  per_tenant: rateSchema.prefault({}).describe(
    'Rates of each tenant (pushes without a tenant share the tenant ""), unless overridden.',
  ),
  overrides: z.record(tenantIdSchema, rateSchema).default({}).describe(
    "Rates of named tenants, in place of per_tenant.",
  ),
  global: rateSchema.prefault({}).describe("Rates of all tenants together, on this relay."),
}).prefault({}).describe(
  "lokirelay's own ingestion rates, per relay instance. Over a rate a push is refused 429 with " +
    "Retry-After saying when it would pass, and nothing is taken.",
);

/** The `rate_limits` block as parsed. */
export type RateLimitsConfig = z.output<typeof rateLimitsSchema>;

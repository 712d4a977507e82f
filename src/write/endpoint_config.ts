/**
 * One Loki endpoint of `forward_to`: names and defaults as Alloy's `loki.write` `endpoint` block.
 *
 * @module
 */
import { z } from "zod";
import { httpUrlSchema } from "../config/schema_helpers.ts";

/**
 * Schema of one `forward_to` endpoint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointSchema } from "./endpoint_config.ts";
 *
 * assert.equal(endpointSchema.parse({ url: "http://loki:3100/loki/api/v1/push" }).url,
 *   "http://loki:3100/loki/api/v1/push");
 * ```
 */
export const endpointSchema = z.strictObject({
  url: httpUrlSchema,
  name: z.string().optional(),
});

/** A `forward_to` endpoint with defaults filled in. */
export type EndpointConfig = z.output<typeof endpointSchema>;

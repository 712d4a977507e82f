/**
 * The `status` block: lokirelay's own, for the status page, its JSON and the live tail.
 *
 * @module
 */
import { z } from "zod";

/**
 * Schema of the `status` block. Both routes are on by default; ingest auth, when it exists,
 * protects them as it protects the push routes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusSchema } from "./status_schema.ts";
 *
 * assert.deepEqual(statusSchema.parse(undefined), { enabled: true, tail: true });
 * assert.equal(statusSchema.safeParse({ tail: "no" }).success, false);
 * ```
 */
export const statusSchema = z.strictObject({
  enabled: z.boolean().default(true).describe(
    "Serve the status page (GET /) and its data as JSON (GET /status); false answers 404.",
  ),
  tail: z.boolean().default(true).describe(
    "Serve the live tail of received entries (GET /tail, Server-Sent Events, rate-limited); " +
      "false (or enabled: false) answers 404.",
  ),
}).prefault({}).describe(
  "lokirelay's own: the status page, its JSON and the live tail, for operators.",
);

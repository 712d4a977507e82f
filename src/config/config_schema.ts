/**
 * The relay's configuration: `loki.source.api`'s own arguments at the top level, so an Alloy user
 * recognises every name, plus `forward_to` endpoints shaped like `loki.write`'s.
 *
 * @module
 */
import { DEFAULT_MAX_INFLIGHT_BYTES } from "./memory_bound.ts";
import { z } from "zod";
import { relabelRuleSchema } from "../rules/rule.ts";
import { endpointSchema } from "./endpoint_schema.ts";
import { durationSchema, labelMapSchema, sizeSchema } from "./schema_helpers.ts";
import { httpSchema } from "./http_schema.ts";
import { statusSchema } from "./status_schema.ts";
import { authSchema } from "./auth_schema.ts";
import { tenantsSchema } from "./tenants_schema.ts";
import { rateLimitsSchema } from "./rate_limits_schema.ts";
import { limitsSchema } from "./limits_schema.ts";

/** `max_send_message_size` when it is absent or 0 (Alloy's 100 MiB). */
export const DEFAULT_MAX_SEND_MESSAGE_SIZE = "100MiB";

/**
 * The whole configuration file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configSchema } from "./config_schema.ts";
 *
 * const config = configSchema.parse({});
 * assert.equal(config.http.listen_port, 8080);
 * assert.equal(config.max_send_message_size, "100MiB");
 * assert.equal(config.forward_to, undefined);
 * ```
 */
export const configSchema = z.strictObject({
  $schema: z.string().optional().describe(
    "The JSON Schema of this file (`lokirelay schema` prints it), for editors; not read.",
  ),
  status: statusSchema,
  http: httpSchema.prefault({}).describe("The HTTP server (Alloy's http block)."),
  labels: labelMapSchema.default({}).describe(
    'Labels set on every stream, over the incoming labels of the same name ("" deletes one).',
  ),
  relabel_rules: z.array(relabelRuleSchema).default([]).describe(
    "Prometheus relabel rules, run once per stream.",
  ),
  use_incoming_timestamp: z.boolean().default(false).describe(
    "Keep the client's timestamps instead of the time of receipt.",
  ),
  max_send_message_size: sizeSchema.default(DEFAULT_MAX_SEND_MESSAGE_SIZE).describe(
    "Largest body accepted, on the wire and decompressed; 0 means the default.",
  ),
  max_inflight_bytes: sizeSchema.default(DEFAULT_MAX_INFLIGHT_BYTES).describe(
    "lokirelay's own: bytes all requests being received may hold at once (the body on the " +
      "wire, decompressed, and decoded). Past it clients get 429 (413 for a request that alone " +
      "would pass it); it bounds memory however many send at once.",
  ),
  request_limits: z.strictObject({
    max_streams: z.int().min(1).default(50_000).describe("Streams in one push."),
    max_entries: z.int().min(1).default(1_000_000).describe(
      "Entries in one push (lines of a raw body).",
    ),
    max_label_bytes: sizeSchema.default("64KiB").describe(
      'Bytes of one stream\'s label string ({app="a", …}), as sent or built.',
    ),
    max_json_depth: z.int().min(4).max(10_000).default(64).describe(
      "Nesting of any value in a JSON push.",
    ),
  }).prefault({}).describe(
    "lokirelay's own: bounds one request must stay within, checked while its body is decoded, " +
      "before the decoded form exists. A request that passes one is refused whole (413).",
  ),
  wal: z.strictObject({
    enabled: z.boolean().default(false).describe("Off by default: the memory queue, as Alloy."),
    dir: z.string().min(1).default("lokirelay-wal").describe(
      "Where segments and cursors live (created if missing; one relay per directory).",
    ),
    max_size: sizeSchema.default("1GiB").describe(
      "Disk the log may use; past it pushes are refused with 429 until endpoints catch up.",
    ),
    segment_size: sizeSchema.default("16MiB").describe(
      "Size at which a segment is closed and a new one started (deletion works per segment).",
    ),
    fsync: z.enum(["always", "interval", "never"]).default("always").describe(
      "always: a push is answered once its record is synced to disk (concurrent pushes share " +
        "one sync); interval: pushes are answered at the next sync, at most fsync_interval " +
        "apart; never: answered once written to the OS (survives a crash of the relay, not of " +
        "the machine).",
    ),
    fsync_interval: durationSchema.default("100ms").describe(
      "Time between syncs with fsync: interval.",
    ),
    drain_timeout: durationSchema.default("30s").describe(
      "How long a stop keeps sending from the log; what is left stays for the next start.",
    ),
    max_segment_age: durationSchema.default("1h").describe(
      "Alloy's: here, the age at which the open segment is closed (never a reason to delete).",
    ),
    min_read_frequency: durationSchema.optional().describe(
      "Alloy's (default 250ms): accepted, no effect (readers are woken by every write).",
    ),
    max_read_frequency: durationSchema.optional().describe(
      "Alloy's (default 1s): accepted, no effect (readers are woken by every write).",
    ),
  }).prefault({}).describe(
    "The write-ahead log (Alloy's loki.write wal block, at the top level): with it on, a push " +
      "is answered 204 only once its entries are in the log (synced per fsync), and each " +
      "endpoint reads the log from its own persisted cursor.",
  ),
  auth: authSchema,
  tenants: tenantsSchema,
  rate_limits: rateLimitsSchema,
  limits: limitsSchema,
  forward_to: z.array(endpointSchema).optional().describe(
    "Loki endpoints (loki.write endpoint blocks); when absent every entry is written to stdout " +
      "as a JSON line.",
  ),
  graceful_shutdown_timeout: durationSchema.default("30s").describe(
    "Time a stop (or a listener restart) waits for in-flight requests.",
  ),
  external_labels: labelMapSchema.default({}).describe(
    "Labels added under every stream sent to Loki (a stream's own label of the same name wins).",
  ),
});

/** The configuration as written in a file (every field optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The configuration with every default filled in. */
export type Config = z.output<typeof configSchema>;

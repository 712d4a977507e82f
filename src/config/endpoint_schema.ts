/**
 * One Loki endpoint of `forward_to`: names and defaults as Alloy's `loki.write` `endpoint` block.
 *
 * @module
 */
import { z } from "zod";
import { durationSchema, httpUrlSchema, labelMapSchema, sizeSchema } from "./schema_helpers.ts";

/**
 * Outbound TLS: how the relay trusts Loki and proves itself to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientTlsSchema } from "./endpoint_schema.ts";
 *
 * assert.equal(clientTlsSchema.safeParse({ ca_pem: "x", ca_file: "y" }).success, false);
 * ```
 */
export const clientTlsSchema = z.strictObject({
  ca_pem: z.string().optional(),
  ca_file: z.string().optional(),
  cert_pem: z.string().optional(),
  cert_file: z.string().optional(),
  key_pem: z.string().optional(),
  key_file: z.string().optional(),
  server_name: z.string().optional(),
  insecure_skip_verify: z.boolean().default(false),
}).check((ctx) => {
  const t = ctx.value;
  for (
    const [a, b] of [["ca_pem", "ca_file"], ["cert_pem", "cert_file"], ["key_pem", "key_file"]]
  ) {
    if (t[a as keyof typeof t] !== undefined && t[b as keyof typeof t] !== undefined) {
      ctx.issues.push({
        code: "custom",
        input: t,
        path: [a],
        message: `${a} and ${b} are mutually exclusive`,
      });
    }
  }
  const hasCert = t.cert_pem !== undefined || t.cert_file !== undefined;
  const hasKey = t.key_pem !== undefined || t.key_file !== undefined;
  if (hasCert !== hasKey) {
    ctx.issues.push({
      code: "custom",
      input: t,
      path: [hasCert ? "key_pem" : "cert_pem"],
      message: "a client certificate needs both a cert and a key",
    });
  }
});

/**
 * Schema of one `forward_to` endpoint. The backoff defaults retry for about 8.5 minutes
 * (0.5 s, 1 s, 2 s … 256 s) before a batch is dropped and counted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointSchema } from "./endpoint_schema.ts";
 *
 * const e = endpointSchema.parse({ url: "http://loki:3100/loki/api/v1/push" });
 * assert.equal(e.batch_wait, "1s");
 * assert.equal(e.queue_config.capacity, "10MiB");
 * assert.equal(e.max_backoff_retries, 10);
 * ```
 */
export const endpointSchema = z.strictObject({
  url: httpUrlSchema,
  /** Shown in metrics and logs; defaults to the URL's host. */
  name: z.string().optional(),
  /** Longest a batch waits before it is sent. */
  batch_wait: durationSchema.default("1s"),
  /** Bytes of lines and metadata that make a batch be sent. */
  batch_size: sizeSchema.default("1MiB"),
  /** Time for one push request. */
  remote_timeout: durationSchema.default("10s"),
  /** Extra request headers; they cannot replace the relay's own. */
  headers: labelMapSchema.default({}),
  /** Tenant for entries that arrive without one. */
  tenant_id: z.string().optional(),
  min_backoff_period: durationSchema.default("500ms"),
  max_backoff_period: durationSchema.default("5m"),
  /** Attempts per batch before it is dropped; 0 retries forever. */
  max_backoff_retries: z.int().min(0).default(10),
  retry_on_http_429: z.boolean().default(true),
  basic_auth: z.strictObject({
    username: z.string(),
    password: z.string().optional(),
    password_file: z.string().optional(),
  }).check((ctx) => {
    if (ctx.value.password !== undefined && ctx.value.password_file !== undefined) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["password"],
        message: "password and password_file are mutually exclusive",
      });
    }
  }).optional(),
  bearer_token: z.string().optional(),
  bearer_token_file: z.string().optional(),
  tls_config: clientTlsSchema.optional(),
  queue_config: z.strictObject({
    /** Bytes an endpoint may hold; a push that would pass it is refused with 429. */
    capacity: sizeSchema.default("10MiB"),
    /** How long a stop keeps sending what is queued. */
    drain_timeout: durationSchema.default("15s"),
    /**
     * Requests in flight to this endpoint at once. Each stream always goes through the same
     * shard, so its entries stay in order.
     */
    min_shards: z.int().min(1).max(64).default(1),
    /**
     * What a full queue does: `true` refuses the push with 429 (the client retries; Alloy blocks
     * its pipeline instead); `false` takes the push and drops this endpoint's copy, counted as
     * `queue_is_full`.
     */
    block_on_overflow: z.boolean().default(true),
  }).prefault({}),
}).check((ctx) => {
  const e = ctx.value;
  const auths = [
    e.basic_auth && "basic_auth",
    e.bearer_token !== undefined && "bearer_token",
    e.bearer_token_file !== undefined && "bearer_token_file",
  ].filter(Boolean);
  if (auths.length > 1) {
    ctx.issues.push({
      code: "custom",
      input: e,
      path: [auths[1] as string],
      message: `at most one of basic_auth, bearer_token and bearer_token_file (got ${
        auths.join(", ")
      })`,
    });
  }
});

/** A `forward_to` endpoint with defaults filled in. */
export type EndpointConfig = z.output<typeof endpointSchema>;

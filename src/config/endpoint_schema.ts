/**
 * One Loki endpoint of `forward_to`: names and defaults as Alloy's `loki.write` `endpoint` block.
 *
 * @module
 */
import { DEFAULT_QUEUE_CAPACITY } from "./memory_bound.ts";
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
  ca_pem: z.string().optional().describe(
    "CA certificates (PEM text) Loki's certificate is checked against.",
  ),
  ca_file: z.string().optional().describe("File holding the CA certificates (PEM) to trust."),
  cert_pem: z.string().optional().describe("Client certificate (PEM text) presented to Loki."),
  cert_file: z.string().optional().describe("File holding the client certificate (PEM)."),
  key_pem: z.string().optional().describe("The client certificate's private key (PEM text)."),
  key_file: z.string().optional().describe("File holding the client certificate's private key."),
  server_name: z.string().optional().describe("Name Loki's certificate must carry (SNI)."),
  insecure_skip_verify: z.boolean().default(false).describe(
    "Accept any certificate from Loki (testing only).",
  ),
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
  url: httpUrlSchema.describe("Loki's push URL, e.g. http://loki:3100/loki/api/v1/push."),
  name: z.string().optional().describe(
    "The host label of this endpoint's metrics and logs; defaults to the URL's host.",
  ),
  batch_wait: durationSchema.default("1s").describe("Longest a batch waits before it is sent."),
  batch_size: sizeSchema.default("1MiB").describe(
    "Bytes of lines and metadata that make a batch be sent.",
  ),
  remote_timeout: durationSchema.default("10s").describe("Time for one push request."),
  headers: labelMapSchema.default({}).describe(
    "Extra request headers; they cannot replace the relay's own.",
  ),
  tenant_id: z.string().optional().describe(
    "X-Scope-OrgID for entries that arrive without a tenant.",
  ),
  min_backoff_period: durationSchema.default("500ms").describe("First retry wait."),
  max_backoff_period: durationSchema.default("5m").describe(
    "Longest retry wait (and cap of a Retry-After).",
  ),
  max_backoff_retries: z.int().min(0).default(10).describe(
    "Attempts per batch before it is dropped; 0 retries forever.",
  ),
  retry_on_http_429: z.boolean().default(true).describe(
    "false drops a batch answered 429 at once.",
  ),
  basic_auth: z.strictObject({
    username: z.string().describe("Basic auth user name."),
    password: z.string().optional().describe("Basic auth password."),
    password_file: z.string().optional().describe(
      "File holding the password (trimmed); read at start and on each reload.",
    ),
  }).check((ctx) => {
    if (ctx.value.password !== undefined && ctx.value.password_file !== undefined) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["password"],
        message: "password and password_file are mutually exclusive",
      });
    }
  }).optional().describe("HTTP basic auth; at most one of basic_auth and bearer_token(_file)."),
  bearer_token: z.string().optional().describe("Sent as Authorization: Bearer <token>."),
  bearer_token_file: z.string().optional().describe(
    "File holding the bearer token (trimmed); read at start and on each reload.",
  ),
  tls_config: clientTlsSchema.optional().describe("TLS towards Loki: CA, client certificate."),
  queue_config: z.strictObject({
    capacity: sizeSchema.default(DEFAULT_QUEUE_CAPACITY).describe(
      "Bytes held for this endpoint (lines, metadata, timestamps, framing, labels); a push that " +
        "does not fit is refused with 429.",
    ),
    drain_timeout: durationSchema.default("15s").describe(
      "How long a stop keeps sending what is queued.",
    ),
    min_shards: z.int().min(1).max(64).default(1).describe(
      "Requests in flight to this endpoint at once. Each stream always goes through the same " +
        "shard, so its entries stay in order.",
    ),
    block_on_overflow: z.boolean().default(true).describe(
      "What a full queue does: true refuses the push with 429 (the client retries); false takes " +
        "the push and drops this endpoint's copy, counted as queue_is_full.",
    ),
  }).prefault({}).describe("This endpoint's queue."),
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

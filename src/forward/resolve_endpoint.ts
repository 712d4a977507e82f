/**
 * An endpoint ready to use: durations in milliseconds, sizes in bytes, secrets read from their
 * files, and the request headers (auth included) computed once.
 *
 * @module
 */
import type { EndpointConfig } from "./endpoint_config.ts";
import { parseDuration, parseSize } from "../config/units.ts";

/** Outbound TLS with every file read into PEM text. */
export interface ResolvedClientTls {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

/** One endpoint with everything resolved. */
export interface ResolvedEndpoint {
  url: string;
  /** `name`, or the URL's host: the `host` label of the metrics. */
  host: string;
  batchWaitMs: number;
  batchSizeBytes: number;
  timeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Attempts per batch; 0 = no limit. */
  maxRetries: number;
  retryOn429: boolean;
  /** Configured headers plus `Authorization`; the relay's own headers are added per request. */
  headers: Record<string, string>;
  tenantId?: string;
  capacityBytes: number;
  drainTimeoutMs: number;
  /** Senders (requests in flight), each owning the streams that hash to it. */
  shards: number;
  /** A full queue refuses pushes (true) or drops this endpoint's copy (false). */
  blockOnOverflow: boolean;
  tls?: ResolvedClientTls;
}

/**
 * Resolves an endpoint; files (`password_file`, `bearer_token_file`, TLS files) are read with
 * `readFile`, so secrets are picked up again at every reload.
 *
 * @throws {Error} naming the field and file when a file cannot be read
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointSchema } from "./endpoint_config.ts";
 * import { resolveEndpoint } from "./resolve_endpoint.ts";
 *
 * const e = resolveEndpoint(
 *   endpointSchema.parse({
 *     url: "http://loki:3100/loki/api/v1/push",
 *     basic_auth: { username: "u", password_file: "/secret" },
 *   }),
 *   () => "p\n",
 * );
 * assert.equal(e.host, "loki:3100");
 * assert.equal(e.headers.authorization, "Basic " + btoa("u:p"));
 * assert.equal(e.batchWaitMs, 1000);
 * ```
 */
export function resolveEndpoint(
  e: EndpointConfig,
  readFile: (path: string) => string,
  index = 0,
): ResolvedEndpoint {
  const read = (path: string, field: string) => {
    try {
      return readFile(path);
    } catch (err) {
      throw new Error(
        `forward_to[${index}].${field}: cannot read ${JSON.stringify(path)}: ${
          (err as Error).message
        }`,
      );
    }
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.headers)) headers[name.toLowerCase()] = value;
  if (e.basic_auth) {
    const a = e.basic_auth;
    const password = a.password_file !== undefined
      ? read(a.password_file, "basic_auth.password_file").trim()
      : a.password ?? "";
    headers.authorization = "Basic " +
      btoa(unescape(encodeURIComponent(`${a.username}:${password}`)));
  }
  const token = e.bearer_token_file !== undefined
    ? read(e.bearer_token_file, "bearer_token_file").trim()
    : e.bearer_token;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const t = e.tls_config;
  return {
    url: e.url,
    host: e.name ?? new URL(e.url).host,
    batchWaitMs: parseDuration(e.batch_wait),
    batchSizeBytes: parseSize(e.batch_size),
    timeoutMs: parseDuration(e.remote_timeout),
    minBackoffMs: parseDuration(e.min_backoff_period),
    maxBackoffMs: parseDuration(e.max_backoff_period),
    maxRetries: e.max_backoff_retries,
    retryOn429: e.retry_on_http_429,
    headers,
    tenantId: e.tenant_id,
    capacityBytes: parseSize(e.queue_config.capacity),
    drainTimeoutMs: parseDuration(e.queue_config.drain_timeout),
    shards: e.queue_config.min_shards,
    blockOnOverflow: e.queue_config.block_on_overflow,
    tls: t && {
      caPem: t.ca_file !== undefined ? read(t.ca_file, "tls_config.ca_file") : t.ca_pem,
      certPem: t.cert_file !== undefined ? read(t.cert_file, "tls_config.cert_file") : t.cert_pem,
      keyPem: t.key_file !== undefined ? read(t.key_file, "tls_config.key_file") : t.key_pem,
      serverName: t.server_name,
      insecureSkipVerify: t.insecure_skip_verify,
    },
  };
}

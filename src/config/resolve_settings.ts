/**
 * Parses a configuration and resolves it into {@link Settings} in one step: schema checks, every
 * default, every duration in milliseconds and size in bytes, every secret and TLS file read.
 * Start-up, reload and `--check-config` all go through here, so a config is judged one way.
 *
 * @module
 */
import type { Config } from "./config_schema.ts";
import { DEFAULT_MAX_SEND_MESSAGE_SIZE } from "./config_schema.ts";
import type { EndpointConfig } from "./endpoint_schema.ts";
import { parseConfig } from "./parse_config.ts";
import { cipherList } from "./cipher_suites.ts";
import { parseDuration, parseSize } from "./units.ts";
import type {
  ClientAuthType,
  ClientTlsSettings,
  EndpointSettings,
  ListenerSettings,
  ServerTlsSettings,
  Settings,
  WalSettings,
} from "./settings.ts";
import { withDefaults } from "../rules/rule.ts";
import {
  authSettings,
  rateLimitSettings,
  tenantSettings,
  validationSettings,
} from "./resolve_edge.ts";
import { type ConfigWarning, configWarnings } from "./config_warnings.ts";

/**
 * Settings, the config they came from (for printing) and the settings in it that have no effect
 * (see `config_warnings.ts`), or every error found.
 */
export type SettingsResult =
  | { ok: true; settings: Settings; config: Config; warnings: ConfigWarning[] }
  | { ok: false; errors: string[] };

/** Reads a text file; throws when it cannot. */
export type ReadTextFile = (path: string) => string;

function noFiles(path: string): string {
  throw new Error(`no file reader was given to read ${JSON.stringify(path)}`);
}

/**
 * Parses and resolves a configuration object (for example `JSON.parse` of the config file).
 * Files named in the config are read with `readFile`, at every call, so a reload picks up
 * rotated secrets and certificates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./resolve_settings.ts";
 *
 * const r = resolveSettings({
 *   forward_to: [{
 *     url: "http://loki:3100/loki/api/v1/push",
 *     batch_wait: "250ms",
 *     bearer_token_file: "/run/secrets/token",
 *   }],
 * }, () => "s3cret\n");
 * assert.ok(r.ok);
 * const ep = r.settings.forward!.endpoints[0];
 * assert.equal(ep.batchWaitMs, 250);
 * assert.equal(ep.headers.authorization, "Bearer s3cret");
 * assert.equal(r.settings.receive.maxMessageBytes, 104_857_600);
 *
 * const bad = resolveSettings({ http: { tls: { cert_file: "c", key_file: "k" } } }, () => {
 *   throw new Error("ENOENT");
 * });
 * assert.deepEqual(!bad.ok && bad.errors, [
 *   'http.tls.cert_file: cannot read "c": ENOENT',
 *   'http.tls.key_file: cannot read "k": ENOENT',
 * ]);
 * ```
 */
export function resolveSettings(input: unknown, readFile: ReadTextFile = noFiles): SettingsResult {
  const parsed = parseConfig(input);
  if (!parsed.ok) return parsed;
  const config = parsed.config;
  const errors: string[] = [];
  const read = (path: string, field: string): string => {
    try {
      return readFile(path);
    } catch (err) {
      errors.push(`${field}: cannot read ${JSON.stringify(path)}: ${(err as Error).message}`);
      return "";
    }
  };
  const maxMessageBytes = parseSize(config.max_send_message_size);
  const settings: Settings = {
    listener: listenerSettings(config, read),
    receive: {
      maxMessageBytes: maxMessageBytes > 0
        ? maxMessageBytes
        : parseSize(DEFAULT_MAX_SEND_MESSAGE_SIZE),
      maxInflightBytes: parseSize(config.max_inflight_bytes),
      useIncomingTimestamp: config.use_incoming_timestamp,
      labels: config.labels,
      relabelRules: config.relabel_rules.map(withDefaults),
      limits: {
        maxStreams: config.request_limits.max_streams,
        maxEntries: config.request_limits.max_entries,
        maxLabelBytes: parseSize(config.request_limits.max_label_bytes),
        maxDepth: config.request_limits.max_json_depth,
      },
      auth: authSettings(config, read, errors),
      tenants: tenantSettings(config, errors),
      rateLimits: rateLimitSettings(config.rate_limits),
      validation: validationSettings(config.limits),
    },
    forward: config.forward_to && {
      endpoints: config.forward_to.map((e, i) => endpointSettings(e, `forward_to[${i}]`, read)),
      externalLabels: config.external_labels,
    },
    wal: walSettings(config, errors),
    status: { page: config.status.enabled, tail: config.status.enabled && config.status.tail },
  };
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings, config, warnings: configWarnings(config) };
}

type Read = (path: string, field: string) => string;

function walSettings(config: Config, errors: string[]): WalSettings | undefined {
  const w = config.wal;
  if (!w.enabled) return undefined;
  if (!config.forward_to) {
    errors.push("wal.enabled: true needs forward_to (a log of what goes nowhere)");
  }
  const settings: WalSettings = {
    dir: w.dir,
    maxBytes: parseSize(w.max_size),
    segmentBytes: parseSize(w.segment_size),
    fsync: w.fsync,
    fsyncIntervalMs: parseDuration(w.fsync_interval),
    drainTimeoutMs: parseDuration(w.drain_timeout),
    maxSegmentAgeMs: parseDuration(w.max_segment_age),
  };
  if (settings.segmentBytes < 64 * 1024) {
    errors.push(`wal.segment_size: ${JSON.stringify(w.segment_size)} is smaller than 64KiB`);
  }
  if (settings.maxBytes < 2 * settings.segmentBytes) {
    errors.push(
      `wal.max_size: ${JSON.stringify(w.max_size)} must hold at least two segments ` +
        `(segment_size ${JSON.stringify(w.segment_size)})`,
    );
  }
  return settings;
}

function listenerSettings(config: Config, read: Read): ListenerSettings {
  const h = config.http;
  const listener: ListenerSettings = {
    hostname: h.listen_address,
    port: h.listen_port,
    connLimit: h.conn_limit,
    readTimeoutMs: parseDuration(h.server_read_timeout),
    writeTimeoutMs: parseDuration(h.server_write_timeout),
    idleTimeoutMs: parseDuration(h.server_idle_timeout),
    gracefulShutdownMs: parseDuration(config.graceful_shutdown_timeout),
  };
  const t = h.tls;
  if (t) {
    const tls: ServerTlsSettings = {
      certPem: t.cert_pem ?? read(t.cert_file!, "http.tls.cert_file"),
      keyPem: t.key_pem ?? read(t.key_file!, "http.tls.key_file"),
      clientAuthType: t.client_auth_type as ClientAuthType,
      cipherSuites: cipherList(t.cipher_suites),
    };
    const ca = t.client_ca_file !== undefined
      ? read(t.client_ca_file, "http.tls.client_ca_file")
      : t.client_ca_pem ?? t.client_ca;
    if (ca !== undefined) tls.clientCaPem = ca;
    if (t.min_version !== undefined) {
      tls.minVersion = t.min_version.replace(/^Version/, "") as ServerTlsSettings["minVersion"];
    }
    listener.tls = tls;
  }
  return listener;
}

function endpointSettings(e: EndpointConfig, path: string, read: Read): EndpointSettings {
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(e.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  if (e.basic_auth) {
    const a = e.basic_auth;
    const password = a.password_file !== undefined
      ? read(a.password_file, `${path}.basic_auth.password_file`).trim()
      : a.password ?? "";
    const bytes = new TextEncoder().encode(`${a.username}:${password}`);
    headers.authorization = "Basic " + btoa(String.fromCharCode(...bytes));
  }
  const token = e.bearer_token_file !== undefined
    ? read(e.bearer_token_file, `${path}.bearer_token_file`).trim()
    : e.bearer_token;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const endpoint: EndpointSettings = {
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
    capacityBytes: parseSize(e.queue_config.capacity),
    drainTimeoutMs: parseDuration(e.queue_config.drain_timeout),
    shards: e.queue_config.min_shards,
    blockOnOverflow: e.queue_config.block_on_overflow,
  };
  if (e.tenant_id !== undefined) endpoint.tenantId = e.tenant_id;
  const t = e.tls_config;
  if (t) {
    const tls: ClientTlsSettings = { insecureSkipVerify: t.insecure_skip_verify };
    const pem = (inline: string | undefined, file: string | undefined, field: string) =>
      file !== undefined ? read(file, `${path}.tls_config.${field}`) : inline;
    const ca = pem(t.ca_pem, t.ca_file, "ca_file");
    const cert = pem(t.cert_pem, t.cert_file, "cert_file");
    const key = pem(t.key_pem, t.key_file, "key_file");
    if (ca !== undefined) tls.caPem = ca;
    if (cert !== undefined) tls.certPem = cert;
    if (key !== undefined) tls.keyPem = key;
    if (t.server_name !== undefined) tls.serverName = t.server_name;
    endpoint.tls = tls;
  }
  return endpoint;
}

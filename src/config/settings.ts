/**
 * The relay's settings: the configuration resolved once, so that nothing outside `config/` reads
 * a duration string, a size string or a secret file. Durations are milliseconds, sizes are bytes,
 * every default is filled in and every file is read. Settings are plain data: two of them compare
 * with {@link diffSettings} (see `settings_diff.ts`).
 *
 * @module
 */
import type { Labels } from "../types.ts";
import type { FullRule } from "../rules/rule.ts";

/** The whole relay, resolved. */
export interface Settings {
  listener: ListenerSettings;
  receive: ReceiveSettings;
  /** Where accepted entries go: Loki endpoints, or `undefined` for stdout. */
  forward: ForwardSettings | undefined;
  /** The write-ahead log, or `undefined` when it is off (the memory queue). */
  wal: WalSettings | undefined;
  /** The operator routes (the `status` block). */
  status: StatusSettings;
}

/** The `auth` block, when at least one credential is configured. */
export interface AuthSettings {
  credentials: CredentialSettings[];
  /** `GET /metrics` needs a credential too. */
  protectMetrics: boolean;
  /** `GET /ready` needs a credential too. */
  protectReady: boolean;
}

/** One credential: a bearer token or a basic-auth user, its secret resolved from any file. */
export interface CredentialSettings {
  /** For logs and metrics: `name`, the user name, or `bearer_tokens[i]`. */
  name: string;
  scheme: "bearer" | "basic";
  /** The user name (basic). */
  username?: string;
  /** The SHA-256 (hex) of a token or of a plain-text password, or a password's scrypt hash. */
  secret: { kind: "sha256"; hex: string } | { kind: "scrypt"; hash: string };
  /** Tenants it may push for; absent: any. */
  tenants?: string[];
  /** The tenant its entries are written for, whatever the request says. */
  tenant?: string;
}

/** The `tenants` block. */
export interface TenantSettings {
  /** Tenant of pushes without `X-Scope-OrgID`. */
  default?: string;
  /** The only tenants accepted; absent: any. */
  allowed?: string[];
}

/** One rate (entries/s or bytes/s) and its burst; a rate of 0 is no limit. */
export interface Rate {
  perSecond: number;
  burst: number;
}

/** Entries/s and bytes/s, each with its burst. */
export interface RatePair {
  entries: Rate;
  bytes: Rate;
}

/** The `rate_limits` block, when any rate is set. */
export interface RateLimitSettings {
  perTenant: RatePair;
  overrides: Record<string, RatePair>;
  global: RatePair;
}

/**
 * The `limits` block: Loki's validation limits; 0 (or `undefined` for the time window) is off.
 */
export interface ValidationSettings {
  maxLineBytes: number;
  truncateLines: boolean;
  truncateSuffix: string;
  maxLabelNames: number;
  maxLabelNameBytes: number;
  maxLabelValueBytes: number;
  maxMetadataBytes: number;
  maxMetadataEntries: number;
  /** Entries older than this many ms before now are refused. */
  maxAgeMs?: number;
  /** Entries more than this many ms after now are refused. */
  futureGraceMs?: number;
}

/** The `wal` block, when enabled. */
export interface WalSettings {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  fsync: "always" | "interval" | "never";
  fsyncIntervalMs: number;
  drainTimeoutMs: number;
  maxSegmentAgeMs: number;
}

/** Which operator routes are served. */
export interface StatusSettings {
  /** `GET /` and `GET /status`. */
  page: boolean;
  /** `GET /tail`. */
  tail: boolean;
}

/** Alloy's client authentication policies (Go's `tls.ClientAuthType` names). */
export type ClientAuthType =
  | "NoClientCert"
  | "RequestClientCert"
  | "RequireAnyClientCert"
  | "VerifyClientCertIfGiven"
  | "RequireAndVerifyClientCert";

/** The `http` block and `graceful_shutdown_timeout`. */
export interface ListenerSettings {
  /** Address to bind; `""` is every interface. */
  hostname: string;
  /** `0` picks a free port. */
  port: number;
  /** Open connections at most; 0 = no limit. */
  connLimit: number;
  /** Time to receive a whole request (headers and body); 0 = none. */
  readTimeoutMs: number;
  /** Time to write a response; 0 = none. */
  writeTimeoutMs: number;
  /** Time a keep-alive connection may stay idle; 0 = the read timeout (as Go's server). */
  idleTimeoutMs: number;
  /** Time a stop (or a listener restart) waits for in-flight requests. */
  gracefulShutdownMs: number;
  /** HTTPS; plain HTTP when absent. */
  tls?: ServerTlsSettings;
}

/** The `http.tls` block with every file read into PEM text. */
export interface ServerTlsSettings {
  certPem: string;
  keyPem: string;
  clientCaPem?: string;
  clientAuthType: ClientAuthType;
  /** Lowest protocol version accepted. */
  minVersion?: "TLS10" | "TLS11" | "TLS12" | "TLS13";
  /** Go cipher-suite names (see `cipher_suites.ts`); empty = the runtime's defaults. */
  cipherSuites: string[];
}

/** How pushes are received: limits and the label pipeline. */
export interface ReceiveSettings {
  /** Largest body, on the wire and decompressed (`max_send_message_size`). */
  maxMessageBytes: number;
  /** Bytes all requests being received may hold at once (`max_inflight_bytes`). */
  maxInflightBytes: number;
  /** Keep the client's timestamps instead of the time of receipt. */
  useIncomingTimestamp: boolean;
  /** Set on every stream, over incoming labels of the same name; `""` deletes. */
  labels: Labels;
  /** Relabel rules with every default filled in. */
  relabelRules: FullRule[];
  /** Bounds one request must stay within (`request_limits`), checked as it is decoded. */
  limits: RequestLimits;
  /** Ingest authentication, or `undefined` when no credential is configured (off). */
  auth: AuthSettings | undefined;
  tenants: TenantSettings;
  /** Ingestion rates, or `undefined` when none is set. */
  rateLimits: RateLimitSettings | undefined;
  /** Loki's limits, or `undefined` when none is on. */
  validation: ValidationSettings | undefined;
}

/** `request_limits`: a request that passes one is refused whole (413). */
export interface RequestLimits {
  maxStreams: number;
  maxEntries: number;
  /** Bytes of one stream's label string. */
  maxLabelBytes: number;
  /** Nesting of any value in a JSON push. */
  maxDepth: number;
}

/** The Loki writer: `forward_to` and `external_labels`. */
export interface ForwardSettings {
  endpoints: EndpointSettings[];
  /** Labels added under every stream sent (a stream's own label of the same name wins). */
  externalLabels: Labels;
}

/** One `forward_to` endpoint, resolved. */
export interface EndpointSettings {
  url: string;
  /** `name`, or the URL's host: the `host` label of the metrics. */
  host: string;
  batchWaitMs: number;
  batchSizeBytes: number;
  /** Time for one push request (`remote_timeout`). */
  timeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Attempts per batch; 0 = no limit. */
  maxRetries: number;
  retryOn429: boolean;
  /** Configured headers (lower-cased names) plus `authorization`; the relay adds its own. */
  headers: Record<string, string>;
  /** Tenant for entries that arrive without one. */
  tenantId?: string;
  /** Bytes held for this endpoint at most (`queue_config.capacity`). */
  capacityBytes: number;
  drainTimeoutMs: number;
  /** Senders (requests in flight), each owning the streams that hash to it. */
  shards: number;
  /** A full queue refuses pushes (true) or drops this endpoint's copy (false). */
  blockOnOverflow: boolean;
  tls?: ClientTlsSettings;
}

/** Outbound TLS (`tls_config`) with every file read into PEM text. */
export interface ClientTlsSettings {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

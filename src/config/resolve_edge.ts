/**
 * Resolves the edge blocks of a configuration (`auth`, `tenants`, `rate_limits`, `limits`) into
 * their settings: secrets read from their files and reduced to digests, rates and sizes in
 * numbers, Loki's defaults filled in where asked. Errors name the field; a secret's value is
 * never quoted.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Config } from "./config_schema.ts";
import type { RateLimitsConfig } from "./rate_limits_schema.ts";
import { LOKI_DEFAULT_LIMITS } from "./limits_schema.ts";
import { parseDuration, parseSize } from "./units.ts";
import type {
  AuthSettings,
  CredentialSettings,
  RateLimitSettings,
  RatePair,
  TenantSettings,
  ValidationSettings,
} from "./settings.ts";
import { parsePasswordHash } from "../auth/password_hash.ts";

/** Reads a file named by `field`, recording an error (and returning "") when it cannot. */
export type ReadField = (path: string, field: string) => string;

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * The `auth` block: `undefined` when no credential is configured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authSettings } from "./resolve_edge.ts";
 * import { configSchema } from "./config_schema.ts";
 *
 * const errors: string[] = [];
 * const config = configSchema.parse({
 *   auth: { bearer_tokens: [{ token: "t", tenant: "a" }, { name: "ops", token_sha256_file: "/f" }] },
 * });
 * const auth = authSettings(config, () => "AB".repeat(32) + "\n", errors);
 * assert.deepEqual(errors, []);
 * assert.equal(auth?.credentials[0].name, "bearer_tokens[0]");
 * assert.equal(auth?.credentials[1].secret.kind, "sha256");
 * assert.equal((auth?.credentials[1].secret as { hex: string }).hex, "ab".repeat(32));
 * ```
 */
export function authSettings(
  config: Config,
  read: ReadField,
  errors: string[],
): AuthSettings | undefined {
  const a = config.auth;
  const credentials: CredentialSettings[] = [];
  const allowed = config.tenants.allowed && new Set(config.tenants.allowed);
  const bind = (
    c: CredentialSettings,
    from: { tenants?: string[]; tenant?: string },
    at: string,
  ) => {
    if (from.tenants) c.tenants = from.tenants;
    if (from.tenant !== undefined) {
      c.tenant = from.tenant;
      if (from.tenants && !from.tenants.includes(from.tenant)) {
        errors.push(`${at}.tenant: ${JSON.stringify(from.tenant)} is not one of its tenants`);
      }
    }
    for (const t of [...(from.tenants ?? []), ...(from.tenant ? [from.tenant] : [])]) {
      if (allowed && !allowed.has(t)) {
        errors.push(`${at}: tenant ${JSON.stringify(t)} is not in tenants.allowed`);
      }
    }
  };
  const digests = new Map<string, number>();
  a.bearer_tokens.forEach((t, i) => {
    const at = `auth.bearer_tokens[${i}]`;
    let hex: string;
    if (t.token !== undefined) hex = sha256Hex(t.token);
    else if (t.token_sha256 !== undefined) hex = t.token_sha256.toLowerCase();
    else {
      const text = read(t.token_sha256_file!, `${at}.token_sha256_file`).trim();
      if (!SHA256_HEX.test(text)) {
        if (text !== "") {
          errors.push(
            `${at}.token_sha256_file: ${JSON.stringify(t.token_sha256_file)} does not hold ` +
              `64 hex digits (the sha256 of the token; its content is not shown)`,
          );
        }
        return;
      }
      hex = text.toLowerCase();
    }
    const first = digests.get(hex);
    if (first !== undefined) {
      errors.push(`${at}: the same token as auth.bearer_tokens[${first}]`);
      return;
    }
    digests.set(hex, i);
    const c: CredentialSettings = {
      name: t.name ?? `bearer_tokens[${i}]`,
      scheme: "bearer",
      secret: { kind: "sha256", hex },
    };
    bind(c, t, at);
    credentials.push(c);
  });
  a.basic_users.forEach((u, i) => {
    const at = `auth.basic_users[${i}]`;
    let secret: CredentialSettings["secret"];
    if (u.password !== undefined) secret = { kind: "sha256", hex: sha256Hex(u.password) };
    else {
      const field = u.password_hash !== undefined ? "password_hash" : "password_hash_file";
      const hash = u.password_hash ??
        read(u.password_hash_file!, `${at}.password_hash_file`).trim();
      if (hash === "" && u.password_hash === undefined) return;
      const parsed = parsePasswordHash(hash);
      if (!parsed.ok) {
        errors.push(`${at}.${field}: ${parsed.error} (the value is not shown)`);
        return;
      }
      secret = { kind: "scrypt", hash };
    }
    const c: CredentialSettings = {
      name: u.name ?? u.username,
      scheme: "basic",
      username: u.username,
      secret,
    };
    bind(c, u, at);
    credentials.push(c);
  });
  const users = new Set<string>();
  a.basic_users.forEach((u, i) => {
    if (users.has(u.username)) {
      errors.push(`auth.basic_users[${i}].username: ${JSON.stringify(u.username)} is repeated`);
    }
    users.add(u.username);
  });
  if (credentials.length === 0) {
    if (a.protect_metrics || a.protect_ready) {
      errors.push("auth: protect_metrics or protect_ready needs a credential to ask for");
    }
    return undefined;
  }
  return { credentials, protectMetrics: a.protect_metrics, protectReady: a.protect_ready };
}

/**
 * The `tenants` block, checked against itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tenantSettings } from "./resolve_edge.ts";
 * import { configSchema } from "./config_schema.ts";
 *
 * const errors: string[] = [];
 * tenantSettings(configSchema.parse({ tenants: { default: "x", allowed: ["a"] } }), errors);
 * assert.deepEqual(errors, ['tenants.default: "x" is not in tenants.allowed']);
 * ```
 */
export function tenantSettings(config: Config, errors: string[]): TenantSettings {
  const t = config.tenants;
  const settings: TenantSettings = {};
  if (t.default !== undefined) {
    settings.default = t.default;
    if (t.allowed && !t.allowed.includes(t.default)) {
      errors.push(`tenants.default: ${JSON.stringify(t.default)} is not in tenants.allowed`);
    }
  }
  if (t.allowed) settings.allowed = t.allowed;
  return settings;
}

/**
 * The `rate_limits` block: `undefined` when no rate is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimitSettings } from "./resolve_edge.ts";
 * import { configSchema } from "./config_schema.ts";
 *
 * const r = rateLimitSettings(configSchema.parse({
 *   rate_limits: { per_tenant: { entries_per_second: 100, bytes_per_second: "1MiB" } },
 * }).rate_limits);
 * assert.deepEqual(r?.perTenant, {
 *   entries: { perSecond: 100, burst: 100 },
 *   bytes: { perSecond: 1048576, burst: 1048576 },
 * });
 * assert.equal(rateLimitSettings(configSchema.parse({}).rate_limits), undefined);
 * ```
 */
export function rateLimitSettings(r: RateLimitsConfig): RateLimitSettings | undefined {
  const pair = (p: RateLimitsConfig["global"]): RatePair => {
    const entries = p.entries_per_second;
    const bytes = parseSize(p.bytes_per_second);
    return {
      entries: { perSecond: entries, burst: p.entries_burst ?? Math.max(1, Math.ceil(entries)) },
      bytes: {
        perSecond: bytes,
        burst: p.bytes_burst !== undefined ? parseSize(p.bytes_burst) : Math.max(1, bytes),
      },
    };
  };
  const settings: RateLimitSettings = {
    perTenant: pair(r.per_tenant),
    overrides: Object.fromEntries(Object.entries(r.overrides).map(([t, p]) => [t, pair(p)])),
    global: pair(r.global),
  };
  const any = [settings.perTenant, settings.global, ...Object.values(settings.overrides)]
    .some((p) => p.entries.perSecond > 0 || p.bytes.perSecond > 0);
  return any ? settings : undefined;
}

/**
 * The `limits` block: `undefined` when no limit is on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validationSettings } from "./resolve_edge.ts";
 * import { configSchema } from "./config_schema.ts";
 *
 * const loki = validationSettings(configSchema.parse({ limits: { loki_defaults: true } }).limits);
 * assert.equal(loki?.maxLineBytes, 262_144);
 * assert.equal(loki?.maxAgeMs, 7 * 86_400_000);
 * assert.equal(validationSettings(configSchema.parse({}).limits), undefined);
 * const one = validationSettings(configSchema.parse({ limits: { max_label_names_per_series: 30 } }).limits);
 * assert.equal(one?.maxLabelNames, 30);
 * assert.equal(one?.maxLineBytes, 0);
 * ```
 */
export function validationSettings(
  l: Config["limits"],
): ValidationSettings | undefined {
  const d = l.loki_defaults ? LOKI_DEFAULT_LIMITS : undefined;
  const rejectOld = l.reject_old_samples ?? d?.reject_old_samples ?? false;
  const maxAge = l.reject_old_samples_max_age ?? d?.reject_old_samples_max_age ??
    LOKI_DEFAULT_LIMITS.reject_old_samples_max_age;
  const grace = l.creation_grace_period ?? d?.creation_grace_period;
  const settings: ValidationSettings = {
    maxLineBytes: parseSize(l.max_line_size ?? d?.max_line_size ?? 0),
    truncateLines: l.max_line_size_truncate ?? d?.max_line_size_truncate ?? false,
    truncateSuffix: l.max_line_size_truncate_identifier ??
      d?.max_line_size_truncate_identifier ?? "",
    maxLabelNames: l.max_label_names_per_series ?? d?.max_label_names_per_series ?? 0,
    maxLabelNameBytes: l.max_label_name_length ?? d?.max_label_name_length ?? 0,
    maxLabelValueBytes: l.max_label_value_length ?? d?.max_label_value_length ?? 0,
    maxMetadataBytes: parseSize(
      l.max_structured_metadata_size ?? d?.max_structured_metadata_size ?? 0,
    ),
    maxMetadataEntries: l.max_structured_metadata_entries_count ??
      d?.max_structured_metadata_entries_count ?? 0,
  };
  if (rejectOld) settings.maxAgeMs = parseDuration(maxAge, true);
  if (grace !== undefined) settings.futureGraceMs = parseDuration(grace, true);
  const on = settings.maxLineBytes > 0 || settings.maxLabelNames > 0 ||
    settings.maxLabelNameBytes > 0 || settings.maxLabelValueBytes > 0 ||
    settings.maxMetadataBytes > 0 || settings.maxMetadataEntries > 0 ||
    settings.maxAgeMs !== undefined || settings.futureGraceMs !== undefined;
  return on ? settings : undefined;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

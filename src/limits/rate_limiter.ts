/**
 * The ingestion rates of `rate_limits`: a token bucket for entries and one for bytes, per tenant
 * and for all tenants together. A push takes from every bucket it touches at once or from none,
 * so a push refused here leaves no trace in any bucket.
 *
 * @module
 */
import type { Rate, RateLimitSettings, RatePair } from "../config/settings.ts";
import { TokenBucket } from "./token_bucket.ts";

/** What one push would take, per tenant (`""` for pushes without one). */
export type TenantUsage = Map<string, { entries: number; bytes: number }>;

/** The `tenant` of a refusal by the global rate (`~` cannot be in a tenant ID). */
export const GLOBAL = "~all";

/**
 * Why a push is refused: it must wait (429), or it can never pass (413, over a burst); `tenant`
 * is whose rate refused it ({@link GLOBAL} for all tenants together).
 */
export type RateRefusal =
  | { kind: "wait"; retryAfterSeconds: number; tenant: string; error: string }
  | { kind: "never"; tenant: string; error: string };

/** Tenants whose buckets are kept at most; past it, full buckets (then the oldest) are forgotten. */
export const MAX_TENANT_BUCKETS = 10_000;

interface Buckets {
  entries?: TokenBucket;
  bytes?: TokenBucket;
}

/**
 * The rate limiter of one relay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimiter } from "./rate_limiter.ts";
 *
 * let now = 0;
 * const off = { perSecond: 0, burst: 0 };
 * const limiter = new RateLimiter({
 *   perTenant: { entries: { perSecond: 10, burst: 10 }, bytes: off },
 *   overrides: {},
 *   global: { entries: off, bytes: off },
 * }, () => now);
 * const push = (tenant: string, entries: number) => limiter.take(new Map([[tenant, { entries, bytes: 0 }]]));
 * assert.equal(push("a", 10), undefined);
 * assert.equal(push("a", 5)?.kind, "wait");
 * assert.equal(push("b", 5), undefined);
 * now = 500;
 * assert.equal(push("a", 5), undefined);
 * assert.equal(push("a", 11)?.kind, "never");
 * ```
 */
export class RateLimiter {
  readonly settings: RateLimitSettings;
  readonly #now: () => number;
  readonly #tenants = new Map<string, Buckets>();
  readonly #global: Buckets;

  constructor(settings: RateLimitSettings, now: () => number) {
    this.settings = settings;
    this.#now = now;
    this.#global = buckets(settings.global, now());
  }

  /**
   * Before a body is read: a refusal when the request's tenant (or everyone) has no entry to
   * spend now, so an over-limit client costs no read and no decode.
   */
  empty(tenant: string): RateRefusal | undefined {
    const now = this.#now();
    const own = this.#tenants.get(tenant);
    for (const [scope, b] of [[tenant, own], [undefined, this.#global]] as const) {
      const wait = b?.entries?.waitMs(1, now) ?? 0;
      if (wait > 0) return waitRefusal(scope, "entries", 1, b!.entries!.rate, wait);
    }
    return undefined;
  }

  /** Takes what a push carries from every bucket it touches, or nothing and says why. */
  take(usage: TenantUsage): RateRefusal | undefined {
    const now = this.#now();
    let entries = 0;
    let bytes = 0;
    const checks: [string | undefined, Buckets, number, number][] = [];
    for (const [tenant, use] of usage) {
      checks.push([tenant, this.#bucketsOf(tenant, now), use.entries, use.bytes]);
      entries += use.entries;
      bytes += use.bytes;
    }
    checks.push([undefined, this.#global, entries, bytes]);
    let worst: RateRefusal | undefined;
    for (const [tenant, b, e, y] of checks) {
      for (const [what, bucket, n] of [["entries", b.entries, e], ["bytes", b.bytes, y]] as const) {
        if (!bucket || n === 0) continue;
        const wait = bucket.waitMs(n, now);
        if (wait === 0) continue;
        const refusal = waitRefusal(tenant, what, n, bucket.rate, wait);
        if (refusal.kind === "never") return refusal;
        if (
          !worst || (worst.kind === "wait" && refusal.retryAfterSeconds > worst.retryAfterSeconds)
        ) {
          worst = refusal;
        }
      }
    }
    if (worst) return worst;
    for (const [, b, e, y] of checks) {
      if (e > 0) b.entries?.take(e, now);
      if (y > 0) b.bytes?.take(y, now);
    }
    return undefined;
  }

  #bucketsOf(tenant: string, now: number): Buckets {
    let b = this.#tenants.get(tenant);
    if (b) return b;
    if (this.#tenants.size >= MAX_TENANT_BUCKETS) this.#forget(now);
    b = buckets(this.settings.overrides[tenant] ?? this.settings.perTenant, now);
    this.#tenants.set(tenant, b);
    return b;
  }

  /** Forgets full buckets (a fresh one is the same); if none is full, the oldest half. */
  #forget(now: number): void {
    for (const [tenant, b] of this.#tenants) {
      if ((b.entries?.full(now) ?? true) && (b.bytes?.full(now) ?? true)) {
        this.#tenants.delete(tenant);
      }
    }
    if (this.#tenants.size < MAX_TENANT_BUCKETS) return;
    let drop = this.#tenants.size / 2;
    for (const tenant of this.#tenants.keys()) {
      if (drop-- <= 0) break;
      this.#tenants.delete(tenant);
    }
  }
}

function buckets(pair: RatePair, now: number): Buckets {
  const b: Buckets = {};
  if (pair.entries.perSecond > 0) b.entries = new TokenBucket(pair.entries, now);
  if (pair.bytes.perSecond > 0) b.bytes = new TokenBucket(pair.bytes, now);
  return b;
}

function waitRefusal(
  tenant: string | undefined,
  what: "entries" | "bytes",
  n: number,
  rate: Rate,
  waitMs: number,
): RateRefusal {
  const whose = tenant === undefined ? "all tenants" : `tenant ${JSON.stringify(tenant)}`;
  const limit = `${rate.perSecond} ${what}/s, burst ${rate.burst}`;
  if (waitMs === Infinity) {
    return {
      kind: "never",
      tenant: tenant ?? GLOBAL,
      error: `a push of ${n} ${what} is more than the burst of ${whose} (${limit}): ` +
        `send smaller pushes`,
    };
  }
  return {
    kind: "wait",
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    tenant: tenant ?? GLOBAL,
    error: `ingestion rate limit exceeded for ${whose} (${limit}) while pushing ${n} ${what}`,
  };
}

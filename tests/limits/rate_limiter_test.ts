import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GLOBAL,
  MAX_TENANT_BUCKETS,
  RateLimiter,
  type TenantUsage,
} from "../../src/limits/rate_limiter.ts";
import type { RateLimitSettings, RatePair } from "../../src/config/settings.ts";

const OFF = { perSecond: 0, burst: 0 };
const entries = (perSecond: number, burst = perSecond): RatePair => ({
  entries: { perSecond, burst },
  bytes: OFF,
});
const bytes = (perSecond: number, burst = perSecond): RatePair => ({
  entries: OFF,
  bytes: { perSecond, burst },
});
const NONE: RatePair = { entries: OFF, bytes: OFF };

function limiter(s: Partial<RateLimitSettings>) {
  const clock = { now: 1_000_000 };
  const settings: RateLimitSettings = { perTenant: NONE, overrides: {}, global: NONE, ...s };
  const rates = new RateLimiter(settings, () => clock.now);
  const push = (...parts: [string, number, number?][]) =>
    rates.take(new Map(parts.map(([t, e, b]) => [t, { entries: e, bytes: b ?? 0 }])));
  return { clock, rates, push };
}

test("each tenant has its own buckets: one tenant's burst leaves the others theirs", () => {
  const { push } = limiter({ perTenant: entries(10) });
  assert.equal(push(["a", 10]), undefined);
  const refused = push(["a", 1]);
  assert.equal(refused?.kind, "wait");
  assert.equal(refused?.tenant, "a");
  assert.equal(push(["b", 10]), undefined);
  assert.equal(push([" ", 10]), undefined);
  assert.equal(push(["", 10]), undefined); // pushes without a tenant share ""
  assert.equal(push(["", 1])?.tenant, "");
});

test("an override replaces per_tenant for its tenant only", () => {
  const { push } = limiter({ perTenant: entries(10), overrides: { big: entries(100) } });
  assert.equal(push(["big", 100]), undefined);
  assert.equal(push(["big", 1])?.kind, "wait");
  assert.equal(push(["small", 11])?.kind, "never");
  assert.equal(push(["small", 10]), undefined);
});

test("an override can lift the limit of one tenant (rate 0: none)", () => {
  const { push } = limiter({ perTenant: entries(1), overrides: { free: NONE } });
  for (let i = 0; i < 5; i++) assert.equal(push(["free", 1_000_000]), undefined);
  assert.equal(push(["other", 2])?.kind, "never");
});

test("the global bucket is shared by all tenants; its refusal names ~all", () => {
  const { push, clock } = limiter({ perTenant: entries(100), global: entries(15) });
  assert.equal(push(["a", 10]), undefined);
  const refused = push(["b", 10]);
  assert.deepEqual(refused, {
    kind: "wait",
    retryAfterSeconds: 1,
    tenant: GLOBAL,
    error: "ingestion rate limit exceeded for all tenants (15 entries/s, burst 15) while " +
      "pushing 10 entries",
  });
  clock.now += 334; // 5 + 5.01 tokens
  assert.equal(push(["b", 10]), undefined);
});

test("one push for several tenants is taken from every bucket or from none", () => {
  const { push, clock } = limiter({ perTenant: entries(10), global: bytes(1000) });
  assert.equal(push(["b", 8]), undefined); // b has 2 left
  // a could take 5, b cannot: nothing is taken from a, nor from the global bytes.
  const refused = push(["a", 5, 400], ["b", 5, 400]);
  assert.equal(refused?.kind, "wait");
  assert.equal(refused?.tenant, "b");
  assert.equal(push(["a", 10, 1000]), undefined, "a's entries and the global bytes are intact");
  clock.now += 10_000;
  // The global bucket refuses the sum although each tenant's share fits.
  const global = push(["a", 5, 600], ["b", 5, 600]);
  assert.equal(global?.kind, "never");
  assert.equal(global?.tenant, GLOBAL);
  assert.equal(push(["a", 10], ["b", 10]), undefined, "nothing was taken by the refused push");
});

test("bytes are limited as entries are", () => {
  const { push, clock } = limiter({ perTenant: bytes(1000, 4000) });
  assert.equal(push(["a", 1, 4000]), undefined);
  const refused = push(["a", 1, 1500]);
  assert.equal(refused?.kind, "wait");
  assert.equal(refused?.kind === "wait" && refused.retryAfterSeconds, 2);
  assert.match(refused!.error, /tenant "a" \(1000 bytes\/s, burst 4000\) while pushing 1500 bytes/);
  assert.equal(push(["a", 1, 4001])?.kind, "never");
  clock.now += 1500;
  assert.equal(push(["a", 1, 1500]), undefined);
});

test("Retry-After is the bucket's wait in whole seconds, rounded up, at least 1", () => {
  const { push, clock } = limiter({ perTenant: entries(10, 100) });
  assert.equal(push(["a", 100]), undefined);
  const wait = (n: number) => {
    const r = push(["a", n]);
    assert.equal(r?.kind, "wait", `push of ${n}`);
    return r.kind === "wait" ? r.retryAfterSeconds : NaN;
  };
  assert.equal(wait(1), 1); // 100 ms
  assert.equal(wait(10), 1); // exactly 1 s
  assert.equal(wait(11), 2); // 1.1 s
  assert.equal(wait(100), 10);
  clock.now += 999; // 9.99 tokens
  assert.equal(wait(10), 1); // 1 ms
  clock.now += 1;
  assert.equal(push(["a", 10]), undefined);
});

test("the longest wait of the buckets a push touches is the one answered", () => {
  const { push } = limiter({ perTenant: entries(10), global: bytes(100) });
  assert.equal(push(["a", 10, 100]), undefined);
  const r = push(["a", 5, 50]); // a: 0.5 s; global: 0.5 s → both 1
  assert.equal(r?.kind === "wait" && r.retryAfterSeconds, 1);
  const slow = limiter({ perTenant: entries(10), global: bytes(10, 100) });
  assert.equal(slow.push(["a", 10, 100]), undefined);
  const worst = slow.push(["a", 1, 50]); // a: 0.1 s; global: 5 s
  assert.equal(worst?.tenant, GLOBAL);
  assert.equal(worst?.kind === "wait" && worst.retryAfterSeconds, 5);
});

test("a push over a burst is refused as never (413) whatever else waits, and takes nothing", () => {
  const { push } = limiter({ perTenant: entries(10), global: entries(1000, 1000) });
  assert.equal(push(["a", 9]), undefined);
  const r = push(["a", 11]);
  assert.deepEqual(r, {
    kind: "never",
    tenant: "a",
    error: 'a push of 11 entries is more than the burst of tenant "a" (10 entries/s, burst 10): ' +
      "send smaller pushes",
  });
  // Over a's burst while b must also wait: never wins.
  assert.equal(push(["b", 10]), undefined);
  assert.equal(push(["b", 1], ["a", 11])?.kind, "never");
  assert.equal(push(["a", 1]), undefined, "a still has its token");
});

test("a tenant with nothing to push for a bucket is not refused by it", () => {
  const { push } = limiter({ perTenant: { entries: { perSecond: 1, burst: 1 }, bytes: OFF } });
  assert.equal(push(["a", 1]), undefined);
  assert.equal(push(["a", 0, 1000]), undefined);
});

test("empty() refuses before the body when the tenant or everyone has no entry left", () => {
  const { rates, push, clock } = limiter({ perTenant: entries(2), global: entries(3) });
  assert.equal(rates.empty("a"), undefined);
  assert.equal(rates.empty("never-seen"), undefined);
  assert.equal(push(["a", 2]), undefined);
  const own = rates.empty("a");
  assert.equal(own?.kind, "wait");
  assert.equal(own?.tenant, "a");
  assert.equal(own?.kind === "wait" && own.retryAfterSeconds, 1);
  assert.equal(rates.empty("b"), undefined, "b has its own bucket, and one global entry is left");
  assert.equal(push(["b", 1]), undefined);
  assert.equal(rates.empty("b")?.tenant, GLOBAL);
  assert.equal(rates.empty("c")?.tenant, GLOBAL, "a tenant never seen waits for the global bucket");
  clock.now += 500;
  assert.equal(rates.empty("a"), undefined);
  assert.equal(rates.empty("c"), undefined);
});

test("empty() takes nothing and makes no bucket", () => {
  const { rates, push } = limiter({ perTenant: entries(1) });
  for (let i = 0; i < 100; i++) assert.equal(rates.empty("a"), undefined);
  assert.equal(push(["a", 1]), undefined);
  for (let i = 0; i < MAX_TENANT_BUCKETS + 10; i++) rates.empty(`t${i}`);
  assert.equal(rates.empty("a")?.kind, "wait", "a's bucket was not forgotten");
});

test("empty() looks at entries only: a bytes-only limit is checked once the push is read", () => {
  const { rates, push } = limiter({ perTenant: bytes(10) });
  assert.equal(push(["a", 1, 10]), undefined);
  assert.equal(rates.empty("a"), undefined);
  assert.equal(push(["a", 1, 1])?.kind, "wait");
});

test(`the tenant buckets are bounded: past ${MAX_TENANT_BUCKETS}, full ones are forgotten first`, () => {
  const { push, clock } = limiter({ perTenant: entries(1, 2) });
  // "busy", the oldest, spends both its tokens; every other tenant one of its two.
  assert.equal(push(["busy", 2]), undefined);
  for (let i = 0; i < MAX_TENANT_BUCKETS - 1; i++) assert.equal(push([`t${i}`, 1]), undefined);
  clock.now += 1000; // t* are full again; busy has one token of two
  assert.equal(push(["fresh", 2]), undefined); // the map is full: forgets the full buckets
  assert.equal(push(["busy", 2])?.kind, "wait", "the oldest bucket, not full, is kept");
  assert.equal(push(["busy", 1]), undefined);
  assert.equal(push(["fresh", 1])?.kind, "wait");
  for (let i = 0; i < 3; i++) assert.equal(push([`t${i}`, 2]), undefined);
});

test("with no full bucket to forget, the oldest half of the tenants is forgotten", () => {
  const { push } = limiter({ perTenant: entries(1, 2) });
  for (let i = 0; i < MAX_TENANT_BUCKETS; i++) assert.equal(push([`t${i}`, 2]), undefined);
  assert.equal(push(["new", 2]), undefined);
  // The oldest are fresh again (forgotten), the newest still empty.
  assert.equal(push(["t0", 2]), undefined);
  assert.equal(push([`t${MAX_TENANT_BUCKETS / 2 - 1}`, 2]), undefined);
  assert.equal(push([`t${MAX_TENANT_BUCKETS / 2 + 10}`, 1])?.kind, "wait");
  assert.equal(push([`t${MAX_TENANT_BUCKETS - 1}`, 1])?.kind, "wait");
  assert.equal(push(["new", 1])?.kind, "wait");
});

test("settings are kept as given (a reload compares them to keep the buckets)", () => {
  const settings: RateLimitSettings = { perTenant: entries(5), overrides: {}, global: NONE };
  assert.equal(new RateLimiter(settings, () => 0).settings, settings);
});

test("a usage map is what handOff builds: tenant → entries and bytes", () => {
  const { rates } = limiter({ perTenant: entries(3) });
  const usage: TenantUsage = new Map([["a", { entries: 3, bytes: 99 }]]);
  assert.equal(rates.take(usage), undefined);
  assert.equal(rates.take(usage)?.kind, "wait");
});

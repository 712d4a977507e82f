import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenBucket } from "../../src/limits/token_bucket.ts";

test("a new bucket is full: a burst passes at once, one token more must wait", () => {
  const b = new TokenBucket({ perSecond: 10, burst: 30 }, 1000);
  assert.equal(b.full(1000), true);
  assert.equal(b.waitMs(30, 1000), 0);
  b.take(30, 1000);
  assert.equal(b.full(1000), false);
  assert.equal(b.waitMs(1, 1000), 100);
});

test("waitMs is the time the missing tokens take to arrive, rounded up to the ms", () => {
  const b = new TokenBucket({ perSecond: 3, burst: 3 }, 0);
  b.take(3, 0);
  assert.equal(b.waitMs(1, 0), 334); // 333.33… ms: never early
  assert.equal(b.waitMs(3, 0), 1000);
  assert.equal(b.waitMs(1, 333), 1); // 0.999 token there
  assert.equal(b.waitMs(1, 334), 0);
});

test("tokens arrive at the rate and are capped at the burst", () => {
  const b = new TokenBucket({ perSecond: 100, burst: 50 }, 0);
  b.take(50, 0);
  assert.equal(b.waitMs(25, 250), 0); // 25 tokens after 250 ms
  assert.equal(b.waitMs(26, 250), 10);
  // A long quiet spell fills the bucket only to the burst.
  assert.equal(b.waitMs(50, 60_000), 0);
  assert.equal(b.full(60_000), true);
  b.take(50, 60_000);
  assert.equal(b.waitMs(1, 60_000), 10);
});

test("a request over the burst can never pass, even on a full bucket", () => {
  const b = new TokenBucket({ perSecond: 1000, burst: 10 }, 0);
  assert.equal(b.waitMs(11, 0), Infinity);
  assert.equal(b.waitMs(11, 1e9), Infinity);
  assert.equal(b.waitMs(10, 0), 0);
});

test("asking does not take: only take() spends tokens", () => {
  const b = new TokenBucket({ perSecond: 1, burst: 5 }, 0);
  for (let i = 0; i < 10; i++) assert.equal(b.waitMs(5, 0), 0);
  b.take(2, 0);
  assert.equal(b.waitMs(3, 0), 0);
  assert.equal(b.waitMs(4, 0), 1000);
});

test("a clock that steps back adds no tokens and takes none away", () => {
  const b = new TokenBucket({ perSecond: 10, burst: 10 }, 5000);
  b.take(10, 5000);
  assert.equal(b.waitMs(1, 4000), 100); // as at 5000: no refill for going back
  assert.equal(b.waitMs(1, 5100), 0);
});

test("fractional rates: half an entry a second", () => {
  const b = new TokenBucket({ perSecond: 0.5, burst: 1 }, 0);
  b.take(1, 0);
  assert.equal(b.waitMs(1, 0), 2000);
  assert.equal(b.waitMs(1, 1999), 1);
  assert.equal(b.waitMs(1, 2000), 0);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { BytePool } from "../../src/http/byte_pool.ts";
import { InflightBudget } from "../../src/http/inflight_budget.ts";

const KiB = 1024;

test("byte pool: a released buffer serves the next request of its size class, up to a quarter larger", () => {
  const pool = new BytePool(8 * 1024 * KiB);
  const a = pool.acquire(1000 * KiB);
  assert.equal(a.length, 1000 * KiB);
  // 1000 KiB falls in the 1 MiB class (2^k, 1.25, 1.5, 1.75 × 2^k): at most 25 % unused.
  assert.equal(a.buffer.byteLength, 1024 * KiB);
  pool.release(a);
  assert.equal(pool.kept, 1024 * KiB);
  const b = pool.acquire(900 * KiB); // 896 KiB < 900 KiB ≤ 1 MiB: the same class
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 900 * KiB);
  assert.equal(pool.kept, 0);
  const c = pool.acquire(1100 * KiB); // 1.25 MiB class: a new buffer
  assert.notEqual(c.buffer, a.buffer);
  assert.equal(c.buffer.byteLength, 1280 * KiB);
});

test("byte pool: keeps at most maxBytes, never buffers over maxBuffer or under 64 KiB, nor foreign ones", () => {
  const pool = new BytePool(2 * 1024 * KiB, 1024 * KiB);
  const big = pool.acquire(2000 * KiB);
  assert.equal(big.buffer.byteLength, 2000 * KiB, "over maxBuffer: exactly sized, not pooled");
  pool.release(big);
  assert.equal(pool.kept, 0);
  const small = pool.acquire(10 * KiB);
  pool.release(small);
  assert.equal(pool.kept, 0);
  pool.release(new Uint8Array(1024 * KiB - 1)); // not one of its sizes
  assert.equal(pool.kept, 0);
  const held = [pool.acquire(1024 * KiB), pool.acquire(1024 * KiB), pool.acquire(1024 * KiB)];
  for (const h of held) pool.release(h);
  assert.equal(pool.kept, 2 * 1024 * KiB, "the third is left to the garbage collector");
});

test("a request's hold hands out pool buffers and gives them back on release, not before", () => {
  const budget = new InflightBudget(64 * 1024 * KiB);
  const first = budget.hold();
  const a = first.buffer(500 * KiB);
  const second = budget.hold();
  const b = second.buffer(500 * KiB);
  assert.notEqual(a.buffer, b.buffer, "two live requests never share a buffer");
  first.release();
  const third = budget.hold();
  assert.equal(third.buffer(500 * KiB).buffer, a.buffer, "reused once its request let go");
  second.release();
  third.release();
});

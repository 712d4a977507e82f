// scrypt password hashes: what hash-password writes verifies, a wrong password does not, a hash
// that is not one is refused with a reason, costs are bounded, and a check leaves the event loop
// free while it runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  hashPassword,
  MAX_SCRYPT_MEMORY,
  parsePasswordHash,
  scryptMemory,
  verifyPassword,
} from "../../src/auth/password_hash.ts";

test("a hash verifies its password only; salts differ between hashes of one password", async () => {
  const a = await hashPassword("correct horse", { ln: 12, r: 8, p: 1 });
  const b = await hashPassword("correct horse", { ln: 12, r: 8, p: 1 });
  assert.notEqual(a, b);
  assert.equal(await verifyPassword("correct horse", a), true);
  assert.equal(await verifyPassword("correct horse", b), true);
  assert.equal(await verifyPassword("correct horse ", a), false);
  assert.equal(await verifyPassword("", a), false);
  assert.equal(await verifyPassword("correct horse", "not a hash"), false);
});

test("the default cost is ln=15, r=8, p=1 (32 MiB per check), within the memory bound", async () => {
  const hash = await hashPassword("x");
  const parsed = parsePasswordHash(hash);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.params, { ln: 15, r: 8, p: 1 });
  assert.equal(scryptMemory(parsed.params), 32 * 2 ** 20);
  assert.ok(scryptMemory(parsed.params) <= MAX_SCRYPT_MEMORY);
});

test("hashes that are not ours, or too costly to check, are refused with a reason", () => {
  const salt = "c2FsdHNhbHRzYWx0c2FsdA";
  const hash = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  for (
    const [text, reason] of [
      ["$2b$12$abcdefghijklmnopqrstuu5p7uQ3I8dJq", /not a "\$scrypt\$/],
      [`$scrypt$ln=9,r=8,p=1$${salt}$${hash}`, /out of range/],
      [`$scrypt$ln=15,r=64,p=1$${salt}$${hash}`, /out of range/],
      [`$scrypt$ln=17,r=8,p=1$${salt}$${hash}`, /needs 128 MiB per check/],
      [`$scrypt$ln=15,r=8,p=1$c2FsdA$${hash}`, /too short/],
    ] as const
  ) {
    const parsed = parsePasswordHash(text);
    assert.equal(parsed.ok, false, text);
    if (!parsed.ok) assert.match(parsed.error, reason);
  }
});

test("a check runs off the event loop: timers keep firing while scrypt works", async () => {
  const hash = await hashPassword("pw", { ln: 15, r: 8, p: 1 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  const ok = await verifyPassword("pw", hash);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  assert.equal(ok, true);
  // A check that held the loop would let no 1 ms timer fire until it ended.
  assert.ok(ticks >= Math.min(3, elapsed / 10), `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
});

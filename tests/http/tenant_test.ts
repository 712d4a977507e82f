import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTenant } from "../../src/http/tenant.ts";

test("parseTenant() follows Loki's rules and refuses what Alloy would silently ignore", () => {
  assert.deepEqual(parseTenant(""), { ok: true });
  assert.deepEqual(parseTenant("a|a"), { ok: true, tenant: "a" });
  assert.deepEqual(parseTenant("t:sub"), { ok: true, tenant: "t" });
  assert.deepEqual(parseTenant(":sub"), { ok: true });
  assert.deepEqual(parseTenant("ok!-_.*'()9"), { ok: true, tenant: "ok!-_.*'()9" });
  for (const bad of ["a|b", "a b", "..", ".", "x".repeat(151), "a/b", "é"]) {
    assert.equal(parseTenant(bad).ok, false, bad);
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNanoString, toNanoString } from "../../src/push/timestamp.ts";
import { parseTenant } from "../../src/http/tenant.ts";
import { parseDuration, parseSize } from "../../src/config/units.ts";
import { createReceiveClock } from "../../src/receive/receive_clock.ts";
import { splitLines } from "../../src/receive/raw_route.ts";

test("parseNanoString() and toNanoString() agree on every edge", () => {
  for (
    const s of [
      "0",
      "1",
      "999999999",
      "1000000000",
      "1700000000123456789",
      "-1",
      "-1000000000",
      "-1000000001",
      "9223372036854775807",
      "-9223372036854775808",
    ]
  ) {
    const { seconds, nanos } = parseNanoString(s);
    assert.ok(nanos >= 0 && nanos < 1e9, s);
    assert.equal(toNanoString(seconds, nanos), s);
  }
});

test("parseNanoString() refuses what is not an int64 of nanoseconds", () => {
  for (const s of ["", "-", "-0", "01", "+1", "1.0", "1e9", " 1", "9223372036854775808", "abc"]) {
    assert.throws(() => parseNanoString(s), SyntaxError, s);
  }
});

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

test("parseDuration() reads Go durations", () => {
  assert.equal(parseDuration("1h2m3.5s"), 3_723_500);
  assert.equal(parseDuration("250us"), 0.25);
  assert.equal(parseDuration("1.5h"), 5_400_000);
  for (const bad of ["", "1", "-1s", "1d", "s", "1 s"]) {
    assert.throws(() => parseDuration(bad), RangeError, bad);
  }
});

test("parseSize() reads base-2 sizes and byte counts", () => {
  assert.equal(parseSize("1KB"), 1024);
  assert.equal(parseSize("1.5MiB"), 1_572_864);
  assert.equal(parseSize("1GiB"), 1024 ** 3);
  assert.equal(parseSize("123"), 123);
  assert.equal(parseSize("0"), 0);
  for (const bad of ["", "1kb", "1 parsec", "-1", "MiB"]) {
    assert.throws(() => parseSize(bad), RangeError, bad);
  }
  assert.throws(() => parseSize(1.5), RangeError);
});

test("createReceiveClock() never goes backwards, even when the wall clock does", () => {
  const times = [1000.000001, 1000.000001, 999, 2000];
  const stamp = createReceiveClock(() => times.shift()!);
  const stamps = [stamp(), stamp(), stamp(), stamp()];
  assert.deepEqual(stamps, [
    { seconds: 1, nanos: 1 },
    { seconds: 1, nanos: 2 },
    { seconds: 1, nanos: 3 },
    { seconds: 2, nanos: 0 },
  ]);
});

test("splitLines() trims only trailing CR/LF and skips empty lines", () => {
  assert.deepEqual(
    splitLines("a\r\r\n\r\n\tb\r c \n\n\nlast").map((e) => e.line),
    ["a", "\tb\r c ", "last"],
  );
  assert.deepEqual(splitLines(""), []);
});

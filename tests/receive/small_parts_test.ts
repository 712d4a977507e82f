import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNanoString, toNanoString } from "../../src/push/timestamp.ts";
import { parseTenant } from "../../src/http/tenant.ts";
import { parseDuration, parseSize } from "../../src/config/units.ts";
import { createReceiveClock } from "../../src/receive/receive_clock.ts";
import { splitLines } from "../../src/receive/raw_route.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
import { snappyCompress, snappyUncompress, WASM_LIMIT } from "../../src/push/snappy_block.ts";
import { compress, uncompress } from "snappyjs";

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
  const stamps = [0, 1, 2, 3].map(() => {
    const e = { seconds: 0, nanos: 0 };
    stamp([e]);
    return e;
  });
  assert.deepEqual(stamps, [
    { seconds: 1, nanos: 1 },
    { seconds: 1, nanos: 2 },
    { seconds: 1, nanos: 3 },
    { seconds: 2, nanos: 0 },
  ]);
});

test("createReceiveClock() stamps a whole request in order across a second boundary", () => {
  const stamp = createReceiveClock(() => 1999.999);
  const entries = Array.from({ length: 1002 }, () => ({ seconds: 0, nanos: 0 }));
  stamp(entries);
  assert.deepEqual(entries[0], { seconds: 1, nanos: 999_999_000 });
  assert.deepEqual(entries[999], { seconds: 1, nanos: 999_999_999 });
  assert.deepEqual(entries[1000], { seconds: 2, nanos: 0 });
  assert.deepEqual(entries[1001], { seconds: 2, nanos: 1 });
  const next = { seconds: 0, nanos: 0 };
  stamp([next]); // the clock has not moved: one nanosecond after the last stamp
  assert.deepEqual(next, { seconds: 2, nanos: 2 });
});

test("splitLines() trims only trailing CR/LF and skips empty lines", () => {
  assert.deepEqual(
    splitLines(utf8("a\r\r\n\r\n\tb\r c \n\n\nlast")).map((e) => e.line),
    ["a", "\tb\r c ", "last"],
  );
  assert.deepEqual(splitLines(utf8("")), []);
});

test("snappy blocks round-trip on both codecs (WebAssembly below the limit, JS above)", () => {
  for (const size of [0, 1, 1000, WASM_LIMIT, WASM_LIMIT + 1]) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 7)) & 0xff;
    const block = snappyCompress(data);
    // Readable by an independent implementation, and back.
    assert.deepEqual(uncompress(block), data, `size ${size}`);
    const back = snappyUncompress(new Uint8Array(compress(data)), WASM_LIMIT * 2);
    assert.ok(back.ok && back.bytes.length === size && back.bytes.every((b, i) => b === data[i]));
  }
});

test("snappyUncompress() never throws on corrupt blocks: it answers 400", () => {
  const good = snappyCompress(new TextEncoder().encode("hello hello hello hello ".repeat(40)));
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let n = 0; n < 2000; n++) {
    const bad = good.slice(0, Math.max(1, Math.floor(rand() * good.length)));
    bad[Math.floor(rand() * bad.length)] ^= 1 << Math.floor(rand() * 8);
    const r = snappyUncompress(bad, 1 << 20);
    assert.ok(r.ok || (r.status === 400 || r.status === 413), JSON.stringify(r));
  }
});

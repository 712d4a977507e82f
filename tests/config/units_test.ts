import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration, parseSize } from "../../src/config/units.ts";

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

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNanoString, toNanoString } from "../../src/codec/timestamp.ts";

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

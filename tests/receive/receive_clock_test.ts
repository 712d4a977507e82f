import { test } from "node:test";
import assert from "node:assert/strict";
import { createReceiveClock } from "../../src/receive/receive_clock.ts";

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

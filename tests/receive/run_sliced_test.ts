import { test } from "node:test";
import assert from "node:assert/strict";
import { runSliced, SLICE_MS } from "../../src/receive/run_sliced.ts";

test("runSliced() lets other work run between slices of a long job", async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  function* busy(): Generator<undefined, string> {
    const end = performance.now() + 12 * SLICE_MS;
    while (performance.now() < end) yield;
    return "done";
  }
  const started = performance.now();
  let longest = 0;
  let last = started;
  const watch = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 0);
  assert.equal(await runSliced(busy()), "done");
  clearInterval(timer);
  clearInterval(watch);
  assert.ok(ticks > 3, `other timers ran ${ticks} times`);
  assert.ok(longest < 4 * SLICE_MS, `the longest stall was ${longest.toFixed(0)} ms`);
});

test("runSliced() finishes a short job without yielding", async () => {
  let yielded = false;
  setTimeout(() => (yielded = true), 0);
  function* quick(): Generator<undefined, number> {
    yield;
    yield;
    return 7;
  }
  assert.equal(await runSliced(quick()), 7);
  assert.equal(yielded, false);
});

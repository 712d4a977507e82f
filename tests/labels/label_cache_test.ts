import { test } from "node:test";
import assert from "node:assert/strict";
import { LabelCache } from "../../src/labels/label_cache.ts";

test("LabelCache holds at most its budget of characters, however long or many the keys", () => {
  const cache = new LabelCache<number>({ maxEntries: 1000, maxChars: 10_000, maxKeyChars: 4096 });
  let kept = 0;
  for (let i = 0; i < 5000; i++) {
    const key = `{a="${i}", v="${"x".repeat(3000)}"}`;
    cache.set(key, i);
    if (cache.get(key) === i) kept++;
  }
  assert.equal(kept, 5000, "each key was cached when set");
  // At the end only what fits in 10,000 characters is left: three keys of ~3,020.
  let left = 0;
  for (let i = 4990; i < 5000; i++) {
    if (cache.get(`{a="${i}", v="${"x".repeat(3000)}"}`) !== undefined) left++;
  }
  assert.ok(left >= 1 && left <= 3, `${left} left`);
  cache.set(`{b="${"y".repeat(5000)}"}`, 1);
  assert.equal(cache.get(`{b="${"y".repeat(5000)}"}`), undefined, "too long to keep");
});

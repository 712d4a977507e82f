// A fuzz case is replayable from (seed, index) alone: the generator is deterministic, each case's
// seed depends on nothing else, and a case makes the same input whatever ran before it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { caseSeed, Prng } from "./prng.ts";
import { protoSeed } from "./corpus.ts";
import { mutateBytes } from "./byte_mutators.ts";

test("Prng gives the same sequence for the same seed, another for another seed", () => {
  const take = (seed: number) =>
    Array.from(
      { length: 8 },
      (() => {
        const rnd = new Prng(seed);
        return () => rnd.u32();
      })(),
    );
  assert.deepEqual(take(42), take(42));
  assert.notDeepEqual(take(42), take(43));
});

test("Prng.int(n) stays in [0, n) and reaches both ends", () => {
  const rnd = new Prng(7);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const v = rnd.int(5);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 5, String(v));
    seen.add(v);
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
});

test("caseSeed() differs between cases and between runs", () => {
  const seeds = new Set<number>();
  for (let i = 0; i < 10_000; i++) seeds.add(caseSeed(1, i));
  assert.equal(seeds.size, 10_000);
  assert.notEqual(caseSeed(1, 5), caseSeed(2, 5));
});

test("a case's input is the same when it is replayed alone", () => {
  const input = (i: number) => {
    const rnd = new Prng(caseSeed(9, i));
    return mutateBytes(rnd, protoSeed(rnd), () => new Uint8Array([1, 2, 3]));
  };
  const inRun = Array.from({ length: 20 }, (_, i) => input(i));
  assert.deepEqual(input(13), inRun[13]);
  assert.deepEqual(input(0), inRun[0]);
});

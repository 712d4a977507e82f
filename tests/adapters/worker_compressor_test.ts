// Snappy on a worker thread: the same blocks as on the main thread, and a broken worker costs
// only speed: the writer assembles a batch again and compresses it itself.
// (Deno prints the error of the worker that is broken on purpose; the tests expect it.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createWorkerCompressor } from "../../src/adapters/worker_compressor.ts";
import { snappyCompress, snappyUncompress } from "../../src/codec/snappy_block.ts";
import { startHarness } from "../helpers/relay_harness.ts";
import { pushLines } from "../helpers/push.ts";

const BROKEN = new URL("../helpers/broken_worker.ts", import.meta.url);

function sample(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * seed + (i >> 5)) & 0x7f;
  return data;
}

test("the worker compresses concurrent blocks, each answered with its own result", async () => {
  const failures: string[] = [];
  const compressor = createWorkerCompressor((e) => failures.push(e));
  try {
    const inputs = [0, 1, 1000, 300_000, 1_200_000].map((n, i) => sample(n, i + 3));
    const blocks = await Promise.all(inputs.map((b) => compressor.compress(b.slice())));
    for (let i = 0; i < inputs.length; i++) {
      assert.deepEqual(blocks[i], snappyCompress(inputs[i]), `block ${i}`);
      const back = snappyUncompress(blocks[i], 2_000_000);
      assert.ok(back.ok && back.bytes.length === inputs[i].length);
    }
    assert.deepEqual(failures, []);
  } finally {
    compressor.close();
  }
});

test("bytes that fill their buffer are handed to the worker; a view into a larger one is copied", async () => {
  const compressor = createWorkerCompressor();
  try {
    const whole = sample(5000, 7);
    await compressor.compress(whole);
    assert.equal(whole.byteLength, 0, "transferred, not copied");
    const big = sample(10_000, 9);
    const view = big.subarray(100, 5100);
    const expected = snappyCompress(view);
    assert.deepEqual(await compressor.compress(view), expected);
    assert.equal(big.byteLength, 10_000, "the larger buffer is left alone");
  } finally {
    compressor.close();
  }
});

test("a worker that cannot load rejects what it held, says so once, then compresses here", async () => {
  const failures: string[] = [];
  const compressor = createWorkerCompressor((e) => failures.push(e), BROKEN);
  try {
    await assert.rejects(compressor.compress(sample(5000, 7)));
    const data = sample(70_000, 11);
    assert.deepEqual(await compressor.compress(data.slice()), snappyCompress(data));
    assert.equal(failures.length, 1, failures.join("\n"));
  } finally {
    compressor.close();
  }
});

test("after close() blocks are still compressed, on this thread", async () => {
  const compressor = createWorkerCompressor();
  await compressor.compress(sample(10, 1)); // the worker has started
  compressor.close();
  const data = sample(4096, 5);
  assert.deepEqual(await compressor.compress(data.slice()), snappyCompress(data));
});

test("with a broken worker the writer still delivers every entry: it compresses the batch itself", async () => {
  const compressor = createWorkerCompressor(() => {}, BROKEN);
  const { loki, time, relay, stop } = await startHarness({
    options: { compress: (b) => compressor.compress(b) },
  });
  try {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
    assert.equal((await pushLines(relay, lines)).status, 204);
    await time.advance(1000);
    await loki.waitFor(() => loki.lines().length === lines.length);
    assert.deepEqual(loki.lines().map((l) => l.split("|")[2]), lines);
  } finally {
    await stop();
    compressor.close();
  }
});

// Snappy on a worker thread: same blocks as on the main thread, and a broken worker costs only speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createWorkerCompressor } from "../../src/adapters/worker_compressor.ts";
import { snappyCompress, snappyUncompress } from "../../src/push/snappy_block.ts";

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
    const blocks = await Promise.all(inputs.map((b) => compressor.compress(b)));
    for (let i = 0; i < inputs.length; i++) {
      assert.deepEqual(blocks[i], snappyCompress(inputs[i]), `block ${i}`);
      const back = snappyUncompress(blocks[i], 2_000_000);
      assert.ok(back.ok && back.bytes.length === inputs[i].length);
    }
    assert.equal(inputs[3].length, 300_000, "inputs are copied to the worker, not transferred");
    assert.deepEqual(failures, []);
  } finally {
    compressor.close();
  }
});

test("a worker that cannot load falls back to this thread, says so once, loses nothing", async () => {
  const failures: string[] = [];
  const compressor = createWorkerCompressor(
    (e) => failures.push(e),
    new URL("../helpers/broken_worker.ts", import.meta.url),
  );
  try {
    const inputs = [sample(5000, 7), sample(70_000, 11)];
    const blocks = await Promise.all(inputs.map((b) => compressor.compress(b)));
    assert.deepEqual(blocks, inputs.map((b) => snappyCompress(b)));
    assert.deepEqual(await compressor.compress(inputs[0]), snappyCompress(inputs[0]));
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
  assert.deepEqual(await compressor.compress(data), snappyCompress(data));
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_SNAPPY_RATIO,
  snappyCompress,
  snappyUncompress,
  snappyUncompressSteps,
  WASM_LIMIT,
} from "../../src/codec/snappy_block.ts";
import { runToEnd } from "../../src/codec/decode_result.ts";
import { compress, uncompress } from "snappyjs";

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

test("snappyUncompress() never throws on corrupt blocks: it reports them as values", () => {
  const good = snappyCompress(new TextEncoder().encode("hello hello hello hello ".repeat(40)));
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let n = 0; n < 2000; n++) {
    const bad = good.slice(0, Math.max(1, Math.floor(rand() * good.length)));
    bad[Math.floor(rand() * bad.length)] ^= 1 << Math.floor(rand() * 8);
    const r = snappyUncompress(bad, 1 << 20);
    assert.ok(r.ok || r.failure === "corrupt" || r.failure === "too_large", JSON.stringify(r));
  }
});

test("a preamble claiming more than a block can expand to is corrupt, refused before allocating", () => {
  let reserved = 0;
  const reserve = (n: number) => ((reserved += n), true as const);
  const block = new Uint8Array(4096);
  block.set([0x80, 0x80, 0xc0, 0x31]); // 99 MiB claimed by 4 KiB
  const r = runToEnd(snappyUncompressSteps(block, 1 << 30, reserve));
  assert.deepEqual(r, { ok: false, failure: "corrupt", error: "snappy: corrupt input" });
  assert.equal(reserved, 0, "nothing was reserved, nothing allocated");
  // The densest real block (a long run of one byte) stays under the bound.
  const dense = snappyCompress(new Uint8Array(4 * 1024 * 1024));
  assert.ok(4 * 1024 * 1024 <= MAX_SNAPPY_RATIO * dense.length + 64);
  assert.ok(snappyUncompress(dense, 1 << 30).ok);
});

test("the decoded length is reserved first; a refusal stops the decode", () => {
  const block = snappyCompress(new Uint8Array(1000).fill(3));
  const asked: number[] = [];
  const r = runToEnd(
    snappyUncompressSteps(block, 1 << 20, (n) => {
      asked.push(n);
      return { failure: "busy", error: "no room" };
    }),
  );
  assert.deepEqual(asked, [1000]);
  assert.deepEqual(r, { ok: false, failure: "busy", error: "no room" });
});

test("large blocks decode in slices and match an independent decoder, corrupt ones are values", () => {
  const size = WASM_LIMIT + 3 * 1024 * 1024;
  const data = new Uint8Array(size);
  let x = 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    data[i] = i % 1000 < 600 ? (x >> 16) & 0xff : data[i - 300] ?? 0; // literals and copies
  }
  const block = new Uint8Array(compress(data));
  const steps = snappyUncompressSteps(block, size);
  let yields = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) yields++;
  assert.ok(yields >= 4, `yielded ${yields} times`);
  assert.ok(step.value.ok && step.value.bytes.every((b, i) => b === data[i]));
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let n = 0; n < 20; n++) {
    const bad = block.slice();
    for (let k = 0; k < 5; k++) bad[5 + Math.floor(rand() * (bad.length - 5))] ^= 0x55;
    const r = snappyUncompress(bad, size);
    assert.ok(r.ok || r.failure === "corrupt", r.ok ? "" : r.error);
  }
});

test("a block decodes into the buffer the caller hands over, reused block after block", () => {
  const buffer = new ArrayBuffer(1 << 20);
  const allocate = (n: number) => new Uint8Array(buffer, 0, n);
  const texts = ["first ".repeat(30_000), "the second block, shorter ".repeat(5_000)];
  for (const text of texts) {
    const input = new TextEncoder().encode(text);
    const out = runToEnd(
      snappyUncompressSteps(snappyCompress(input), 1 << 20, undefined, allocate),
    );
    assert.ok(out.ok);
    assert.equal(out.bytes.buffer, buffer, "written where it was asked to be, not copied out");
    assert.equal(new TextDecoder().decode(out.bytes), text);
  }
  const corrupt = snappyCompress(new TextEncoder().encode("x".repeat(1000))).slice(0, 10);
  const bad = runToEnd(snappyUncompressSteps(corrupt, 1 << 20, undefined, allocate));
  assert.equal(bad.ok, false);
});

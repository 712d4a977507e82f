import { test } from "node:test";
import assert from "node:assert/strict";
import { snappyCompress, snappyUncompress, WASM_LIMIT } from "../../src/codec/snappy_block.ts";
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

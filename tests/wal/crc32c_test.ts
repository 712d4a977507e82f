import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../src/wal/crc32c.ts";

/** CRC-32C one bit at a time: slow, obviously right. */
function bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test("crc32c() matches the bitwise definition at every length and offset", () => {
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const data = Uint8Array.from({ length: 300 }, rand);
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end += 7) {
      assert.equal(crc32c(data, start, end), bitwise(data.subarray(start, end)), `${start}-${end}`);
    }
  }
});

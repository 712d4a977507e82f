/**
 * Protobuf's unsigned varints for the encoders that write them by hand: lengths and field values
 * from 0 up to 2^53.
 *
 * @module
 */

/**
 * Bytes of the varint of `v`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { varintLength } from "./varint.ts";
 *
 * assert.deepEqual([0, 127, 128, 16_383, 16_384, 2 ** 32].map(varintLength), [1, 1, 2, 2, 3, 5]);
 * ```
 */
export function varintLength(v: number): number {
  if (v < 0x10000000) return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : 4;
  let n = 4;
  for (v = Math.floor(v / 0x10000000); v > 0; v = Math.floor(v / 128)) n++;
  return n;
}

/**
 * Writes the varint of `v` at `pos` of `buf`; returns the position after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeVarint } from "./varint.ts";
 *
 * const buf = new Uint8Array(8);
 * assert.equal(writeVarint(buf, 0, 300), 2);
 * assert.deepEqual([...buf.subarray(0, 2)], [0xac, 0x02]);
 * assert.equal(writeVarint(buf, 0, 2 ** 35), 6);
 * ```
 */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = v < 0x100000000 ? v >>> 7 : Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/**
 * UTF-8 byte lengths and writes of JS strings, without an intermediate copy.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * The number of bytes `TextEncoder` writes for `text` (a lone surrogate becomes U+FFFD, 3 bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Length } from "./utf8.ts";
 *
 * assert.equal(utf8Length("abc"), 3);
 * assert.equal(utf8Length("ü😀"), 6);
 * assert.equal(utf8Length("\ud800"), 3);
 * ```
 */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (
      c >= 0xd800 && c < 0xdc00 && i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      n += 2; // a surrogate pair: two code units, four bytes
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * Writes `text` as UTF-8 at `pos`; `byteLength` must be {@link utf8Length}`(text)`.
 * Returns the position after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeUtf8 } from "./utf8.ts";
 *
 * const buf = new Uint8Array(4);
 * assert.equal(writeUtf8(buf, 1, "aé", 3), 4);
 * assert.deepEqual([...buf], [0, 0x61, 0xc3, 0xa9]);
 * ```
 */
export function writeUtf8(buf: Uint8Array, pos: number, text: string, byteLength: number): number {
  if (byteLength === text.length && byteLength < 24) {
    for (let i = 0; i < byteLength; i++) buf[pos + i] = text.charCodeAt(i);
  } else if (byteLength > 0) {
    encoder.encodeInto(text, buf.subarray(pos, pos + byteLength));
  }
  return pos + byteLength;
}

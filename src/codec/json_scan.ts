/**
 * The grammar of JSON text read as bytes (RFC 8259), shared by the push decoders of the v1 and the
 * legacy JSON formats: white space, literals, numbers, hex digits, and the words of an error.
 * Scanners return the position after what they read, or `~p` (a negative number) for the first
 * byte `p` that breaks the grammar.
 *
 * @module
 */

/**
 * The position of the first byte at or after `p` that is not JSON white space.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skipSpace } from "./json_scan.ts";
 *
 * const b = new TextEncoder().encode(" \t\n{");
 * assert.equal(skipSpace(b, 0, b.length), 3);
 * ```
 */
export function skipSpace(b: Uint8Array, p: number, n: number): number {
  while (p < n) {
    const c = b[p];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
    else break;
  }
  return p;
}

/**
 * The value of a hex digit byte, or -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hexDigit } from "./json_scan.ts";
 *
 * assert.deepEqual([..."0aF"].map((c) => hexDigit(c.charCodeAt(0))), [0, 10, 15]);
 * assert.equal(hexDigit(0x67), -1);
 * ```
 */
export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Reads `null`, `true` or `false` at `p` (whose first byte chose the word): the position after
 * it, or `~p` of the first byte that differs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { literalEnd } from "./json_scan.ts";
 *
 * const b = new TextEncoder().encode("true,nul");
 * assert.equal(literalEnd(b, 0, b.length), 4);
 * assert.equal(~literalEnd(b, 5, b.length), 8); // the input ends where "l" should be
 * ```
 */
export function literalEnd(b: Uint8Array, p: number, n: number): number {
  const word = b[p] === 0x6e ? "null" : b[p] === 0x74 ? "true" : "false";
  for (let k = 0; k < word.length; k++) {
    if (p + k >= n || b[p + k] !== word.charCodeAt(k)) return ~(p + k);
  }
  return p + word.length;
}

/**
 * Reads a number at `p` (RFC 8259: `-`, no leading zeros, a fraction and an exponent with at least
 * one digit each): the position after it, or `~p` of the byte where a digit was missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberEnd } from "./json_scan.ts";
 *
 * const b = new TextEncoder().encode("-1.50e+3]");
 * assert.equal(numberEnd(b, 0, b.length), 8);
 * const bad = new TextEncoder().encode("1.]");
 * assert.equal(~numberEnd(bad, 0, bad.length), 2);
 * ```
 */
export function numberEnd(b: Uint8Array, p: number, n: number): number {
  const digits = (from: number) => {
    let q = from;
    while (q < n && b[q] >= 0x30 && b[q] <= 0x39) q++;
    return q === from ? ~from : q;
  };
  if (b[p] === 0x2d) p++;
  if (p < n && b[p] === 0x30) p++;
  else if ((p = digits(p)) < 0) return p;
  if (p < n && b[p] === 0x2e) {
    if ((p = digits(p + 1)) < 0) return p;
  }
  if (p < n && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    if (p < n && (b[p] === 0x2b || b[p] === 0x2d)) p++;
    if ((p = digits(p)) < 0) return p;
  }
  return p;
}

/**
 * The message for input that breaks the grammar at `p`: its end, or the byte found there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unexpectedMessage } from "./json_scan.ts";
 *
 * const b = new TextEncoder().encode("[1,}");
 * assert.equal(unexpectedMessage(b, 3, b.length), "invalid JSON: unexpected '}' at offset 3");
 * assert.equal(
 *   unexpectedMessage(b, 4, b.length),
 *   "invalid JSON: unexpected end of input at offset 4",
 * );
 * ```
 */
export function unexpectedMessage(b: Uint8Array, p: number, n: number): string {
  if (p >= n) return `invalid JSON: unexpected end of input at offset ${p}`;
  return `invalid JSON: unexpected ${describeByte(b[p])} at offset ${p}`;
}

/**
 * A byte as an error message names it: the character when printable ASCII, else its hex value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeByte } from "./json_scan.ts";
 *
 * assert.equal(describeByte(0x7d), "'}'");
 * assert.equal(describeByte(0x0a), "byte 0x0a");
 * ```
 */
export function describeByte(c: number): string {
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}

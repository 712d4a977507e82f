/**
 * The raw endpoint's body: newline-delimited lines, one entry each.
 *
 * @module
 */
import { WireEntry } from "./wire_entry.ts";

/**
 * Splits a body into entries: split on `\n`, trailing `\r`/`\n` removed, empty lines skipped.
 * Lines stay the bytes sent (as Alloy keeps them), read as UTF-8 when something asks; their
 * timestamps are set by the receiver.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitLines } from "./decode_raw.ts";
 *
 * const body = new TextEncoder().encode("a\r\n\n b \nc");
 * assert.deepEqual(splitLines(body).map((e) => e.line), ["a", " b ", "c"]);
 * ```
 */
export function splitLines(bytes: Uint8Array): WireEntry[] {
  const entries: WireEntry[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let next = bytes.indexOf(10, start);
    if (next < 0) next = bytes.length;
    let end = next;
    while (end > start && bytes[end - 1] === 13) end--;
    if (end > start) {
      entries.push(
        new WireEntry({
          seconds: 0,
          nanos: 0,
          source: bytes,
          lineStart: start,
          lineEnd: end,
          metaStart: 0,
          metaEnd: 0,
          metaSize: 0,
        }),
      );
    }
    start = next + 1;
  }
  return entries;
}

/**
 * The most entries {@link splitLines} can make of `bytes` (one per `\n`, plus a last line), counted
 * without making them, so a raw body can be bounded before it is split.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxLines } from "./decode_raw.ts";
 *
 * assert.equal(maxLines(new TextEncoder().encode("a\nb\n")), 3);
 * ```
 */
export function maxLines(bytes: Uint8Array): number {
  let n = 1;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) n++;
  return n;
}

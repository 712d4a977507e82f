/**
 * Header values as Go reads them. `Headers.get` (and `node:http`) give a header value as a byte
 * string, one character per byte; Go's header parsers see the same bytes as UTF-8 text.
 *
 * @module
 */

const utf8 = new TextDecoder();

/**
 * The text of a header value: its bytes (one per character, as `Headers.get` returns them) read
 * as UTF-8. ASCII values come back as they are; bytes that are not UTF-8 read as U+FFFD, which
 * every Go header parser refuses as it refuses the bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headerText } from "./header_text.ts";
 *
 * assert.equal(headerText("application/json"), "application/json");
 * assert.equal(headerText("text/plain; x=\xc3\xa9"), "text/plain; x=\u00e9");
 * assert.equal(headerText("a\xff"), "a\ufffd");
 * ```
 */
export function headerText(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length && ascii; i++) ascii = value.charCodeAt(i) < 0x80;
  if (ascii) return value;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  return utf8.decode(bytes);
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { splitLines } from "../../src/codec/decode_raw.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("splitLines() trims only trailing CR/LF and skips empty lines", () => {
  assert.deepEqual(
    splitLines(utf8("a\r\r\n\r\n\tb\r c \n\n\nlast")).map((e) => e.line),
    ["a", "\tb\r c ", "last"],
  );
  assert.deepEqual(splitLines(utf8("")), []);
});

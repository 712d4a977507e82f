import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAuthorization } from "../../src/auth/authorization.ts";

const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

// Found by the fuzzer (tests/fuzz, seed 1, case 1746): the UTF-8 decoder dropped a leading
// U+FEFF as a byte order mark, so "\uFEFFann:x" read as ann's credentials.
test("parseAuthorization() keeps a leading U+FEFF of the user name", () => {
  assert.deepEqual(parseAuthorization("Basic " + base64("\uFEFFann:x")), {
    scheme: "basic",
    username: "\uFEFFann",
    password: "x",
  });
  assert.deepEqual(parseAuthorization("Basic " + base64("\uFEFF\uFEFF:\uFEFFpw")), {
    scheme: "basic",
    username: "\uFEFF\uFEFF",
    password: "\uFEFFpw",
  });
});

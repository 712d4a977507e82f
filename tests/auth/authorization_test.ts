// The Authorization header as RFC 7235/7617/6750 read it: every malformed value is a value that
// says why (never a throw), and the credentials survive exactly (colons in passwords, UTF-8).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { parseAuthorization } from "../../src/auth/authorization.ts";

const basic = (text: string) => "Basic " + Buffer.from(text, "utf8").toString("base64");

test("Basic credentials: the first colon splits, the password keeps the rest, UTF-8 kept", () => {
  assert.deepEqual(parseAuthorization(basic("ann:pa:ss")), {
    scheme: "basic",
    username: "ann",
    password: "pa:ss",
  });
  assert.deepEqual(parseAuthorization(basic("jürgen:ünïcødé")), {
    scheme: "basic",
    username: "jürgen",
    password: "ünïcødé",
  });
  assert.deepEqual(parseAuthorization(basic("ann:")), {
    scheme: "basic",
    username: "ann",
    password: "",
  });
  // The scheme is case-insensitive; extra spaces around the credentials are tolerated.
  assert.equal(parseAuthorization("bAsIc   " + btoa("a:b") + "  ").scheme, "basic");
});

test("Bearer tokens are token68 values, taken as sent", () => {
  assert.deepEqual(parseAuthorization("Bearer abc-._~+/9=="), {
    scheme: "bearer",
    token: "abc-._~+/9==",
  });
  assert.deepEqual(parseAuthorization("BEARER x"), { scheme: "bearer", token: "x" });
});

test("absent or empty is none; everything malformed is invalid with a reason", () => {
  assert.deepEqual(parseAuthorization(null), { scheme: "none" });
  assert.deepEqual(parseAuthorization("   "), { scheme: "none" });
  const cases = [
    "Bearer",
    "Bearer a b",
    "Bearer tök",
    "Basic",
    "Basic !!!!",
    "Basic " + btoa("no-colon"),
    "Basic " + Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64"), // not UTF-8
    "Basic a",
    "Digest username=x",
    "Negotiate abc",
    "x".repeat(10_000),
  ];
  for (const header of cases) {
    const parsed = parseAuthorization(header);
    assert.equal(parsed.scheme, "invalid", header.slice(0, 40));
    if (parsed.scheme === "invalid") {
      assert.ok(
        parsed.error.length > 0 && parsed.error.length < 200 && !parsed.error.includes("\n"),
      );
    }
  }
});

// Found by the fuzzer (tests/fuzz, seed 1, case 1746): the UTF-8 decoder dropped a leading
// U+FEFF as a byte order mark, so "\uFEFFann:x" read as ann's credentials.
test("Basic credentials keep a leading U+FEFF of the user name (not a byte order mark)", () => {
  assert.deepEqual(parseAuthorization(basic("\uFEFFann:x")), {
    scheme: "basic",
    username: "\uFEFFann",
    password: "x",
  });
  assert.deepEqual(parseAuthorization(basic("\uFEFF\uFEFF:\uFEFFpw")), {
    scheme: "basic",
    username: "\uFEFF\uFEFF",
    password: "\uFEFFpw",
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLabels } from "../../src/labels/parse_labels.ts";
import { formatLabels } from "../../src/labels/format_labels.ts";

const GOOD: [string, Record<string, string>][] = [
  ["", {}],
  ["{}", {}],
  ["  { }  ", {}],
  ['{app="a"}', { app: "a" }],
  ['{app="a",}', { app: "a" }],
  ['{ app = "a" , env = "b" }', { app: "a", env: "b" }],
  ['{\n  app="a",\n  env="b"\n}', { app: "a", env: "b" }],
  ['{env="p\\"q"}', { env: 'p"q' }],
  ["{env='single \\' quote'}", { env: "single ' quote" }],
  ["{env=`raw \\n stays`}", { env: "raw \\n stays" }],
  ['{e="\\a\\b\\f\\n\\r\\t\\v\\\\"}', { e: "\x07\b\f\n\r\t\v\\" }],
  ['{e="\\u00e9\\U0001F600\\x41\\101"}', { e: "é😀AA" }],
  ['{e="日本語"}', { e: "日本語" }],
  ["up", { __name__: "up" }],
  ['up{job="x"}', { __name__: "up", job: "x" }],
  ["ns:metric:rate5m", { __name__: "ns:metric:rate5m" }],
  ['{"name.with.dots"="v"}', { "name.with.dots": "v" }],
  ['{"just_a_name"}', { __name__: "just_a_name" }],
  ['{a="", b="x"}', { b: "x" }],
  ['{a="1", a="2"}', { a: "2" }],
  ['{a="1", # comment\n b="2"}', { a: "1", b: "2" }],
  ['{sum="1", by="2", on="3"}', { sum: "1", by: "2", on: "3" }],
];

for (const [text, labels] of GOOD) {
  test(`parseLabels() reads ${JSON.stringify(text)}`, () => {
    assert.deepEqual(parseLabels(text), { ok: true, labels });
  });
}

const BAD: [string, string][] = [
  ['{foo-bar="x"}', "1:5: parse error: unexpected character inside braces: '-'"],
  ['{app="a"', "1:9: parse error: unexpected end of input inside braces"],
  ["{foo}", "1:5: parse error: unexpected character '}' in label set, expected \"=\""],
  ["{foo=bar}", "1:6: parse error: unexpected character 'b' in label set, expected string"],
  ['{foo!="x"}', "1:5: parse error: unexpected character '!' in label set, expected \"=\""],
  [
    '{a="x" b="y"}',
    '1:8: parse error: unexpected character \'b\' in label set, expected "," or "}"',
  ],
  ['{a="unterminated}', "1:4: parse error: unterminated quoted string"],
  ['{a="new\nline"}', "1:4: parse error: unterminated quoted string"],
  ['{a="\\q"}', "1:5: parse error: unknown escape sequence U+0071 'q'"],
  ['{a="\\u12"}', "1:5: parse error: escape sequence not terminated"],
  ["{a=`raw", "1:4: parse error: unterminated raw string"],
  ['{a="x"} extra', "1:9: parse error: unexpected character 'e' after the label set"],
  ['{a="x"}}', "1:8: parse error: unexpected character '}' after the label set"],
  ['{{a="x"}', "1:2: parse error: unexpected character inside braces: '{'"],
  ['{1a="x"}', "1:2: parse error: unexpected character inside braces: '1'"],
];

for (const [text, error] of BAD) {
  test(`parseLabels() refuses ${JSON.stringify(text)}`, () => {
    assert.deepEqual(parseLabels(text), { ok: false, error });
  });
}

test("formatLabels() output parses back to the same labels for awkward values", () => {
  const labels = {
    z: 'quote " and \\ backslash',
    a: "new\nline\ttab\u0001ctl",
    m: "unicode é 😀",
    "dotted.name": "v",
  };
  const text = formatLabels(labels);
  assert.ok(text.startsWith('{a="'), text);
  assert.deepEqual(parseLabels(text), { ok: true, labels });
});

test("__proto__, constructor and toString are label names like any other", () => {
  const r = parseLabels('{__proto__="p", constructor="c", toString="t", "10"="n"}');
  assert.ok(r.ok);
  assert.deepEqual(Object.keys(r.labels).sort(), ["10", "__proto__", "constructor", "toString"]);
  assert.equal(r.labels["__proto__"], "p");
  assert.equal(Object.getPrototypeOf(r.labels), Object.prototype);
  assert.equal(formatLabels(r.labels), '{"10"="n", __proto__="p", constructor="c", toString="t"}');
  const empty = parseLabels('{__proto__="p", __proto__=""}');
  assert.ok(empty.ok);
  assert.deepEqual(Object.keys(empty.labels), []);
});

// Found by the fuzzer (tests/fuzz): protobuf's reader makes a lone surrogate of an encoded one
// (bytes ED A0 80), the parser took it, and the relay forwarded the stream under the key
// formatLabels() wrote for it, `{a="\ud800"}`, which no parser reads (not a code point).
test("parseLabels() refuses a lone surrogate, as Prometheus refuses bytes that are not UTF-8", () => {
  const refused = (text: string, at: string) =>
    assert.deepEqual(parseLabels(text), {
      ok: false,
      error: `${at}: parse error: invalid UTF-8 rune`,
    });
  refused('{a="x\ud800"}', "1:6");
  refused('{a="\\n\udc00"}', "1:7");
  refused("{a=`\ud83d`}", "1:5");
  refused('{"\ud800"="v"}', "1:3");
  refused('{a="\ude00\ud83d"}', "1:5");
  assert.deepEqual(parseLabels('{a="\ud83d\ude00"}'), { ok: true, labels: { a: "😀" } });
});

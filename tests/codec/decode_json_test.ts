import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { decodePushJson as decodeOld } from "../helpers/json_reference.ts";
import { WireEntry } from "../../src/codec/wire_entry.ts";
import type { PushRequest } from "../../src/types.ts";
import {
  decodePushJson,
  decodePushJsonSteps,
  type JsonDecodeOptions,
  type JsonDecodeResult,
} from "../../src/codec/decode_json.ts";
import { makeBody } from "../helpers/json_bodies.ts";

const encoder = new TextEncoder();
const textDecoder = new TextDecoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Runs the generator to the end, counting its yields. */
function run(body: Uint8Array, options?: JsonDecodeOptions): JsonDecodeResult & { yields: number } {
  const steps = decodePushJsonSteps(body, options);
  let yields = 0;
  let step = steps.next();
  while (!step.done) {
    yields++;
    step = steps.next();
  }
  return { ...step.value, yields };
}

function ok(body: string | Uint8Array, options?: JsonDecodeOptions): PushRequest {
  const result = run(typeof body === "string" ? bytes(body) : body, options);
  if (!result.ok) assert.fail(`refused: ${result.error}`);
  return result.request;
}

function refused(
  body: string | Uint8Array,
  failure: "invalid" | "too_large" | "busy",
  pattern: RegExp,
  options?: JsonDecodeOptions,
): string {
  const result = run(typeof body === "string" ? bytes(body) : body, options);
  assert.equal(result.ok, false, `accepted: ${typeof body === "string" ? body : "(bytes)"}`);
  if (result.ok) throw new Error("unreachable");
  assert.equal(result.failure, failure, result.error);
  assert.match(result.error, pattern);
  assert.ok(!result.error.includes("\n"), "one line");
  return result.error;
}

/** The request as plain data (what `JSON.stringify` writes of it). */
function plain(req: PushRequest): { streams: { labels: string; entries: unknown[] }[] } {
  return JSON.parse(JSON.stringify(req));
}

function labelsOf(body: string): string[] {
  return ok(body).streams.map((s) => s.labels);
}

function linesOf(body: string | Uint8Array): string[] {
  return ok(body).streams.flatMap((s) => s.entries.map((e) => e.line));
}

function oneStream(stream: string, values = "[]"): string {
  return `{"streams":[{"stream":${stream},"values":${values}}]}`;
}

function oneEntry(entry: string): string {
  return oneStream('{"a":"1"}', `[${entry}]`);
}

// ---------------------------------------------------------------------------------------------
// Equivalence with the current decoder on ordinary bodies.

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "a",
  "hello world",
  "é",
  "日本",
  "😀",
  "\n",
  "\t",
  '"',
  "\\",
  "/",
  "\b",
  "\f",
  "\r",
  "\u0001",
  "\u001f",
  "\u007f",
  "\u2028",
  "\ufffd",
  "\uffff",
  "level=info msg=ok",
  "",
];

/** A JSON string literal for `text`, escaping at random in every form JSON allows. */
function jsonString(text: string, rnd: () => number): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const r = rnd();
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20) {
      const short: Record<number, string> = { 8: "b", 9: "t", 10: "n", 12: "f", 13: "r" };
      out += short[c] && r < 0.5
        ? `\\${short[c]}`
        : `\\u${c.toString(16).padStart(4, r < 0.7 ? "0" : "0").toUpperCase()}`;
    } else if (c === 0x2f && r < 0.5) out += "\\/";
    else if (r < 0.15) {
      // \u escapes, a surrogate pair for astral characters
      for (let k = 0; k < ch.length; k++) {
        const hex = ch.charCodeAt(k).toString(16).padStart(4, "0");
        out += `\\u${r < 0.07 ? hex.toUpperCase() : hex}`;
      }
    } else out += ch;
  }
  return out + '"';
}

function randomText(rnd: () => number, max: number): string {
  let s = "";
  const n = Math.floor(rnd() * max);
  for (let k = 0; k < n; k++) s += PIECES[Math.floor(rnd() * PIECES.length)];
  return s;
}

function space(rnd: () => number): string {
  const r = rnd();
  return r < 0.7 ? "" : r < 0.8 ? " " : r < 0.9 ? "\n  " : "\t\r\n";
}

/** An ordinary push body both decoders must read alike. */
function ordinaryBody(seed: number): string {
  const rnd = random(seed);
  const w = () => space(rnd);
  const streams: string[] = [];
  const streamCount = Math.floor(rnd() * 4);
  for (let i = 0; i < streamCount; i++) {
    const labels: string[] = [];
    const used = new Set<string>();
    const labelCount = Math.floor(rnd() * 4);
    for (let k = 0; k < labelCount; k++) {
      const name = ["app", "env", "B", "_x", "z9", "job", "Z"][Math.floor(rnd() * 7)];
      if (used.has(name)) continue;
      used.add(name);
      labels.push(
        `${w()}${jsonString(name, rnd)}${w()}:${w()}${jsonString(randomText(rnd, 4), rnd)}`,
      );
    }
    const entries: string[] = [];
    const entryCount = Math.floor(rnd() * 6);
    let ns = BigInt(Math.floor(rnd() * 2 ** 40)) * 1000003n;
    for (let k = 0; k < entryCount; k++) {
      const r = rnd();
      if (r < 0.05) {
        entries.push(`${w()}null`);
        continue;
      }
      ns += BigInt(Math.floor(rnd() * 1e9));
      const ts = rnd() < 0.1 ? (-ns).toString() : rnd() < 0.1 ? "0" : ns.toString();
      const parts = [jsonString(ts, () => 1)];
      if (r > 0.1) parts.push(jsonString(randomText(rnd, 8), rnd));
      if (r > 0.4) {
        const pairs: string[] = [];
        const names = new Set<string>();
        const pairCount = Math.floor(rnd() * 4);
        for (let m = 0; m < pairCount; m++) {
          // Names the old decoder keeps in order: distinct, not integer-like.
          const name = ["trace_id", "user", "k", "é", "a b", "__proto__x"][Math.floor(rnd() * 6)];
          if (names.has(name)) continue;
          names.add(name);
          pairs.push(`${jsonString(name, rnd)}${w()}:${w()}${jsonString(randomText(rnd, 3), rnd)}`);
        }
        parts.push(`{${w()}${pairs.join(`,${w()}`)}${w()}}`);
      }
      entries.push(`${w()}[${w()}${parts.join(`${w()},${w()}`)}${w()}]`);
    }
    streams.push(
      `{${w()}"stream"${w()}:${w()}{${labels.join(",")}${w()}},${w()}"values":${w()}[${
        entries.join(",")
      }${w()}]${w()}}`,
    );
  }
  return `${w()}{${w()}"streams"${w()}:${w()}[${streams.join(`,${w()}`)}]${w()}}${w()}`;
}

test("ordinary bodies decode as the current decoder decodes them", () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const text = ordinaryBody(seed);
    const expected = JSON.stringify(decodeOld(text));
    assert.equal(JSON.stringify(decodePushJson(text)), expected, text);
    assert.equal(JSON.stringify(decodePushJson(bytes(text))), expected, text);
    const sliced = run(bytes(text), { sliceBytes: 16 });
    assert.ok(sliced.ok);
    assert.equal(JSON.stringify(sliced.request), expected, `sliced: ${text}`);
  }
});

test("benchmark bodies decode as the current decoder decodes them", () => {
  for (const kind of ["typical", "escapes", "non-ascii", "small-streams"] as const) {
    const { body, entries } = makeBody(kind, 256 * 1024, 7);
    const req = decodePushJson(body);
    assert.equal(req.streams.reduce((n, s) => n + s.entries.length, 0), entries);
    assert.equal(JSON.stringify(req), JSON.stringify(decodeOld(textDecoder.decode(body))));
  }
});

test("every JSON escape in a line, a label value and metadata", () => {
  const escaped = String.raw`q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20ac\ud83d\ude00 \u0000\u001F`;
  const text = oneStream(
    `{"a":"${escaped}"}`,
    `[["1","${escaped}",{"k\\n":"${escaped}"}],["2","${escaped}"]]`,
  );
  const expected = 'q" b\\ s/ \b\f\n\r\t Aé€😀 \u0000\u001f';
  const req = decodePushJson(text);
  assert.deepEqual(req.streams[0].entries.map((e) => e.line), [expected, expected]);
  assert.deepEqual(req.streams[0].entries[0].metadata, [{ name: "k\n", value: expected }]);
  assert.equal(JSON.stringify(req), JSON.stringify(decodeOld(text)));
});

// ---------------------------------------------------------------------------------------------
// Lines stay bytes.

test("a line without escapes points into the body; one with escapes is unescaped once", () => {
  const body = bytes(oneEntry('["1","plain é"],["2","a\\nb"],["3",""],["4","x",{"k":"v"}]'));
  const entries = ok(body).streams[0].entries as WireEntry[];
  assert.ok(entries.every((e) => e instanceof WireEntry));
  assert.equal(entries[0].source, body);
  assert.equal(
    textDecoder.decode(body.subarray(entries[0].lineStart, entries[0].lineEnd)),
    "plain é",
  );
  assert.equal(entries[0].size, 8);
  assert.notEqual(entries[1].source, body);
  assert.equal(entries[1].line, "a\nb");
  assert.equal(entries[1].size, 3);
  assert.equal(entries[2].line, "");
  // With metadata: line and metadata (protobuf fields) together in one chunk.
  assert.notEqual(entries[3].source, body);
  assert.equal(entries[3].metaStart, entries[3].lineEnd);
  assert.deepEqual(
    [...entries[3].source.subarray(entries[3].metaStart, entries[3].metaEnd)],
    [0x1a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76],
  );
  assert.equal(entries[3].size, 3);
  assert.deepEqual(entries[3].metadata, [{ name: "k", value: "v" }]);
});

test("invalid UTF-8 in lines and metadata is kept as sent; in labels it reads as U+FFFD", () => {
  const head = bytes('{"streams":[{"stream":{"a":"x');
  const mid = bytes('"},"values":[["1","l');
  const mid2 = bytes('",{"k":"v');
  const tail = bytes('"}]]}]}');
  const bad = [0xff, 0xc3];
  const body = new Uint8Array([...head, ...bad, ...mid, ...bad, ...mid2, ...bad, ...tail]);
  const req = ok(body);
  assert.equal(req.streams[0].labels, '{a="x\ufffd\ufffd"}');
  const e = req.streams[0].entries[0] as WireEntry;
  assert.deepEqual([...e.source.subarray(e.lineStart, e.lineEnd)], [0x6c, 0xff, 0xc3]);
  assert.equal(e.size, 3 + 1 + 3);
  const meta = e.source.subarray(e.metaStart, e.metaEnd);
  assert.deepEqual([...meta.subarray(meta.length - 3)], [0x76, 0xff, 0xc3]);
});

test("empty, unescaped and escaped metadata names and values become protobuf fields", () => {
  const req = ok(oneEntry('["1","x",{"":"v","k":"","k\\u00e9":"v\\"w","dup":"1","dup":"2"}]'));
  const e = req.streams[0].entries[0] as WireEntry;
  assert.deepEqual(e.metadata, [
    { name: "", value: "v" },
    { name: "k", value: "" },
    { name: "ké", value: 'v"w' },
    { name: "dup", value: "1" },
    { name: "dup", value: "2" },
  ]);
  assert.equal(e.size, 1 + 1 + 1 + 3 + 3 + 3 + 1 + 3 + 1);
});

// ---------------------------------------------------------------------------------------------
// Fidelity with Alloy (grafana/alloy loki.source.api: json-iterator + grafana/jsonparser).

test("a label value that is not a string keeps its JSON text as sent", () => {
  assert.deepEqual(
    labelsOf(
      oneStream(
        '{"n":1.50,"e":1E+5,"z":-0,"o":{ "a" : "b" },"l":[1, 2 ],"t":true,"f":false,"u":null}',
      ),
    ),
    ['{e="1E+5", f="false", l="[1, 2 ]", n="1.50", o="{ \\"a\\" : \\"b\\" }", t="true", u="null", z="-0"}'],
  );
});

test("Loki's own unmarshal tests (pkg/util/unmarshal/unmarshal_test.go)", () => {
  const values = '[[ "123456789012345", "super line" ]]';
  const base = (extra: string) =>
    `{"streams":[{"stream":{"test":"test"${extra}},"values":${values}}]}`;
  assert.deepEqual(plain(ok(base(""))), {
    streams: [{
      labels: '{test="test"}',
      entries: [{ seconds: 123456, nanos: 789012345, line: "super line" }],
    }],
  });
  assert.deepEqual(labelsOf(base(',"number":123')), ['{number="123", test="test"}']);
  refused(base(',"text":None'), "invalid", /unexpected 'N'/);
  assert.deepEqual(labelsOf(base(',"text":{ "a": "b" }')), [
    '{test="test", text="{ \\"a\\": \\"b\\" }"}',
  ]);
});

test("jsonparser unescapes the text of a non-string label value", () => {
  assert.deepEqual(labelsOf(oneStream('{"o":{"k":"x\\"y\\u00e9\\n"}}')), [
    '{o="{\\"k\\":\\"x\\"y\u00e9\\n\\"}"}',
  ]);
  refused(oneStream('{"o":["\\ud800"]}'), "invalid", /streams\[0\]\.stream: invalid escape/);
});

test("duplicate label names: the last wins; names sort by bytes", () => {
  assert.deepEqual(labelsOf(oneStream('{"b":"1","a":"2","b":"3","B":"4","é":"5"}')), [
    '{B="4", a="2", b="3", é="5"}',
  ]);
  assert.deepEqual(labelsOf(oneStream('{"é":"1","e":"2","é":"3"}')), ['{e="2", é="3"}']);
});

test("label names are unescaped twice, as Alloy does", () => {
  assert.deepEqual(labelsOf(oneStream('{"\\\\u0061pp":"x"}')), ['{app="x"}']);
  refused(oneStream('{"a\\\\":"x"}'), "invalid", /label name "a\\\\" has an invalid escape/);
});

test("structured metadata keeps document order and duplicates", () => {
  const req = ok(oneEntry('["1","x",{"b":"1","a":"2","1":"3","b":"4","__proto__":"5"}]'));
  assert.deepEqual(req.streams[0].entries[0].metadata, [
    { name: "b", value: "1" },
    { name: "a", value: "2" },
    { name: "1", value: "3" },
    { name: "b", value: "4" },
    { name: "__proto__", value: "5" },
  ]);
});

test('"streams" matches in any ASCII case and through escapes; "stream"/"values" exactly', () => {
  const values = '[["1","x"]]';
  for (
    const key of ["streams", "Streams", "STREAMS", "sTrEaMs", "str\\u0065ams", "STR\\u0045AMS"]
  ) {
    assert.deepEqual(linesOf(`{"${key}":[{"values":${values}}]}`), ["x"], key);
  }
  for (const key of ["streams ", "ſtreams", "stream"]) {
    assert.deepEqual(linesOf(`{"${key}":[{"values":${values}}]}`), [], key);
  }
  assert.deepEqual(linesOf(`{"streams":[{"Values":${values}}]}`), []);
  assert.deepEqual(labelsOf(`{"streams":[{"Stream":{"a":"1"}}]}`), ["{}"]);
  assert.deepEqual(labelsOf(`{"streams":[{"str\\u0065am":{"a":"1"}}]}`), ['{a="1"}']);
  assert.deepEqual(linesOf(`{"streams":[{"v\\u0061lues":${values}}]}`), ["x"]);
});

test("duplicate stream and values keys: the last wins, and values null keeps what was there", () => {
  const r = ok(
    '{"streams":[{"stream":{"a":"1"},"values":[["1","x"]],"stream":{"b":"2"},"values":[["2","y"]]}]}',
  );
  assert.equal(r.streams[0].labels, '{b="2"}');
  assert.deepEqual(r.streams[0].entries.map((e) => e.line), ["y"]);
  assert.deepEqual(linesOf('{"streams":[{"values":[["1","x"]],"values":null}]}'), ["x"]);
  assert.deepEqual(linesOf('{"streams":[{"values":[["1","x"]],"values":[]}]}'), []);
});

test("a repeated streams array decodes over the earlier one, as json-iterator does", () => {
  const a = '{"stream":{"a":"1"},"values":[["1","a1"]]}';
  const b = '{"stream":{"b":"2"},"values":[["2","b2"]]}';
  const c = '{"stream":{"c":"3"},"values":[["3","c3"]]}';
  // Element 0 keeps a's values, takes the new labels; element 1 is new.
  let r = ok(`{"streams":[${a}],"streams":[{"stream":{"x":"9"}},${b}]}`);
  assert.deepEqual(r.streams.map((s) => [s.labels, s.entries.map((e) => e.line)]), [
    ['{x="9"}', ["a1"]],
    ['{b="2"}', ["b2"]],
  ]);
  // A shorter array ends the request there, but what lay beyond comes back when it grows again.
  r = ok(`{"streams":[${a},${b},${c}],"streams":[{}],"streams":[{},{},{"values":null}]}`);
  assert.deepEqual(r.streams.map((s) => [s.labels, s.entries.map((e) => e.line)]), [
    ['{a="1"}', ["a1"]],
    ['{b="2"}', ["b2"]],
    ['{c="3"}', ["c3"]],
  ]);
  // [] and null start afresh.
  for (const reset of ["[]", "null"]) {
    r = ok(`{"streams":[${a}],"streams":${reset},"streams":[{}]}`);
    assert.deepEqual(plain(r), { streams: [{ labels: "{}", entries: [] }] }, reset);
  }
  assert.deepEqual(plain(ok(`{"streams":[${a}],"streams":[]}`)), { streams: [] });
});

test("entries of every length", () => {
  const r = ok(oneEntry('[],["5"],["6","x"],["7","y",{}],["8","z",{"k":"v"},1,{"a":[null]},"w"]'));
  assert.deepEqual(plain(r).streams[0].entries, [
    { seconds: -62135596800, nanos: 0, line: "" },
    { seconds: 0, nanos: 5, line: "" },
    { seconds: 0, nanos: 6, line: "x" },
    { seconds: 0, nanos: 7, line: "y" },
    { seconds: 0, nanos: 8, line: "z", metadata: [{ name: "k", value: "v" }] },
  ]);
});

test("null in every position", () => {
  assert.deepEqual(plain(ok("null")), { streams: [] });
  assert.deepEqual(plain(ok(" {} ")), { streams: [] });
  assert.deepEqual(plain(ok('{"streams":null}')), { streams: [] });
  refused('{"streams":[null]}', "invalid", /^streams\[0\] must be an object$/);
  refused('{"streams":[{"stream":null}]}', "invalid", /^streams\[0\]\.stream must be an object$/);
  assert.deepEqual(plain(ok('{"streams":[{"values":null}]}')), {
    streams: [{ labels: "{}", entries: [] }],
  });
  assert.deepEqual(linesOf(oneEntry('null,["1","x"],null')), ["x"]);
  refused(oneEntry("[null]"), "invalid", /values\[0\]\[0\]: timestamp must be a string/);
  refused(oneEntry('["1",null]'), "invalid", /values\[0\]\[1\]: line must be a string/);
  refused(
    oneEntry('["1","x",null]'),
    "invalid",
    /values\[0\]\[2\]: structured metadata must be an object/,
  );
  refused(
    oneEntry('["1","x",{"k":null}]'),
    "invalid",
    /\[2\]\.k: structured metadata value must be a string/,
  );
  assert.deepEqual(labelsOf(oneStream('{"a":null}')), ['{a="null"}']);
  assert.deepEqual(linesOf(oneEntry('["1","x",{},null]')), ["x"]);
  assert.deepEqual(linesOf('{"other":null,"streams":[{"x":null,"values":[["1","x"]]}]}'), ["x"]);
});

test("timestamps are strings read as jsonparser's ParseInt reads them", () => {
  const ts = (t: string) => plain(ok(oneEntry(`["${t}"]`))).streams[0].entries[0];
  assert.deepEqual(ts("0"), { seconds: 0, nanos: 0, line: "" });
  assert.deepEqual(ts("-"), { seconds: 0, nanos: 0, line: "" });
  assert.deepEqual(ts("-0"), { seconds: 0, nanos: 0, line: "" });
  assert.deepEqual(ts("-1"), { seconds: -1, nanos: 999999999, line: "" });
  assert.deepEqual(ts("-1000000000"), { seconds: -1, nanos: 0, line: "" });
  assert.deepEqual(ts("1700000000123456789"), { seconds: 1700000000, nanos: 123456789, line: "" });
  assert.deepEqual(ts("9223372036854775807"), { seconds: 9223372036, nanos: 854775807, line: "" });
  assert.deepEqual(ts("-9223372036854775808"), {
    seconds: -9223372037,
    nanos: 145224192,
    line: "",
  });
  for (const bad of ["", "00", "01", "-01", "+1", " 1", "1 ", "1.5", "1e9", "0x1", "\\u0031"]) {
    refused(oneEntry(`["${bad}"]`), "invalid", /timestamp ".*" is not an integer count/, undefined);
  }
  for (const bad of ["9223372036854775808", "-9223372036854775809", "99999999999999999999"]) {
    refused(oneEntry(`["${bad}"]`), "invalid", new RegExp(`timestamp "${bad}"`));
  }
  for (const bad of ["1", "1.5", "true", "{}", "[]"]) {
    refused(oneEntry(`[${bad},"x"]`), "invalid", /values\[0\]\[0\]: timestamp must be a string/);
  }
});

test("the body: EOF when empty, an object or null, nothing after it, no byte order mark", () => {
  refused("", "invalid", /^EOF$/);
  refused(" \n\t ", "invalid", /^EOF$/);
  for (const body of ["[1]", '"x"', "1", "true"]) {
    refused(body, "invalid", /^push body must be a JSON object with "streams"$/);
  }
  refused(
    '{"streams":[]} x',
    "invalid",
    /^invalid JSON: unexpected 'x' after the top-level value at offset 15$/,
  );
  refused("null null", "invalid", /after the top-level value/);
  refused("{}{}", "invalid", /after the top-level value/);
  refused(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("{}")]), "invalid", /byte order mark/);
  assert.deepEqual(plain(ok(' \r\n\t{"streams" : [ ] }\n')), { streams: [] });
  refused('{"streams":{}}', "invalid", /^"streams" must be an array$/);
  refused('{"streams":[{"values":{}}]}', "invalid", /^streams\[0\]\.values must be an array$/);
  refused('{"streams":[{"values":[1]}]}', "invalid", /values\[0\] must be an array/);
});

test("escapes as jsonparser resolves them: surrogates must pair", () => {
  const line = (escaped: string) => linesOf(oneEntry(`["1","${escaped}"]`))[0];
  assert.equal(line("\\ud83d\\ude00"), "😀");
  assert.equal(line("\\uD83D\\uDE00"), "😀");
  assert.equal(line("\\udbff\\udfff"), "\u{10ffff}");
  // jsonparser takes any second escape from DC00 up as the low half, and does not check its "\u".
  assert.equal(line("\\ud800\\ue000"), "\u{10400}");
  assert.equal(line("\\ud800xxdc00"), "\u{10000}");
  assert.equal(line("\\udc00\\udc00"), "\ufffd");
  for (
    const bad of ["\\ud800", "\\ud800x", "\\udc00", "\\ud800\\u0041", "\\ud800\\ud800", "a\\udfff"]
  ) {
    refused(
      oneEntry(`["1","${bad}"]`),
      "invalid",
      /values\[0\]\[1\]: invalid escape "\\\\u/,
      undefined,
    );
  }
  refused(oneEntry('["1","x",{"k":"\\ud800"}]'), "invalid", /\[2\]: invalid escape/);
  refused(oneEntry('["1","x",{"\\ud800":"v"}]'), "invalid", /\[2\]: invalid escape/);
  refused(oneStream('{"a":"\\ud800"}'), "invalid", /stream: invalid escape/);
  refused('{"streams":[{"\\ud800":1}]}', "invalid", /streams\[0\]: invalid escape/);
  // Where Alloy does not unescape (unknown fields), a lone surrogate is fine.
  assert.deepEqual(linesOf('{"x":"\\ud800","streams":[{"y":["\\udc00"],"values":[["1","ok"]]}]}'), [
    "ok",
  ]);
  assert.deepEqual(linesOf(oneEntry('["1","x",{},"\\ud800"]')), ["x"]);
});

test("strict JSON: what Alloy's readers let through by accident is refused", () => {
  refused(oneEntry('["1","a\tb"]'), "invalid", /control character byte 0x09 in string/);
  refused(oneEntry('["1","a\\x"]'), "invalid", /invalid escape "\\\\x"/);
  refused(oneEntry('["1","a\\u12"]'), "invalid", /invalid escape/);
  refused('{"x":01}', "invalid", /malformed number|unexpected/);
  refused('{"x":1.}', "invalid", /malformed number/);
  refused('{"x":-}', "invalid", /malformed number/);
  refused('{"x":1e}', "invalid", /malformed number/);
  refused('{"x":nul}', "invalid", /unexpected/);
  refused('{"x":[1,]}', "invalid", /unexpected '\]'/);
  refused('{"x":1,}', "invalid", /unexpected '\}'/);
  refused("{'x':1}", "invalid", /unexpected '''/);
});

test("the route's error messages", () => {
  const cases: [string, RegExp][] = [
    ["{", /^invalid JSON/],
    ["", /^EOF$/],
    ['{"streams":[{"stream":{"a":"1"},"values":[[1,"x"]]}]}', /timestamp/],
    ['{"streams":[{"stream":{"a":"1"},"values":[["1.5","x"]]}]}', /"1\.5"/],
    ['{"streams":[{"stream":{"a":"1"},"values":[["1",7]]}]}', /line/],
    ['{"streams":[{"stream":{"a":"1"},"values":[["1","x",{"k":1}]]}]}', /metadata/],
    ['{"streams":[{"stream":"a","values":[]}]}', /stream must be an object/],
    ["[1]", /JSON object/],
  ];
  for (const [body, pattern] of cases) {
    assert.throws(() => decodePushJson(body), (err: Error) => {
      assert.equal(err.name, "SyntaxError");
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Limits.

function entriesBody(streams: number, perStream: number, line = "x"): string {
  const s = Array.from(
    { length: streams },
    (_, i) =>
      `{"stream":{"i":"${i}"},"values":[${
        Array.from({ length: perStream }, (_, k) => `["${k}","${line}"]`).join(",")
      }]}`,
  );
  return `{"streams":[${s.join(",")}]}`;
}

test("maxStreams", () => {
  ok(entriesBody(3, 1), { limits: { maxStreams: 3 } });
  refused(
    entriesBody(4, 1),
    "too_large",
    /^the request has more than 3 streams \(request_limits\.max_streams\)$/,
    {
      limits: { maxStreams: 3 },
    },
  );
});

test("maxEntries counts the whole request, not null entries", () => {
  ok(entriesBody(2, 3), { limits: { maxEntries: 6 } });
  ok(oneEntry('["1","x"],null,null,["2","y"]'), { limits: { maxEntries: 2 } });
  refused(entriesBody(2, 3), "too_large", /more than 5 entries \(request_limits\.max_entries\)/, {
    limits: { maxEntries: 5 },
  });
});

test("maxLabelsPerStream counts keys, duplicates included", () => {
  const labels = (n: number) =>
    oneStream(`{${Array.from({ length: n }, (_, k) => `"l${k}":"v"`).join(",")}}`);
  ok(labels(15), { limits: { maxLabelsPerStream: 15 } });
  refused(
    labels(16),
    "too_large",
    /^streams\[0\]\.stream has more than 15 labels \(maxLabelsPerStream\)$/,
    {
      limits: { maxLabelsPerStream: 15 },
    },
  );
  refused(oneStream('{"a":"1","a":"2"}'), "too_large", /more than 1 labels/, {
    limits: { maxLabelsPerStream: 1 },
  });
});

test("maxLabelBytes bounds the label string as built", () => {
  // {a="1", bb="22"} is 16 bytes.
  const body = oneStream('{"bb":"22","a":"1"}');
  assert.equal(ok(body, { limits: { maxLabelBytes: 16 } }).streams[0].labels, '{a="1", bb="22"}');
  refused(
    body,
    "too_large",
    /^streams\[0\]\.stream: label string longer than 15 bytes \(request_limits\.max_label_bytes\)$/,
    {
      limits: { maxLabelBytes: 15 },
    },
  );
  // Quoting counts: {q="\""} is 8 bytes; non-ASCII counts its UTF-8 bytes: {é="€"} is 10.
  ok(oneStream('{"q":"\\""}'), { limits: { maxLabelBytes: 8 } });
  refused(oneStream('{"q":"\\""}'), "too_large", /max_label_bytes/, {
    limits: { maxLabelBytes: 7 },
  });
  ok(oneStream('{"é":"€"}'), { limits: { maxLabelBytes: 10 } });
  refused(oneStream('{"é":"€"}'), "too_large", /max_label_bytes/, { limits: { maxLabelBytes: 9 } });
  // A huge value is refused before it is decoded.
  const huge = oneStream(`{"a":"${"x".repeat(1 << 20)}"}`);
  refused(huge, "too_large", /max_label_bytes/, { limits: { maxLabelBytes: 1024 } });
});

test("maxMetadataPairs is per entry", () => {
  const entry = (n: number) =>
    oneEntry(
      `["1","x",{${
        Array.from({ length: n }, (_, k) => `"k${k}":"v"`).join(",")
      }}],["2","y",{"a":"b"}]`,
    );
  ok(entry(3), { limits: { maxMetadataPairs: 3 } });
  refused(
    entry(4),
    "too_large",
    /^streams\[0\]\.values\[0\]\[2\] has more than 3 structured metadata pairs \(maxMetadataPairs\)$/,
    {
      limits: { maxMetadataPairs: 3 },
    },
  );
});

test("maxKeys bounds every other object", () => {
  const keys = (n: number) => Array.from({ length: n }, (_, k) => `"k${k}":1`).join(",");
  ok(`{${keys(3)}}`, { limits: { maxKeys: 3 } });
  refused(
    `{${keys(4)}}`,
    "too_large",
    /^the push body has more than 3 keys at offset \d+ \(maxKeys 3\)$/,
    {
      limits: { maxKeys: 3 },
    },
  );
  ok(`{"streams":[{${keys(2)},"values":[]}]}`, { limits: { maxKeys: 3 } });
  refused(
    `{"streams":[{${keys(3)},"values":[]}]}`,
    "too_large",
    /streams\[0\] has more than 3 keys/,
    {
      limits: { maxKeys: 3 },
    },
  );
  ok(oneStream(`{"a":{${keys(3)}}}`), { limits: { maxKeys: 3 } });
  refused(oneStream(`{"a":{${keys(4)}}}`), "too_large", /an object has more than 3 keys/, {
    limits: { maxKeys: 3 },
  });
  refused(`{"x":[{"y":{${keys(4)}}}]}`, "too_large", /maxKeys/, { limits: { maxKeys: 3 } });
});

test("maxDepth bounds nesting everywhere", () => {
  // The label object is at depth 4, so a label value [[1]] reaches 6.
  ok(oneStream('{"a":[[1]]}'), { limits: { maxDepth: 6 } });
  refused(
    oneStream('{"a":[[[1]]]}'),
    "too_large",
    /^nesting deeper than 6 levels at offset \d+ \(request_limits\.max_json_depth\)$/,
    {
      limits: { maxDepth: 6 },
    },
  );
  // A push with metadata needs 6.
  ok(oneEntry('["1","x",{"k":"v"}]'), { limits: { maxDepth: 6 } });
  refused(oneEntry('["1","x",{"k":"v"}]'), "too_large", /max_json_depth/, {
    limits: { maxDepth: 5 },
  });
  ok('{"x":[[[[1]]]]}', { limits: { maxDepth: 5 } });
  refused('{"x":[[[[[1]]]]]}', "too_large", /max_json_depth/, { limits: { maxDepth: 5 } });
  // The default is 1000.
  ok(`{"x":${"[".repeat(999)}${"]".repeat(999)}}`);
  refused(`{"x":${"[".repeat(1000)}${"]".repeat(1000)}}`, "too_large", /max_json_depth/);
});

test("the accounting hook is called in batches and can refuse", () => {
  const calls: number[] = [];
  const body = entriesBody(3, 400, "abcd");
  const result = run(bytes(body), {
    account: (n) => {
      calls.push(n);
      return true;
    },
    entryOverhead: 10,
    streamOverhead: 100,
    pairOverhead: 1,
  });
  assert.ok(result.ok);
  const total = calls.reduce((a, b) => a + b, 0);
  // 1200 entries of 10 + 4 bytes; 3 streams of 100 + 7 bytes ({i="0"}).
  assert.equal(total, 1200 * 14 + 3 * 107);
  assert.equal(result.ok && result.decodedBytes, total);
  assert.ok(calls.length >= 4 && calls.length <= 6, `${calls.length} calls`);
  // Metadata counts too.
  const meta = run(bytes(oneEntry('["1","ab",{"k":"vv","k2":"v"}]')), {
    account: () => true,
    entryOverhead: 0,
    pairOverhead: 5,
    streamOverhead: 0,
  });
  assert.ok(meta.ok);
  assert.equal(meta.ok && meta.decodedBytes, 2 + 3 + 3 + 2 * 5 + 7);

  let seen = 0;
  const busy = run(bytes(body), {
    account: (n) => {
      seen += n;
      return seen > 2000 ? { failure: "busy", error: "the relay holds too much already" } : true;
    },
  });
  assert.deepEqual({ ...busy, yields: 0 }, {
    ok: false,
    failure: "busy",
    error: "the relay holds too much already",
    yields: 0,
  });
  const large = run(bytes(body), {
    account: () => ({ failure: "too_large", error: "too much" }),
  });
  assert.equal(!large.ok && large.failure, "too_large");
  // The synchronous API throws a RangeError for refusals that are not about the body's syntax.
  assert.throws(
    () => decodePushJson(body, { limits: { maxEntries: 1 } }),
    (err: Error) => err instanceof RangeError && /max_entries/.test(err.message),
  );
});

// ---------------------------------------------------------------------------------------------
// Adversarial bodies.

function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}

test("1,000,000 labels in one stream are refused quickly with bounded memory", () => {
  const parts: string[] = [];
  for (let k = 0; k < 1_000_000; k++) parts.push(`"l${k}":"v"`);
  const body = bytes(oneStream(`{${parts.join(",")}}`, '[["1","x"]]'));
  assert.ok(body.length > 13 * 1000 * 1000);
  const before = heapUsed();
  // Refused where the limit is passed, not after reading the rest: no slice boundary is reached
  // (a full read of the 13 MB body in 64 KiB slices yields about 200 times).
  const slice = { sliceBytes: 64 * 1024 };
  for (
    const [pattern, limits] of [
      [/more than 15 labels/, { maxLabelsPerStream: 15 }],
      [/max_label_bytes/, { maxLabelBytes: 4096 }],
    ] as const
  ) {
    const r = run(body, { ...slice, limits });
    assert.ok(!r.ok && pattern.test(r.error) && r.failure === "too_large");
    assert.equal(r.yields, 0);
  }
  assert.ok(heapUsed() - before < 8 << 20, `${(heapUsed() - before) >> 20} MiB`);
  // Without limits it decodes (the label string is built once, from bytes).
  const req = ok(body);
  // "{" + Σ(name + `="v"`) + ", " between + "}": names l0…l999999 have 6,888,890 characters.
  assert.equal(req.streams[0].labels.length, 2 + 6_888_890 + 4_000_000 + 2 * 999_999);
});

test("nesting 100,000 levels is refused at once", () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  for (
    const body of [`{"x":${deep}}`, oneStream(`{"a":${deep}}`), oneEntry(`["1","x",{},${deep}]`)]
  ) {
    refused(body, "too_large", /nesting deeper than 1000 levels/);
    // At once: within the first slices of 1 KiB, not after reading the 200 KB.
    assert.ok(run(bytes(body), { sliceBytes: 1024 }).yields <= 2);
  }
  refused("[".repeat(100_000), "invalid", /push body must be a JSON object/);
});

test("millions of empty entries are bounded by maxEntries and by the accounting hook", () => {
  const body = bytes(oneStream("{}", `[${"[],".repeat(3_000_000)}[]]`));
  // Refused once the limit is passed: 100,000 entries are 300 KB of the 9 MB body, so a read in
  // 64 KiB slices stops after about 5 of its 140 slices.
  const slice = 64 * 1024;
  const byCount = run(body, { sliceBytes: slice, limits: { maxEntries: 100_000 } });
  assert.ok(!byCount.ok && /more than 100000 entries/.test(byCount.error));
  assert.ok(byCount.yields <= 6, `${byCount.yields} yields of ${body.length / slice}`);
  let accounted = 0;
  const byBudget = run(body, {
    sliceBytes: slice,
    account: (n) =>
      (accounted += n) > 1 << 20 ? { failure: "too_large", error: "over budget" } : true,
  });
  assert.ok(!byBudget.ok && byBudget.error === "over budget");
  assert.ok(accounted < (1 << 20) + 256 * 64 + 1024);
  assert.ok(byBudget.yields < body.length / slice / 4, `${byBudget.yields} yields`);
});

test("a 13 MiB body decodes in slices, each a slice long, to what the one-go decode gives", () => {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let seed = 1; size < 13 << 20; seed++) {
    const { body } = makeBody(seed % 2 ? "typical" : "escapes", 1 << 20, seed);
    parts.push(body);
    size += body.length;
  }
  // Merge the streams of all parts into one body.
  const inner = parts.map((p) => textDecoder.decode(p).slice('{"streams":['.length, -2));
  const body = bytes(`{"streams":[${inner.join(",")}]}`);
  const whole = decodePushJson(body);
  const sliced = run(body, { sliceBytes: 256 * 1024 });
  assert.ok(sliced.ok);
  assert.ok(sliced.yields >= 0.8 * body.length / (256 * 1024), `${sliced.yields} yields`);
  assert.equal(JSON.stringify(sliced.ok && sliced.request), JSON.stringify(whole));
});

test("long strings and unknown values are scanned across slices", () => {
  const long = "x".repeat(100_000);
  const escaped = "a\\n".repeat(30_000);
  const body = bytes(
    `{"pad":"${long}","deep":[${"[1,".repeat(200)}2${
      "]".repeat(200)
    }],"streams":[{"stream":{"a":"${long}"},` +
      `"values":[["1","${long}",{"k":"${escaped}"}],["2","${escaped}"],["3","x",{},"${long}"],` +
      `["4","y",{},{"big":[${"1,".repeat(5000)}1]},[${long.length}]]]}]}`,
  );
  const whole = decodePushJson(body);
  const sliced = run(body, { sliceBytes: 1000 });
  assert.ok(sliced.ok);
  assert.ok(sliced.yields > 0.8 * body.length / 1000, `${sliced.yields} yields`);
  assert.equal(JSON.stringify(sliced.ok && sliced.request), JSON.stringify(whole));
  assert.equal(whole.streams[0].entries[1].line, "a\n".repeat(30_000));
  assert.deepEqual(whole.streams[0].entries.map((e) => e.line.length), [100_000, 60_000, 1, 1]);
});

test("a body cut at any byte is refused as invalid, never thrown", () => {
  const text = oneStream(
    '{"a":"1","b":{"x":[1.5e3,true,null]}}',
    '[["1","l\\u00e9\\n",{"k":"v"}],null,["-5","😀"],[]]',
  );
  const body = bytes(text);
  ok(body);
  for (let cut = 0; cut < body.length; cut++) {
    for (const sliceBytes of [undefined, 16]) {
      const result = run(body.subarray(0, cut), { sliceBytes });
      assert.equal(result.ok, false, `cut at ${cut}`);
      assert.equal(!result.ok && result.failure, "invalid");
    }
    assert.throws(() => decodePushJson(body.subarray(0, cut)), SyntaxError);
  }
});

test("random mutations never throw, hang or accept what is not JSON", () => {
  const rnd = random(42);
  const alphabet = bytes('{}[]",:\\/u0123456789abcdefnrtlsE+-. \n\t\x01\xff');
  for (let round = 0; round < 4000; round++) {
    const base = bytes(ordinaryBody(1 + (round % 300)));
    const body = new Uint8Array(base);
    const edits = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < edits && body.length > 0; k++) {
      body[Math.floor(rnd() * body.length)] = rnd() < 0.5
        ? alphabet[Math.floor(rnd() * alphabet.length)]
        : Math.floor(rnd() * 256);
    }
    const cut = rnd() < 0.2 ? Math.floor(rnd() * body.length) : body.length;
    const input = body.subarray(0, cut);
    const result = run(input, { sliceBytes: rnd() < 0.5 ? 16 : undefined });
    const text = textDecoder.decode(input);
    let parsed = true;
    try {
      JSON.parse(text);
    } catch {
      parsed = false;
    }
    if (result.ok) assert.ok(parsed, `accepted what JSON.parse refuses: ${text}`);
    else {
      assert.ok(["invalid", "too_large", "busy"].includes(result.failure));
      assert.ok(!result.error.includes("\n"));
    }
  }
});

test("huge entries are read in linear time when sliced (no entry is read more than twice)", () => {
  const pairs = Array.from({ length: 200_000 }, (_, k) => `"k${k}":"v${k}"`).join(",");
  const extras = "[],".repeat(300_000);
  const body = bytes(oneEntry(`["1","x",{${pairs}}],["2","y",{},${extras}"z"],["3","w"]`));
  // Linear: sliced reads take about what one read takes (best of 3 each, back to back); a read
  // that went back to an entry's start at every slice would take hundreds of times longer.
  const best = (f: () => void) => {
    let ms = Infinity;
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      f();
      ms = Math.min(ms, performance.now() - t);
    }
    return ms;
  };
  const once = best(() => decodePushJson(body));
  for (const sliceBytes of [1024, 64 * 1024]) {
    const sliced = best(() => run(body, { sliceBytes }));
    assert.ok(sliced < 5 * once + 20, `sliced by ${sliceBytes}: ${sliced} ms; whole: ${once} ms`);
    const result = run(body, { sliceBytes });
    assert.ok(result.ok);
    const entries = result.ok ? result.request.streams[0].entries : [];
    assert.deepEqual(entries.map((e) => e.line), ["x", "y", "w"]);
    assert.equal(entries[0].metadata?.length, 200_000);
    assert.deepEqual(entries[0].metadata?.[199_999], { name: "k199999", value: "v199999" });
  }
});

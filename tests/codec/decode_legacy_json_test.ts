import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeLegacyJsonSteps,
  type LegacyDecodeOptions,
} from "../../src/codec/decode_legacy_json.ts";
import type { DecodeResult } from "../../src/codec/decode_result.ts";
import { GO_ZERO_TIME_SECONDS } from "../../src/codec/timestamp.ts";
import { WireEntry } from "../../src/codec/wire_entry.ts";
import type { PushRequest } from "../../src/types.ts";

const encoder = new TextEncoder();

/** Runs the generator to the end, counting its yields. */
function run(
  body: string | Uint8Array,
  options?: LegacyDecodeOptions,
): DecodeResult & { yields: number } {
  const steps = decodeLegacyJsonSteps(
    typeof body === "string" ? encoder.encode(body) : body,
    options,
  );
  let yields = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) yields++;
  return { ...step.value, yields };
}

function ok(body: string | Uint8Array, options?: LegacyDecodeOptions): PushRequest {
  const result = run(body, options);
  if (!result.ok) assert.fail(`refused: ${result.error}`);
  return result.request;
}

function refused(
  body: string | Uint8Array,
  failure: "invalid" | "too_large" | "busy",
  pattern: RegExp,
  options?: LegacyDecodeOptions,
): string {
  const result = run(body, options);
  assert.equal(result.ok, false, `accepted: ${typeof body === "string" ? body : "(bytes)"}`);
  if (result.ok) throw new Error("unreachable");
  assert.equal(result.failure, failure, result.error);
  assert.match(result.error, pattern);
  assert.ok(!result.error.includes("\n"), "one line");
  return result.error;
}

/** The request as plain data (what `JSON.stringify` writes of it). */
function plain(req: PushRequest) {
  return JSON.parse(JSON.stringify(req)) as {
    streams: { labels: string; entries: Record<string, unknown>[] }[];
  };
}

/** A body of one stream holding these entry texts. */
const oneStream = (entries: string, labels = '"{app=\\"a\\"}"') =>
  `{"streams":[{"labels":${labels},"entries":[${entries}]}]}`;

test("Loki's documented example and the body loki-logger-ts sends", () => {
  assert.deepEqual(
    plain(ok(
      '{"streams":[{"labels":"{foo=\\"bar\\"}","entries":[{"ts":"2018-12-18T08:28:06.801064-04:00","line":"baz"}]}]}',
    )),
    {
      streams: [{
        labels: '{foo="bar"}',
        entries: [{ seconds: 1545136086, nanos: 801064000, line: "baz" }],
      }],
    },
  );
  // loki-logger-ts 1.0.2: one entry per request, labels joined with "," and not escaped, the
  // time from Date.prototype.toISOString().
  const labels = { source: "TestSource", job: "TestJob", host: "TestHost" };
  const body = JSON.stringify({
    streams: [{
      labels: `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`,
      entries: [{ ts: "2024-05-06T07:08:09.123Z", line: "[ERR] Test Message: No Authentication." }],
    }],
  });
  assert.deepEqual(plain(ok(body)), {
    streams: [{
      labels: '{source="TestSource",job="TestJob",host="TestHost"}',
      entries: [{
        seconds: 1714979289,
        nanos: 123000000,
        line: "[ERR] Test Message: No Authentication.",
      }],
    }],
  });
});

test("keys match in any ASCII case, through escapes; unknown keys and format are skipped", () => {
  const req = ok(
    '{"Streams":[{"LABELS":"{a=\\"1\\"}","hash":7,"x":{"y":[1,2,{"z":null}]},"Entries":[' +
      '{"TS":"1970-01-01T00:00:02Z","Line":"l","other":true}]}],"format":"loki","\\u0073treams2":1}',
  );
  assert.deepEqual(plain(req), {
    streams: [{ labels: '{a="1"}', entries: [{ seconds: 2, nanos: 0, line: "l" }] }],
  });
  const escaped = ok('{"\\u0053treams":[{"l\\u0061bels":"{}","entries":[{"line":"x"}]}]}');
  assert.equal(escaped.streams[0].entries[0].line, "x");
});

test("a repeated key replaces what the earlier one gave", () => {
  const req = ok(
    '{"streams":[{"labels":"{a=\\"1\\"}","labels":"{a=\\"2\\"}","entries":[{"line":"x"}],' +
      '"entries":[{"line":"y","line":"z"}]}]}',
  );
  assert.deepEqual(plain(req).streams, [{
    labels: '{a="2"}',
    entries: [{ seconds: GO_ZERO_TIME_SECONDS, nanos: 0, line: "z" }],
  }]);
});

test("null in every position reads as Go reads it into Loki's structs", () => {
  assert.deepEqual(ok("null"), { streams: [] });
  assert.deepEqual(ok('{"streams":null}'), { streams: [] });
  const req = plain(ok(
    '{"streams":[null,{"labels":null,"entries":null},{"labels":"{}","entries":[null,' +
      '{"ts":null,"line":null,"structuredMetadata":null,"parsed":null}]}],"format":null}',
  ));
  const zero = { seconds: GO_ZERO_TIME_SECONDS, nanos: 0, line: "" };
  assert.deepEqual(req.streams, [
    { labels: "", entries: [] },
    { labels: "{}", entries: [zero, zero] },
  ]);
});

test("structured metadata is read as a Go map: the last of repeated names wins, sorted by name", () => {
  const req = ok(oneStream(
    '{"ts":"1970-01-01T00:00:01Z","line":"l","structuredMetadata":' +
      '{"b":"1","__proto__":"p","a":"x","b":"3","10":"t","9":null},"parsed":{"p":"q"}}',
  ));
  const entry = req.streams[0].entries[0];
  assert.deepEqual(entry.metadata, [
    { name: "10", value: "t" },
    { name: "9", value: "" },
    { name: "__proto__", value: "p" },
    { name: "a", value: "x" },
    { name: "b", value: "3" },
  ]);
  assert.equal(entry.line, "l");
  assert.ok(entry instanceof WireEntry);
  assert.equal(entry.size, 1 + 3 + 1 + 10 + 2 + 2);
});

test("lines: kept as the bytes sent without escapes; escapes resolved, bad surrogates U+FFFD", () => {
  const body = new Uint8Array([
    ...encoder.encode('{"streams":[{"labels":"{}","entries":[{"line":"a'),
    0xff, // invalid UTF-8, kept as sent
    ...encoder.encode('b"},{"line":"\\ud83d\\ude00 \\ud800x \\udc00 \\n\\"\\u00e9"}]}]}'),
  ]);
  const [raw, escaped] = ok(body).streams[0].entries as WireEntry[];
  assert.deepEqual([...raw.source.subarray(raw.lineStart, raw.lineEnd)], [0x61, 0xff, 0x62]);
  assert.equal(raw.source, body, "the line points into the body");
  assert.equal(escaped.line, '😀 \ufffdx \ufffd \n"é');
});

test("timestamps are RFC 3339 strings read as Go's time.Time reads JSON", () => {
  const ts = (value: string) => ok(oneStream(`{"ts":${value}}`)).streams[0].entries[0];
  assert.deepEqual(
    [ts('"2024-02-29T23:59:59.123456789123+01:00"')].map((e) => [e.seconds, e.nanos]),
    [[1709247599, 123456789]],
  );
  assert.deepEqual([ts('"1970-01-01T1:00:00,5-00:30"')].map((e) => [e.seconds, e.nanos]), [[
    5400,
    500000000,
  ]]);
  for (
    const bad of [
      '"1545136086"',
      '"2018-12-18 08:28:06Z"',
      '"2018-12-18T08:28:06"',
      '"2023-02-29T00:00:00Z"',
      '"2018-12-18T08:28:06\\u005a"', // Go reads the raw bytes: an escape is not unescaped
      '"2018-12-18T08:28:06+25:00"',
    ]
  ) {
    refused(oneStream(`{"ts":${bad}}`), "invalid", /\.ts: ".*" is not an RFC 3339 time$/);
  }
  refused(
    oneStream('{"ts":1545136086}'),
    "invalid",
    /^streams\[0\]\.entries\[0\]\.ts must be a string$/,
  );
  refused(
    oneStream('{"ts":"0000-01-01T00:00:00+01:00"}'),
    "invalid",
    /is outside the years 0001 to 9999/,
  );
  refused(oneStream(`{"ts":"${"1".repeat(100_000)}"}`), "invalid", /is not an RFC 3339 time/);
});

test("types Loki's structs refuse are refused, naming the field", () => {
  const cases: [string, RegExp][] = [
    ['{"streams":{}}', /^streams must be an array$/],
    ['{"streams":[1]}', /^streams\[0\] must be an object$/],
    ['{"streams":[{"labels":{}}]}', /^streams\[0\]\.labels must be a string$/],
    ['{"streams":[{"entries":{}}]}', /^streams\[0\]\.entries must be an array$/],
    ['{"streams":[{"entries":["x"]}]}', /^streams\[0\]\.entries\[0\] must be an object$/],
    [
      '{"streams":[{"entries":[{"line":1}]}]}',
      /^streams\[0\]\.entries\[0\]\.line must be a string$/,
    ],
    [
      '{"streams":[{"entries":[{"structuredMetadata":[]}]}]}',
      /\.structuredMetadata must be an object$/,
    ],
    [
      '{"streams":[{"entries":[{"structuredMetadata":{"k":1}}]}]}',
      /\.structuredMetadata\["k"\] must be a string$/,
    ],
    ['{"streams":[{"entries":[{"parsed":{"k":true}}]}]}', /\.parsed\["k"\] must be a string$/],
    ['{"format":1}', /^format must be a string$/],
    ["[]", /^push body must be a JSON object with "streams"$/],
    ["", /^EOF$/],
  ];
  for (const [body, pattern] of cases) refused(body, "invalid", pattern);
});

test("a v1 stream on the legacy path is refused naming the v1 path (Loki would drop it silently)", () => {
  refused(
    '{"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]}',
    "invalid",
    /^streams\[0\] is in the v1 JSON format \("stream", "values"\): push it to \/loki\/api\/v1\/push/,
  );
});

test("strict JSON: bytes after the value, bad numbers, raw control characters, bad escapes", () => {
  const cases: [string, RegExp][] = [
    ['{"streams":[]} x', /after the top-level value at offset 15/],
    ['{"streams":[],"x":01}', /malformed number|unexpected/],
    ['{"streams":[],"x":"a\tb"}', /control character byte 0x09 in string/],
    ['{"streams":[],"x":"\\x"}', /invalid escape "\\\\x"/],
    ['{"streams":[],"x":"\\u12g4"}', /invalid escape/],
    ['{"streams":[],"x":tru}', /unexpected/],
    ['{"streams":[],}', /unexpected '}'/],
    ['{"streams" []}', /unexpected '\['/],
  ];
  for (const [body, pattern] of cases) refused(body, "invalid", pattern);
});

test("a body cut at any byte is refused as invalid, never thrown", () => {
  const body = oneStream(
    '{"ts":"2024-05-06T07:08:09.123Z","line":"a\\"b\\u00e9","structuredMetadata":{"k":"v"}},' +
      '{"x":[1,-2.5e3,true,false,null,{"y":"z"}]}',
  );
  ok(body);
  for (let cut = 0; cut < body.length; cut++) {
    const result = run(body.slice(0, cut));
    assert.equal(result.ok, false, `cut at ${cut}`);
    if (!result.ok) assert.equal(result.failure, "invalid", `${cut}: ${result.error}`);
  }
});

test("random mutations never throw, hang or take what is not JSON", () => {
  const base = encoder.encode(oneStream(
    '{"ts":"2024-05-06T07:08:09.123Z","line":"a\\"b","structuredMetadata":{"k":"v"}},' +
      '{"x":[1,-2.5e3,true,null,{"y":"z"}]}',
  ));
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = encoder.encode('{}[]",:\\ u0123456789abcdefnulltrue-+.eE\t');
  for (let i = 0; i < 3000; i++) {
    const body = Uint8Array.from(base);
    for (let k = 0; k <= rand(3); k++) body[rand(body.length)] = alphabet[rand(alphabet.length)];
    const result = run(body);
    if (!result.ok) assert.equal(result.failure, "invalid", result.error);
    else {
      let valid = true;
      try {
        JSON.parse(new TextDecoder().decode(body));
      } catch {
        valid = false;
      }
      assert.ok(valid, `took ${new TextDecoder().decode(body)}`);
    }
  }
});

test("request limits: streams, entries, label string bytes, depth; metadata names per entry", () => {
  const two = '{"streams":[{"labels":"{a=\\"1\\"}","entries":[{},{}]},{"labels":"{}"}]}';
  refused(two, "too_large", /more than 1 streams \(request_limits\.max_streams\)/, {
    limits: { maxStreams: 1 },
  });
  refused(two, "too_large", /more than 1 entries \(request_limits\.max_entries\)/, {
    limits: { maxEntries: 1 },
  });
  refused(
    two,
    "too_large",
    /stream 0 has a label string of 7 bytes, more than 6 \(request_limits\.max_label_bytes\)/,
    { limits: { maxLabelBytes: 6 } },
  );
  ok(two, { limits: { maxStreams: 2, maxEntries: 2, maxLabelBytes: 7, maxDepth: 5 } });
  // Escapes count as what they stand for.
  ok(oneStream("", '"{a=\\u0022\\u0031\\u0022}"'), { limits: { maxLabelBytes: 7 } });
  refused(two, "too_large", /nested deeper than 4 .*request_limits\.max_json_depth/, {
    limits: { maxDepth: 4 },
  });
  const pairs = (n: number) =>
    oneStream(`{"structuredMetadata":{${Array.from({ length: n }, (_, k) => `"k${k}":""`)}}}`);
  assert.equal(ok(pairs(4096)).streams[0].entries[0].metadata?.length, 4096);
  refused(pairs(4097), "too_large", /\.structuredMetadata has more than 4096 names$/);
  const deep = `{"streams":[],"x":${"[".repeat(100_000)}`;
  refused(deep, "too_large", /nested deeper than 64/, { limits: { maxDepth: 64 } });
  refused(deep, "too_large", /nested deeper than 1000/);
});

test("the accounting hook is told what the decoded form grows by, and can refuse", () => {
  const entries = Array.from({ length: 600 }, (_, i) => `{"line":"line ${i}"}`).join(",");
  const body = oneStream(entries);
  const told: number[] = [];
  ok(body, { account: (n) => (told.push(n), true), entryOverhead: 100 });
  assert.ok(told.length >= 3, `told ${told.length} times`);
  const lines = Array.from({ length: 600 }, (_, i) => `line ${i}`.length).reduce((a, b) => a + b);
  assert.equal(told.reduce((a, b) => a + b), 600 * 100 + lines + 128 + 2 * '{app="a"}'.length);
  let calls = 0;
  const result = run(body, {
    account: () => (++calls < 2 ? true : { failure: "busy", error: "no room" }),
  });
  assert.deepEqual([result.ok, !result.ok && result.failure, calls], [false, "busy", 2]);
});

test("long bodies and long strings decode in slices to what the one-go decode gives", () => {
  const long = "x".repeat(300_000);
  const entries = Array.from(
    { length: 2000 },
    (_, i) => `{"ts":"2024-05-06T07:08:09.${String(i).padStart(3, "0")}Z","line":"${i}\\n"}`,
  ).join(",");
  const body = oneStream(`{"line":"${long}","skip":"${long}"},${entries}`);
  const once = run(body, { sliceBytes: 1 << 30 });
  const sliced = run(body, { sliceBytes: 4096 });
  // Every 1024 keys and elements (here about 6000 of them) and every slice of input.
  assert.ok(once.yields >= 5 && once.yields <= 6, `${once.yields} yields`);
  assert.ok(sliced.yields > once.yields + 100, `${sliced.yields} yields`);
  assert.ok(once.ok && sliced.ok);
  assert.deepEqual(plain(sliced.request), plain(once.request));
  assert.equal(sliced.request.streams[0].entries.length, 2001);
});

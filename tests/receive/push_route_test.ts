import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { compress } from "snappyjs";
import { captureRelay, flatEntries } from "../helpers/capture_sink.ts";
import { encodeRefSnappy } from "../helpers/reference_proto.ts";
import { JSON_HEADERS, jsonBody, post, postStream, pushProto } from "../helpers/push.ts";

test("push decodes snappy protobuf with labels, line, nanosecond timestamp and metadata", async () => {
  const { sink, relay } = captureRelay({ use_incoming_timestamp: true });
  const body = encodeRefSnappy([{
    labels: '{app="a", env="p\\"q"}',
    entries: [{
      timestamp: { seconds: 1700000000, nanos: 123456789 },
      line: "hello",
      structuredMetadata: [{ name: "trace_id", value: "abc" }, { name: "user", value: "u" }],
    }],
  }]);
  const res = await post(relay, body, { "content-type": "application/x-protobuf" });
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(sink), [{
    tenant: undefined,
    labels: { app: "a", env: 'p"q' },
    seconds: 1700000000,
    nanos: 123456789,
    line: "hello",
    metadata: [{ name: "trace_id", value: "abc" }, { name: "user", value: "u" }],
  }]);
  assert.equal(sink.accepted[0].streams[0].key, '{app="a", env="p\\"q"}');
});

test("push without Content-Type is read as protobuf", async () => {
  const { sink, relay } = captureRelay();
  const body = encodeRefSnappy([{ labels: '{app="a"}', entries: [{ line: "x" }] }]);
  const res = await post(relay, body);
  assert.equal(res.status, 204);
  assert.equal(flatEntries(sink)[0].line, "x");
});

test("Content-Type is read as Go's mime.ParseMediaType: what it refuses gets 400 with its error", async () => {
  const { sink, relay } = captureRelay();
  const json = jsonBody([{ stream: { a: "1" }, values: [["1", "j"]] }]);
  for (
    const [contentType, error] of [
      ["application/json; charsetutf-8", "mime: invalid media parameter"],
      ["application/json; charset=utf-8; charset=latin1", "mime: duplicate parameter name"],
      ["application/json;;", "mime: invalid media parameter"],
      ["application/json, text/plain", "mime: unexpected content after media subtype"],
      ["application", "protobuf"], // one token is a media type for Go: not JSON
    ]
  ) {
    const res = await post(relay, json, { "content-type": contentType });
    assert.equal(res.status, 400, contentType);
    const text = await res.text();
    if (error === "protobuf") assert.match(text, /^snappy: corrupt input\n$/, contentType);
    else assert.equal(text, error + "\n", contentType);
  }
  for (
    const contentType of [
      "Application/JSON",
      "application/json; charset=utf-8;",
      'application/json ; charset = "utf-8"',
      "application/json; charset=utf-8; charset=utf-8",
      "application/json\xc2\xa0", // U+00A0 sent as UTF-8: a space to Go
    ]
  ) {
    const res = await post(relay, json, { "content-type": contentType });
    assert.equal(res.status, 204, contentType);
  }
  assert.equal(flatEntries(sink).length, 5);
});

test("/api/v1/push is the same endpoint", async () => {
  const { sink, relay } = captureRelay();
  const res = await post(
    relay,
    jsonBody([{ stream: { a: "1" }, values: [["1", "l"]] }]),
    JSON_HEADERS,
    "/api/v1/push",
  );
  assert.equal(res.status, 204);
  assert.equal(sink.accepted.length, 1);
});

test("/api/prom/push takes the request loki-logger-ts sends (Loki's legacy JSON)", async () => {
  const { sink, relay } = captureRelay({ use_incoming_timestamp: true });
  // What loki-logger-ts 1.0.2 posts for LogError(client, msg, labels): axios with its headers, one
  // entry per request, the label string joined by "," (values not escaped), toISOString() time.
  const labels: Record<string, string> = { source: "TestSource", job: "TestJob", host: "TestHost" };
  const body = JSON.stringify({
    streams: [{
      labels: `{${Object.keys(labels).map((k) => `${k}="${labels[k]}"`).join(",")}}`,
      entries: [{ ts: "2024-05-06T07:08:09.123Z", line: "[ERR] Test Message: No Authentication." }],
    }],
  });
  const headers = {
    "Accept": "application/json, text/plain, */*",
    "Content-type": "application/json",
    "User-Agent": "axios/1.6.8",
    "Accept-Encoding": "gzip, compress, deflate, br",
  };
  const res = await post(relay, body, headers, "/api/prom/push");
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(sink), [{
    tenant: undefined,
    labels: { host: "TestHost", job: "TestJob", source: "TestSource" },
    seconds: 1714979289,
    nanos: 123000000,
    line: "[ERR] Test Message: No Authentication.",
  }]);
  const metrics = await relay.registry.metrics();
  assert.match(metrics, /route="api_prom_push",status_code="204"/);
});

test("/api/prom/push takes snappy protobuf as the v1 path does (old winston-loki, Promtail)", async () => {
  const { sink, relay } = captureRelay({ use_incoming_timestamp: true });
  const body = encodeRefSnappy([{
    labels: '{job="winston"}',
    entries: [{ timestamp: { seconds: 1700000000, nanos: 5 }, line: "from winston-loki 5" }],
  }]);
  const res = await post(
    relay,
    body,
    { "content-type": "application/x-protobuf" },
    "/api/prom/push",
  );
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(sink), [{
    tenant: undefined,
    labels: { job: "winston" },
    seconds: 1700000000,
    nanos: 5,
    line: "from winston-loki 5",
  }]);
});

test("/api/prom/push: request_limits apply; a v1 body is refused naming the v1 path", async () => {
  const { sink, relay } = captureRelay({ request_limits: { max_entries: 1 } });
  const legacy = JSON.stringify({
    streams: [{ labels: '{a="1"}', entries: [{ line: "x" }, { line: "y" }] }],
  });
  const big = await post(relay, legacy, JSON_HEADERS, "/api/prom/push");
  assert.equal(big.status, 413);
  assert.equal(
    await big.text(),
    "the push has more than 1 entries (request_limits.max_entries)\n",
  );
  const v1 = await post(
    relay,
    jsonBody([{ stream: { a: "1" }, values: [["1", "x"]] }]),
    JSON_HEADERS,
    "/api/prom/push",
  );
  assert.equal(v1.status, 400);
  assert.match(await v1.text(), /v1 JSON format .* push it to \/loki\/api\/v1\/push/);
  assert.equal(sink.accepted.length, 0);
});

test("push decodes JSON with structured metadata and keeps nanoseconds exactly", async () => {
  const { sink, relay } = captureRelay({ use_incoming_timestamp: true });
  const res = await post(
    relay,
    jsonBody([{
      stream: { app: "a", n: 5 },
      values: [["1700000000123456789", "l1", { k: "v", k2: "line\nbreak" }], ["-1", "l2"]],
    }]),
    { "content-type": "application/json; charset=utf-8" },
  );
  assert.equal(res.status, 204);
  const [e1, e2] = flatEntries(sink);
  assert.deepEqual(e1, {
    tenant: undefined,
    labels: { app: "a", n: "5" },
    seconds: 1700000000,
    nanos: 123456789,
    line: "l1",
    metadata: [{ name: "k", value: "v" }, { name: "k2", value: "line\nbreak" }],
  });
  assert.deepEqual([e2.seconds, e2.nanos, e2.line], [-1, 999999999, "l2"]);
});

for (
  const [name, encode, encoding] of [
    ["gzip", gzipSync, "gzip"],
    ["raw deflate", deflateRawSync, "deflate"],
    ["zlib deflate", deflateSync, "deflate"],
  ] as const
) {
  test(`push accepts ${name} JSON and ${name} protobuf`, async () => {
    const { sink, relay } = captureRelay();
    const json = encode(jsonBody([{ stream: { a: "1" }, values: [["1", "j"]] }]));
    const proto = encode(encodeRefSnappy([{ labels: '{a="1"}', entries: [{ line: "p" }] }]));
    const r1 = await post(relay, json, { ...JSON_HEADERS, "content-encoding": encoding });
    const r2 = await post(relay, proto, { "content-encoding": encoding });
    assert.deepEqual([r1.status, r2.status], [204, 204]);
    assert.deepEqual(flatEntries(sink).map((e) => e.line), ["j", "p"]);
  });
}

test("push accepts snappy-encoded JSON", async () => {
  const { sink, relay } = captureRelay();
  const body = compress(
    new TextEncoder().encode(jsonBody([{ stream: { a: "1" }, values: [["1", "s"]] }])),
  );
  const res = await post(relay, body, { ...JSON_HEADERS, "content-encoding": "snappy" });
  assert.equal(res.status, 204);
  assert.equal(flatEntries(sink)[0].line, "s");
});

test("push refuses an unknown Content-Encoding with 400 naming it", async () => {
  const { sink, relay } = captureRelay();
  const res = await post(relay, "x", { "content-encoding": "br" });
  assert.equal(res.status, 400);
  assert.equal(await res.text(), 'Content-Encoding "br" not supported\n');
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(sink.accepted.length, 0);
});

test("push refuses bad bodies with 400 and a one-line reason", async () => {
  const cases: [BodyInit | Uint8Array, Record<string, string>, RegExp][] = [
    [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), {}, /^snappy: corrupt input\n$/],
    [new Uint8Array(0), {}, /^snappy: corrupt input\n$/],
    [compress(new Uint8Array([0x0a, 0x05, 0x0a])), {}, /^proto: /],
    [compress(new Uint8Array([0x08, 0x01])), {}, /wire|illegal|PushRequest/],
    ["{", JSON_HEADERS, /^invalid JSON/],
    ["", JSON_HEADERS, /^EOF\n$/],
    ['{"streams":[{"stream":{"a":"1"},"values":[[1,"x"]]}]}', JSON_HEADERS, /timestamp/],
    ['{"streams":[{"stream":{"a":"1"},"values":[["1.5","x"]]}]}', JSON_HEADERS, /"1\.5"/],
    ['{"streams":[{"stream":{"a":"1"},"values":[["1",7]]}]}', JSON_HEADERS, /line/],
    ['{"streams":[{"stream":{"a":"1"},"values":[["1","x",{"k":1}]]}]}', JSON_HEADERS, /metadata/],
    ['{"streams":[{"stream":"a","values":[]}]}', JSON_HEADERS, /stream must be an object/],
    ["[1]", JSON_HEADERS, /JSON object/],
    ["not gzip", { "content-encoding": "gzip" }, /^gzip: /],
    ["", { "content-encoding": "gzip" }, /^gzip: /],
    ["x", { "content-type": "application/" }, /^mime: expected token after slash\n$/],
  ];
  for (const [body, headers, pattern] of cases) {
    const { sink, relay } = captureRelay();
    const res = await post(relay, body, headers);
    const text = await res.text();
    assert.equal(res.status, 400, `${JSON.stringify(headers)} ${text}`);
    assert.match(text, pattern);
    assert.equal(text.split("\n").length, 2, "one line");
    assert.equal(sink.accepted.length, 0);
  }
});

test("a protobuf timestamp outside Go's range is refused", async () => {
  const { relay } = captureRelay();
  const body = encodeRefSnappy([{
    labels: '{a="1"}',
    entries: [{ timestamp: { seconds: "253402300800" }, line: "x" }],
  }]);
  const res = await post(relay, body);
  assert.equal(res.status, 400);
  assert.match(await res.text(), /after 10000-01-01/);
});

test("bad stream labels skip only that stream: good ones forwarded, 400 with the error", async () => {
  const { sink, relay } = captureRelay();
  const body = encodeRefSnappy([
    { labels: '{app="ok"}', entries: [{ line: "good" }] },
    { labels: '{foo-bar="x"}', entries: [{ line: "bad" }] },
  ]);
  const res = await post(relay, body);
  assert.equal(res.status, 400);
  assert.equal(await res.text(), "1:5: parse error: unexpected character inside braces: '-'\n");
  assert.deepEqual(flatEntries(sink).map((e) => e.line), ["good"]);
});

test("JSON label names must be identifiers; values of other JSON types become text", async () => {
  const { sink, relay } = captureRelay();
  const res = await post(
    relay,
    jsonBody([
      { stream: { "foo.bar": "x" }, values: [["1", "bad"]] },
      { stream: { ok: true, n: null }, values: [["1", "good"]] },
    ]),
    JSON_HEADERS,
  );
  assert.equal(res.status, 400);
  assert.match(await res.text(), /parse error/);
  assert.deepEqual(flatEntries(sink).map((e) => [e.labels, e.line]), [[
    { ok: "true", n: "null" },
    "good",
  ]]);
});

test("a JSON label value that is not a string keeps its JSON text exactly as sent", async () => {
  // Loki and Alloy (jsonparser) take the raw bytes of the value: spacing, number spelling.
  const { sink, relay } = captureRelay();
  const body = '{"streams":[{"stream":{"app":"a","o":{ "x": "y" },"n":1.50,"e":1E+2,' +
    '"l":[1 , true],"t":true,"z":null},"values":[["1","l"]]}]}';
  const res = await post(relay, body, JSON_HEADERS);
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(sink)[0].labels, {
    app: "a",
    e: "1E+2",
    l: "[1 , true]",
    n: "1.50",
    o: '{ "x": "y" }',
    t: "true",
    z: "null",
  });
  assert.equal(
    sink.accepted[0].streams[0].key,
    '{app="a", e="1E+2", l="[1 , true]", n="1.50", o="{ \\"x\\": \\"y\\" }", t="true", z="null"}',
  );
});

test("configured labels override incoming ones; an empty one deletes; __ labels are removed", async () => {
  const { sink, relay } = captureRelay({ labels: { env: "prod", drop_me: "", __tmp: "x" } });
  const body = encodeRefSnappy([{
    labels: 'metric{env="dev", drop_me="y", app="a", __meta="m"}',
    entries: [{ line: "x" }],
  }]);
  assert.equal((await post(relay, body)).status, 204);
  assert.deepEqual(flatEntries(sink)[0].labels, { env: "prod", app: "a" });
});

test("relabel rules run after the configured labels and before __ removal", async () => {
  const { sink, relay } = captureRelay({
    labels: { __source: "edge" },
    relabel_rules: [
      { source_labels: ["__source", "app"], separator: "-", target_label: "origin" },
      { source_labels: ["app"], regex: "noisy", action: "drop" },
    ],
  });
  const body = encodeRefSnappy([
    { labels: '{app="a"}', entries: [{ line: "kept" }] },
    { labels: '{app="noisy"}', entries: [{ line: "dropped" }, { line: "dropped2" }] },
  ]);
  assert.equal((await post(relay, body)).status, 204);
  assert.deepEqual(flatEntries(sink).map((e) => [e.labels, e.line]), [[
    { app: "a", origin: "edge-a" },
    "kept",
  ]]);
  const metrics = await relay.registry.metrics();
  assert.match(metrics, /lokirelay_receive_skipped_entries_total\{reason="relabel_dropped"\} 2/);
  assert.match(metrics, /^loki_source_api_entries_written 1$/m);
});

test("a stream left without labels is skipped and counted, not forwarded", async () => {
  const { sink, relay } = captureRelay();
  const body = encodeRefSnappy([{ labels: '{__only="x"}', entries: [{ line: "x" }] }]);
  assert.equal((await post(relay, body)).status, 204);
  assert.equal(sink.accepted.length, 0);
  assert.match(
    await relay.registry.metrics(),
    /lokirelay_receive_skipped_entries_total\{reason="no_labels"\} 1/,
  );
});

test("the tenant from X-Scope-OrgID travels with the batch; a bad one is refused", async () => {
  const { sink, relay } = captureRelay();
  const body = () => jsonBody([{ stream: { a: "1" }, values: [["1", "x"]] }]);
  assert.equal((await post(relay, body(), { ...JSON_HEADERS, "x-scope-orgid": "t1" })).status, 204);
  assert.equal(sink.accepted[0].tenant, "t1");
  const bad = await post(relay, body(), { ...JSON_HEADERS, "x-scope-orgid": "a|b" });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /multiple tenants/);
  assert.equal(sink.accepted.length, 1);
});

test("receive time replaces timestamps unless use_incoming_timestamp; stamps never repeat", async () => {
  const { sink, relay } = captureRelay();
  const body = encodeRefSnappy([{
    labels: '{a="1"}',
    entries: [
      { timestamp: { seconds: 5 }, line: "same" },
      { timestamp: { seconds: 5 }, line: "same" },
    ],
  }]);
  assert.equal((await post(relay, body)).status, 204);
  const [e1, e2] = flatEntries(sink);
  assert.deepEqual([e1.seconds, e1.nanos], [1_700_000_000, 0]);
  assert.deepEqual([e2.seconds, e2.nanos], [1_700_000_000, 1]);
});

test("a body over max_send_message_size is refused with 413 by Content-Length", async () => {
  const { sink, relay } = captureRelay({ max_send_message_size: "1KiB" });
  const res = await post(relay, new Uint8Array(2048));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /more than max_send_message_size \(1024\)/);
  assert.equal(sink.accepted.length, 0);
});

test("a streamed body is cut off at the limit without reading the rest", async () => {
  const { relay } = captureRelay({ max_send_message_size: "1KiB" });
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      if (pulled > 1000) controller.close();
      else controller.enqueue(new Uint8Array(512));
    },
  });
  const res = await postStream(relay, body);
  assert.equal(res.status, 413);
  assert.ok(pulled < 10, `pulled ${pulled} chunks`);
});

test("a gzip bomb is refused with 413 on the decompressed size", async () => {
  const { relay } = captureRelay({ max_send_message_size: "64KiB" });
  const bomb = gzipSync(new Uint8Array(10 * 1024 * 1024));
  assert.ok(bomb.length < 64 * 1024);
  const res = await post(relay, bomb, { ...JSON_HEADERS, "content-encoding": "gzip" });
  assert.equal(res.status, 413);
  assert.match(await res.text(), /^decompressed body too large/);
});

test("a snappy block claiming a huge decoded length is refused before allocating", async () => {
  const { relay } = captureRelay({ max_send_message_size: "1MiB" });
  // uvarint 0xFFFFFFF0 followed by junk: the preamble alone says 4 GiB.
  const res = await post(relay, new Uint8Array([0xf0, 0xff, 0xff, 0xff, 0x0f, 0, 0]));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /4294967280 bytes/);
});

test("a full sink answers 429 with Retry-After and nothing is counted as written", async () => {
  const { sink, relay } = captureRelay();
  sink.refuse = { status: "full", retryAfterSeconds: 3, reason: "queue for loki:3100 is full" };
  const res = await post(
    relay,
    jsonBody([{ stream: { a: "1" }, values: [["1", "x"]] }]),
    JSON_HEADERS,
  );
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  assert.match(await res.text(), /queue for loki:3100 is full/);
  assert.match(await relay.registry.metrics(), /^loki_source_api_entries_written 0$/m);
});

test("empty pushes and null values are accepted with 204 and forward nothing", async () => {
  const { sink, relay } = captureRelay();
  for (
    const body of [
      "null",
      "{}",
      '{"streams":null}',
      '{"streams":[{"stream":{"a":"1"},"values":null}]}',
    ]
  ) {
    const res = await post(relay, body, JSON_HEADERS);
    assert.equal(res.status, 204, body);
  }
  assert.equal((await post(relay, encodeRefSnappy([]))).status, 204);
  assert.equal(sink.accepted.length, 0);
});

test("max_inflight_bytes bounds what all requests hold at once: 429, then room again", async () => {
  const { sink, relay } = captureRelay({ labels: { job: "b" }, max_inflight_bytes: "64KiB" });
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const slow = new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(new TextEncoder().encode("x".repeat(40 * 1024) + "\n"));
      await gate;
      c.close();
    },
  });
  const first = postStream(relay, slow, "/loki/api/v1/raw");
  await new Promise((r) => setTimeout(r, 20));
  const second = await post(relay, "y".repeat(40 * 1024), {}, "/loki/api/v1/raw");
  assert.equal(second.status, 429);
  assert.match(await second.text(), /max_inflight_bytes 65536/);
  release();
  assert.equal((await first).status, 204);
  const third = await post(relay, "z".repeat(40 * 1024), {}, "/loki/api/v1/raw");
  assert.equal(third.status, 204, "the first request gave its bytes back");
  assert.equal(sink.accepted.length, 2);
  const body = "w".repeat(70 * 1024);
  const huge = await post(
    relay,
    body,
    { "content-length": String(body.length) },
    "/loki/api/v1/raw",
  );
  assert.equal(huge.status, 413, "a body that can never fit is refused for good");
  assert.match(await huge.text(), /max_inflight_bytes \(65536\)/);
});

test("random and mutated bodies get 204, 400 or 413 — never a 500", async () => {
  const { relay } = captureRelay({ labels: { job: "fuzz" } });
  const good = encodeRefSnappy([{
    labels: '{app="a", env="b"}',
    entries: [{ line: "hello", structuredMetadata: [{ name: "k", value: "v" }] }],
  }]);
  const json = new TextEncoder().encode(jsonBody([{ stream: { a: "1" }, values: [["1", "x"]] }]));
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const seen = new Set<number>();
  for (let n = 0; n < 400; n++) {
    const base = n % 2 ? good : json;
    const body = base.slice(0, Math.max(0, Math.floor(rand() * (base.length + 1))));
    for (let k = 0; k < 3; k++) {
      if (body.length) body[Math.floor(rand() * body.length)] = rand() * 256;
    }
    const headers: Record<string, string> = n % 2 ? {} : JSON_HEADERS;
    const path = n % 5 === 0 ? "/loki/api/v1/raw" : "/loki/api/v1/push";
    const res = await post(relay, new Uint8Array(body), headers, path);
    await res.arrayBuffer();
    seen.add(res.status);
    assert.ok([204, 400, 413].includes(res.status), `status ${res.status} for input ${n}`);
  }
  assert.ok(seen.has(400) && seen.has(204));
});

test("request_limits refuse a push whole with 413 naming the limit", async () => {
  const { sink, relay } = captureRelay({
    request_limits: { max_streams: 2, max_label_bytes: "32B", max_json_depth: 6 },
  });
  const streams = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ labels: `{a="${i}"}`, entries: [{ line: "x" }] }));
  assert.equal((await pushProto(relay, streams(2))).status, 204);
  const over = await pushProto(relay, streams(3));
  assert.equal(over.status, 413);
  assert.match(await over.text(), /more than 2 streams \(request_limits\.max_streams\)/);
  const long = await pushProto(relay, [{
    labels: `{a="${"x".repeat(40)}"}`,
    entries: [{ line: "x" }],
  }]);
  assert.equal(long.status, 413);
  assert.match(await long.text(), /request_limits\.max_label_bytes/);
  const deep = await post(
    relay,
    jsonBody([{ stream: { a: [[[[1]]]] }, values: [["1", "x"]] }]),
    JSON_HEADERS,
  );
  assert.equal(deep.status, 413);
  assert.match(await deep.text(), /request_limits\.max_json_depth/);
  assert.equal(sink.accepted.length, 1);
});

test("a push whose decoded form alone passes max_inflight_bytes gets 413; nothing is taken", async () => {
  const { sink, relay } = captureRelay({ max_inflight_bytes: "256KiB" });
  // 4,000 empty entries: a few KiB on the wire, 640 KiB decoded (160 bytes an entry).
  const entries = Array.from({ length: 4000 }, () => ({ line: "" }));
  const res = await pushProto(relay, [{ labels: '{a="1"}', entries }]);
  assert.equal(res.status, 413);
  assert.match(await res.text(), /the decoded push would hold more than max_inflight_bytes/);
  assert.equal(sink.accepted.length, 0);
  const fits = await pushProto(relay, [{ labels: '{a="1"}', entries: entries.slice(0, 1000) }]);
  assert.equal(fits.status, 204);
});

test("body buffers reused between requests never change what an earlier push delivers", async () => {
  const { startHarness } = await import("../helpers/relay_harness.ts");
  const { encodeRefSnappy } = await import("../helpers/reference_proto.ts");
  const h = await startHarness({ endpoints: [{ batch_size: "16MiB" }] });
  try {
    // Lines that hardly compress, so every body (wire and uncompressed) comes from the pool.
    const random = (seed: number) => {
      let x = seed;
      return () => (x = (x * 1103515245 + 12345) % 2147483648).toString(36);
    };
    const expected: string[] = [];
    for (let round = 0; round < 4; round++) {
      // Four requests at once, each body sent in two halves: all four hold their buffers while
      // the others are read; a buffer handed to two live requests would mix their bytes.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const pushes = Array.from({ length: 4 }, (_, k) => {
        const p = round * 4 + k;
        const next = random(p + 1);
        const entries = Array.from({ length: 2000 }, (_, i) => {
          const line = `push ${p} entry ${i} ${next()}${next()}${next()}${next()}${next()}`;
          expected.push(`|{app="pool"}|${line}`);
          return { timestamp: { seconds: 1700000000 + p, nanos: i }, line };
        });
        const body = encodeRefSnappy([{ labels: '{app="pool"}', entries }]);
        const half = body.length >> 1;
        const stream = new ReadableStream<Uint8Array>({
          async start(c) {
            c.enqueue(body.slice(0, half));
            await gate;
            c.enqueue(body.slice(half));
            c.close();
          },
        });
        return h.relay.fetch(
          new Request("http://relay/loki/api/v1/push", {
            method: "POST",
            headers: { "content-length": String(body.length) },
            body: stream,
            // @ts-ignore: needed for a streamed body
            duplex: "half",
          }),
        );
      });
      await new Promise((r) => setTimeout(r, 20));
      open();
      for (const res of await Promise.all(pushes)) assert.equal(res.status, 204);
    }
    await h.deliver();
    await h.loki.waitFor(() => h.loki.lines().length >= expected.length);
    assert.deepEqual(h.loki.lines().sort(), expected.sort());
  } finally {
    await h.stop();
  }
});

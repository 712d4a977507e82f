// What crosses the relay byte for byte: lines and structured metadata are forwarded as the client
// sent them (invalid UTF-8 included, as Alloy does), whatever the input format.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compress } from "snappyjs";
import { startHarness } from "../helpers/relay_harness.ts";
import { type Fetcher, JSON_HEADERS, jsonBody, post } from "../helpers/push.ts";

/** A protobuf field: tag byte, length, bytes (lengths here stay below 128). */
const field = (tag: number, bytes: number[]) => [tag, bytes.length, ...bytes];
const text = (s: string) => [...new TextEncoder().encode(s)];

function relayToLoki() {
  return startHarness({ config: { labels: { job: "j" } } });
}

/** Pushes one stream `{app="a"}` holding one hand-made entry, snappy-compressed. */
function pushEntry(relay: Fetcher, entry: number[]) {
  const stream = [...field(0x0a, text('{app="a"}')), ...field(0x12, entry)];
  return post(relay, new Uint8Array(compress(new Uint8Array(field(0x0a, stream)))));
}

/** Whether `needle` occurs in `hay`. */
function contains(hay: Uint8Array, needle: number[]): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

test("protobuf: line and metadata bytes reach Loki unchanged, invalid UTF-8 included", async () => {
  const { relay, deliver, stop } = await relayToLoki();
  try {
    const line = field(0x12, [0x66, 0xff, 0xfe, 0x6f]); // "f", two invalid bytes, "o"
    const meta = field(0x1a, [...field(0x0a, text("k")), ...field(0x12, [0xc3])]); // cut "é"
    const res = await pushEntry(relay, [...field(0x0a, [0x08, 0x01]), ...line, ...meta]);
    assert.equal(res.status, 204);
    const sent = await deliver();
    assert.ok(contains(sent, [...line, ...meta]), `line and metadata bytes in ${[...sent]}`);
  } finally {
    await stop();
  }
});

test("raw: lines are forwarded as the bytes sent", async () => {
  const { relay, deliver, stop } = await relayToLoki();
  try {
    const body = new Uint8Array([0x61, 0xff, 0x62, 0x0d, 0x0a, 0xe2, 0x82, 0xac, 0x0a]);
    const res = await post(relay, body, {}, "/loki/api/v1/raw");
    assert.equal(res.status, 204);
    const sent = await deliver();
    assert.ok(contains(sent, field(0x12, [0x61, 0xff, 0x62])), "the invalid line, CR removed");
    assert.ok(contains(sent, field(0x12, [0xe2, 0x82, 0xac])), "the euro sign");
  } finally {
    await stop();
  }
});

test("protobuf: metadata split around the line is kept in order; `parsed` is not forwarded", async () => {
  const { loki, relay, deliver, stop } = await relayToLoki();
  try {
    const pair = (n: string, v: string) =>
      field(0x1a, [...field(0x0a, text(n)), ...field(0x12, text(v))]);
    const parsed = field(0x22, [...field(0x0a, text("p")), ...field(0x12, text("q"))]);
    const entry = [
      ...field(0x0a, [0x08, 0x02]),
      ...pair("first", "1"),
      ...field(0x12, text("the line")),
      ...parsed,
      ...pair("second", "2"),
    ];
    assert.equal((await pushEntry(relay, entry)).status, 204);
    const sent = await deliver();
    assert.ok(!contains(sent, parsed), "parsed labels are not forwarded");
    const e = loki.received[0].streams[0].entries[0];
    assert.equal(e.line, "the line");
    assert.deepEqual(e.timestamp, { seconds: "2" });
    assert.deepEqual(e.structuredMetadata, [
      { name: "first", value: "1" },
      { name: "second", value: "2" },
    ]);
  } finally {
    await stop();
  }
});

test("JSON: lines longer than a chunk and non-ASCII text arrive intact", async () => {
  const { loki, relay, deliver, stop } = await relayToLoki();
  try {
    const lines = ["é".repeat(200_000), "a", "😀 ü", "x".repeat(300_000)];
    const res = await post(
      relay,
      jsonBody([{
        stream: { app: "a" },
        values: lines.map((l, i) => [String(i + 1), l, { k: "ü" }]),
      }]),
      JSON_HEADERS,
    );
    assert.equal(res.status, 204);
    await deliver();
    await loki.waitFor(() => loki.received.reduce((n, r) => n + r.streams.length, 0) > 0);
    const got = loki.received.flatMap((r) => r.streams.flatMap((s) => s.entries));
    assert.deepEqual(got.map((e) => e.line), lines);
    assert.deepEqual(
      got.map((e) => e.structuredMetadata),
      lines.map(() => [{ name: "k", value: "ü" }]),
    );
  } finally {
    await stop();
  }
});

test("JSON: structured metadata reaches Loki in document order, duplicates included", async () => {
  const { loki, relay, deliver, stop } = await relayToLoki();
  try {
    // As Alloy reads it (jsonparser's ObjectEach): pair after pair, as sent. A JS object would
    // move "2" first, keep one "b" and take "__proto__" as its prototype.
    const body = '{"streams":[{"stream":{"app":"a"},"values":[["5","l",' +
      '{"b":"1","2":"x","a":"y","b":"3","__proto__":"p","constructor":"c"}]]}]}';
    assert.equal((await post(relay, body, JSON_HEADERS)).status, 204);
    const sent = await deliver();
    const pair = (n: string, v: string) =>
      field(0x1a, [...field(0x0a, text(n)), ...field(0x12, text(v))]);
    const pairs = [["b", "1"], ["2", "x"], ["a", "y"], ["b", "3"], ["__proto__", "p"], [
      "constructor",
      "c",
    ]];
    const line = field(0x12, text("l"));
    assert.ok(
      contains(sent, [...line, ...pairs.flatMap(([n, v]) => pair(n, v))]),
      `line and the six pairs, in order, in ${[...sent]}`,
    );
    assert.deepEqual(
      loki.received[0].streams[0].entries[0].structuredMetadata,
      pairs.map(([name, value]) => ({ name, value })),
    );
  } finally {
    await stop();
  }
});

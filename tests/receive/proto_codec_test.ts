import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePushRequest, encodePushRequest } from "../../src/push/proto_codec.ts";
import { decodeRef, encodeRef } from "../helpers/reference_proto.ts";
import type { PushRequest } from "../../src/types.ts";

const SAMPLE: PushRequest = {
  streams: [
    {
      labels: '{app="a", env="prod"}',
      entries: [
        { seconds: 1700000000, nanos: 123456789, line: "first line" },
        {
          seconds: 1700000001,
          nanos: 0,
          line: "with metadata ü 😀",
          metadata: [{ name: "trace_id", value: "0af7651916cd43dd" }, { name: "empty", value: "" }],
        },
        { seconds: -62135596800, nanos: 0, line: "" },
        { seconds: -1, nanos: 999999999, line: "x".repeat(70_000) },
      ],
    },
    { labels: "{}", entries: [] },
  ],
};

/** Entries decoded from protobuf are read through getters: compare their plain form. */
function plain(req: PushRequest): PushRequest {
  return JSON.parse(JSON.stringify(req));
}

test("encodePushRequest() output is read identically by protobufjs reflection", () => {
  const ref = decodeRef(encodePushRequest(SAMPLE));
  assert.equal(ref.streams!.length, 2);
  const e = ref.streams![0].entries;
  assert.deepEqual(e[0].timestamp, { seconds: "1700000000", nanos: 123456789 });
  assert.equal(e[1].line, "with metadata ü 😀");
  assert.deepEqual(e[1].structuredMetadata, [
    { name: "trace_id", value: "0af7651916cd43dd" },
    { name: "empty" },
  ]);
  assert.deepEqual(e[2].timestamp, { seconds: "-62135596800" });
  assert.deepEqual(e[3].timestamp, { seconds: "-1", nanos: 999999999 });
  assert.equal(e[3].line!.length, 70_000);
});

test("decodePushRequest() reads what protobufjs reflection writes", () => {
  const bytes = encodeRef([{
    labels: '{a="1"}',
    hash: 12345,
    entries: [
      {
        timestamp: { seconds: "1700000000", nanos: 5 },
        line: "l",
        structuredMetadata: [{ name: "k", value: "v" }],
      },
      { line: "no timestamp" },
      { timestamp: {}, line: "empty timestamp" },
      { timestamp: { seconds: "-5" }, line: "negative" },
    ],
  }]);
  assert.deepEqual(plain(decodePushRequest(bytes)), {
    streams: [{
      labels: '{a="1"}',
      entries: [
        { seconds: 1700000000, nanos: 5, line: "l", metadata: [{ name: "k", value: "v" }] },
        { seconds: -62135596800, nanos: 0, line: "no timestamp" },
        { seconds: 0, nanos: 0, line: "empty timestamp" },
        { seconds: -5, nanos: 0, line: "negative" },
      ],
    }],
  });
});

test("decodePushRequest() round-trips encodePushRequest()", () => {
  const decoded = decodePushRequest(encodePushRequest(SAMPLE));
  const expected = structuredClone(SAMPLE);
  expected.streams[0].entries[1].metadata![1] = { name: "empty", value: "" };
  assert.deepEqual(plain(decoded), expected);
});

test("decodePushRequest() skips unknown fields of every wire type", () => {
  const known = encodeRef([{ labels: '{a="1"}', entries: [{ line: "x" }] }]);
  const extra = new Uint8Array([
    0x30,
    0x96,
    0x01, // field 6 varint
    0x39,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8, // field 7 fixed64
    0x42,
    0x02,
    0x61,
    0x62, // field 8 bytes
    0x4d,
    1,
    2,
    3,
    4, // field 9 fixed32
    0x12,
    0x03,
    0x61,
    0x62,
    0x63, // field 2: format, read and ignored
  ]);
  const bytes = new Uint8Array([...extra, ...known, ...extra]);
  assert.equal(decodePushRequest(bytes).streams[0].entries[0].line, "x");
});

test("decodePushRequest() refuses broken input with a SyntaxError, never anything else", () => {
  const good = encodeRef([{
    labels: '{a="1"}',
    entries: [{
      timestamp: { seconds: "1" },
      line: "hello",
      structuredMetadata: [{ name: "k", value: "v" }],
    }],
  }]);
  // Every truncation, and every single-byte corruption, either decodes or throws SyntaxError.
  let refused = 0;
  for (let cut = 1; cut < good.length; cut++) {
    assert.throws(() => decodePushRequest(good.subarray(0, cut)), SyntaxError, `cut ${cut}`);
    refused++;
  }
  for (let i = 0; i < good.length; i++) {
    for (const b of [0x00, 0x07, 0x0c, 0x7f, 0x80, 0xff]) {
      const bad = good.slice();
      bad[i] = b;
      try {
        decodePushRequest(bad);
      } catch (err) {
        assert.ok(err instanceof SyntaxError, `byte ${i}=${b}: ${err}`);
        refused++;
      }
    }
  }
  assert.ok(refused > good.length);
});

test("decodePushRequest() names the problem", () => {
  assert.throws(() => decodePushRequest(new Uint8Array([0x00])), /illegal tag 0/);
  assert.throws(() => decodePushRequest(new Uint8Array([0x0c])), /end group/);
  assert.throws(
    () => decodePushRequest(new Uint8Array([0x08, 0x01])),
    /wrong wire type 0 for field 1/,
  );
  assert.throws(
    () => decodePushRequest(new Uint8Array([0x0a, 0x05, 0x0a])),
    /unexpected EOF|index out of range/,
  );
  const nanos = encodeRef([{ labels: "{}", entries: [{ timestamp: { seconds: 1, nanos: -1 } }] }]);
  assert.throws(() => decodePushRequest(nanos), /nanos -1 not in range/);
});

test("encodePushRequest() writes every int64 varint length that a timestamp can take", () => {
  const seconds = [
    1,
    127,
    128,
    2 ** 28 - 1,
    2 ** 28,
    2 ** 35 - 1,
    2 ** 35,
    253402300799,
    -1,
    -(2 ** 31),
    -62135596800,
  ];
  const entries = seconds.map((s, i) => ({ seconds: s, nanos: i * 1000, line: `l${i}` }));
  const ref = decodeRef(encodePushRequest({ streams: [{ labels: "{}", entries }] }));
  assert.deepEqual(
    ref.streams![0].entries.map((e) => Number(e.timestamp!.seconds)),
    seconds,
  );
  const back = decodePushRequest(encodePushRequest({ streams: [{ labels: "{}", entries }] }));
  assert.deepEqual(back.streams[0].entries.map((e) => e.seconds), seconds);
  // and once more from decoded (byte-backed) entries, the writer's fast path
  const again = decodeRef(encodePushRequest(back));
  assert.deepEqual(again.streams![0].entries.map((e) => e.line), entries.map((e) => e.line));
  assert.deepEqual(
    again.streams![0].entries.map((e) => Number(e.timestamp!.seconds)),
    seconds,
  );
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePushRequest } from "../../src/codec/decode_proto.ts";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { decodeRef } from "../helpers/reference_proto.ts";
import { SAMPLE } from "./sample_request.ts";

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

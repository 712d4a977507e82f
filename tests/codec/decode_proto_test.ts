import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeProtoSteps, decodePushRequest } from "../../src/codec/decode_proto.ts";
import { runToEnd } from "../../src/codec/decode_result.ts";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { encodeRef } from "../helpers/reference_proto.ts";
import { plain, SAMPLE } from "./sample_request.ts";

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

const many = (streams: number, perStream: number, labelBytes = 8) =>
  encodePushRequest({
    streams: Array.from({ length: streams }, (_, s) => ({
      labels: `{a="${String(s).padStart(labelBytes - 6, "0")}"}`,
      entries: Array.from({ length: perStream }, (_, i) => ({ seconds: 1, nanos: i, line: "" })),
    })),
  });

test("decodeProtoSteps() refuses a push past request_limits as it reads, naming the limit", () => {
  const run = (bytes: Uint8Array, limits: Parameters<typeof decodeProtoSteps>[1]) =>
    runToEnd(decodeProtoSteps(bytes, limits));
  assert.ok(run(many(3, 2), { limits: { maxStreams: 3, maxEntries: 6 } }).ok);
  assert.deepEqual(run(many(4, 1), { limits: { maxStreams: 3 } }), {
    ok: false,
    failure: "too_large",
    error: "the push has more than 3 streams (request_limits.max_streams)",
  });
  assert.deepEqual(run(many(2, 4), { limits: { maxEntries: 7 } }), {
    ok: false,
    failure: "too_large",
    error: "the push has more than 7 entries (request_limits.max_entries)",
  });
  const long = run(many(1, 1, 100), { limits: { maxLabelBytes: 99 } });
  assert.deepEqual(long, {
    ok: false,
    failure: "too_large",
    error:
      "stream 0 has a label string of 100 bytes, more than 99 (request_limits.max_label_bytes)",
  });
  assert.ok(run(many(1, 1, 100), { limits: { maxLabelBytes: 100 } }).ok);
});

test("decodeProtoSteps() reports the decoded form's growth as it goes and stops when refused", () => {
  const bytes = many(1, 10_000);
  const told: number[] = [];
  const ok = runToEnd(decodeProtoSteps(bytes, { account: (n) => (told.push(n), true) }));
  assert.ok(ok.ok);
  // 10,000 entries of 160 bytes, and one stream: told in batches, not per entry.
  assert.ok(told.length >= 2 && told.length <= 4, `${told.length} calls`);
  const total = told.reduce((a, b) => a + b, 0);
  assert.equal(total, 10_000 * 160 + 128 + 2 * '{a="01"}'.length);
  let calls = 0;
  const refused = runToEnd(decodeProtoSteps(bytes, {
    account: () => (++calls === 1 ? { failure: "busy", error: "budget spent" } : true),
  }));
  assert.deepEqual(refused, { ok: false, failure: "busy", error: "budget spent" });
  assert.equal(calls, 1, "the decode stopped at the first refusal");
});

test("decodeProtoSteps() yields every few thousand entries, and its result equals the whole decode", () => {
  const bytes = many(3, 5000);
  const steps = decodeProtoSteps(bytes);
  let yields = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) yields++;
  assert.equal(yields, 3); // 15,000 entries, a yield every 4,096
  assert.ok(step.value.ok);
  assert.deepEqual(
    JSON.parse(JSON.stringify(step.value.request)),
    JSON.parse(JSON.stringify(decodePushRequest(bytes))),
  );
});

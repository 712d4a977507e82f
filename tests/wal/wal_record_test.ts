import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkRecord,
  decodeRecord,
  encodeRecord,
  RECORD_HEADER_BYTES,
} from "../../src/wal/wal_record.ts";
import { decodePushRequest } from "../../src/codec/decode_proto.ts";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import type { Accepted } from "../../src/types.ts";

test("a record keeps streams, tenant, assigned timestamps, line and metadata bytes exactly", () => {
  // Entries as decoded from a push: bytes, invalid UTF-8 included, with metadata.
  const pushed = decodePushRequest(encodePushRequest({
    streams: [{
      labels: '{app="a"}',
      entries: [
        { seconds: 1700000000, nanos: 7, line: "one", metadata: [{ name: "k", value: "v" }] },
        { seconds: 1700000000, nanos: 8, line: "" },
      ],
    }],
  }));
  const accepted: Accepted = {
    tenant: "team-a",
    streams: [{ labels: { app: "a" }, key: '{app="a"}', entries: pushed.streams[0].entries }],
    entryCount: 2,
    byteSize: 5,
    queuedBytes: 400,
  };
  const bytes = encodeRecord(accepted, 1234.5);
  assert.equal(checkRecord(bytes, 0), bytes.length);
  const back = decodeRecord(bytes.subarray(RECORD_HEADER_BYTES));
  assert.ok(back.ok);
  assert.equal(back.tenant, "team-a");
  assert.equal(back.appendedAt, 1234.5);
  assert.equal(back.entries, 2);
  assert.deepEqual(JSON.parse(JSON.stringify(back.request)), {
    streams: [{
      labels: '{app="a"}',
      entries: [
        { seconds: 1700000000, nanos: 7, line: "one", metadata: [{ name: "k", value: "v" }] },
        { seconds: 1700000000, nanos: 8, line: "" },
      ],
    }],
  });
  const none = decodeRecord(encodeRecord({ ...accepted, tenant: undefined }, 0).subarray(8));
  assert.ok(none.ok && none.tenant === undefined);
});

test("checkRecord() finds every torn and flipped byte of a record", () => {
  const bytes = encodeRecord({
    streams: [{
      labels: { a: "1" },
      key: '{a="1"}',
      entries: [{ seconds: 1, nanos: 0, line: "xyz" }],
    }],
  }, 0);
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.equal(checkRecord(bytes.subarray(0, cut), 0), 0, `cut at ${cut}`);
  }
  for (let at = 4; at < bytes.length; at++) {
    const bad = bytes.slice();
    bad[at] ^= 0x40;
    assert.equal(checkRecord(bad, 0), -1, `flip at ${at}`);
  }
});

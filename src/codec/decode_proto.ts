/**
 * Decodes Loki's push protobuf (`logproto.PushRequest`), hand-written on protobufjs's minimal
 * `Reader`: no reflection, no `Long` per entry, structured metadata kept as bytes.
 *
 * KEEP IN SYNC WITH: grafana/loki pkg/push/push.proto
 * ```
 * PushRequest      { repeated StreamAdapter streams = 1; string format = 2; }
 * StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
 * EntryAdapter     { Timestamp timestamp = 1; string line = 2;
 *                    repeated LabelPairAdapter structuredMetadata = 3;
 *                    repeated LabelPairAdapter parsed = 4; }
 * LabelPairAdapter { string name = 1; string value = 2; }
 * Timestamp        { int64 seconds = 1; int32 nanos = 2; }
 * ```
 *
 * @module
 */
import protobuf from "protobufjs/minimal.js";
import type { Entry, PushRequest, PushStream } from "../types.ts";
import { WireEntry } from "./wire_entry.ts";
import { GO_ZERO_TIME_SECONDS } from "./timestamp.ts";
import {
  checkEnd,
  checkExact,
  ENTRY_WIRE,
  PUSH_REQUEST_WIRE,
  type Reader,
  readMetadata,
  skimPair,
  skipField,
  STREAM_WIRE,
  TIMESTAMP_WIRE,
} from "./proto_fields.ts";

const MAX_SECONDS = 253402300800; // 10000-01-01T00:00:00Z, exclusive
const TWO_32 = 4294967296;

/**
 * Decodes a `PushRequest` from protobuf bytes (already snappy-decompressed).
 * Unknown fields are skipped; `hash`, `format` and `parsed` are read and ignored. Entries are
 * {@link WireEntry}s: they keep the line and structured metadata as the bytes sent (the writer
 * forwards those bytes unchanged, as Alloy does) and decode them to strings only when read.
 *
 * @throws {SyntaxError} when the bytes are not a valid `PushRequest`, with a one-line reason
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePushRequest } from "./decode_proto.ts";
 * import { encodePushRequest } from "./encode_proto.ts";
 *
 * const bytes = encodePushRequest({
 *   streams: [{ labels: '{app="a"}', entries: [{ seconds: 1, nanos: 5, line: "hi" }] }],
 * });
 * const req = decodePushRequest(bytes);
 * assert.equal(req.streams[0].labels, '{app="a"}');
 * const { seconds, nanos, line } = req.streams[0].entries[0];
 * assert.deepEqual({ seconds, nanos, line }, { seconds: 1, nanos: 5, line: "hi" });
 * ```
 */
export function decodePushRequest(bytes: Uint8Array): PushRequest {
  const r = protobuf.Reader.create(bytes);
  const streams: PushStream[] = [];
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === 0x0a) streams.push(readStream(r, r.uint32() + r.pos));
      else skipField(r, tag, "PushRequest", PUSH_REQUEST_WIRE);
    }
  } catch (err) {
    throw err instanceof SyntaxError ? err : new SyntaxError(`proto: ${(err as Error).message}`);
  }
  return { streams };
}

function readStream(r: Reader, end: number): PushStream {
  checkEnd(r, end);
  let labels = "";
  const entries: Entry[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) labels = r.string();
    else if (tag === 0x12) entries.push(readEntry(r, r.uint32() + r.pos));
    else skipField(r, tag, "StreamAdapter", STREAM_WIRE);
  }
  checkExact(r, end, "StreamAdapter");
  return { labels, entries };
}

function readEntry(r: Reader, end: number): Entry {
  checkEnd(r, end);
  const start = r.pos;
  stamp.seconds = GO_ZERO_TIME_SECONDS;
  stamp.nanos = 0;
  let lineStart = 0;
  let lineEnd = 0;
  let metaStart = -1;
  let metaEnd = -1;
  let metaSize = 0;
  let scattered = false;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uint32();
    if (tag === 0x0a) readTimestamp(r, r.uint32() + r.pos);
    else if (tag === 0x12) {
      const length = r.uint32();
      lineStart = r.pos;
      r.skip(length);
      lineEnd = r.pos;
    } else if (tag === 0x1a) {
      if (metaStart < 0) metaStart = at;
      else if (metaEnd !== at) scattered = true;
      metaSize += skimPair(r, r.uint32() + r.pos);
      metaEnd = r.pos;
    } else skipField(r, tag, "EntryAdapter", ENTRY_WIRE);
  }
  checkExact(r, end, "EntryAdapter");
  // Metadata split around other fields is decoded now; contiguous metadata stays a byte range.
  const pairs = scattered ? readMetadata(r.buf, start, end) : undefined;
  if (scattered || metaStart < 0) metaStart = metaEnd = 0;
  return new WireEntry({
    seconds: stamp.seconds,
    nanos: stamp.nanos,
    source: r.buf,
    lineStart,
    lineEnd,
    metaStart,
    metaEnd,
    metaSize,
    pairs,
  });
}

/** The timestamp of the entry being read (saves an object per entry). */
const stamp = { seconds: 0, nanos: 0 };

function readTimestamp(r: Reader, end: number): void {
  checkEnd(r, end);
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x08) seconds = readInt64(r);
    else if (tag === 0x10) nanos = r.int32();
    else skipField(r, tag, "Timestamp", TIMESTAMP_WIRE);
  }
  checkExact(r, end, "Timestamp");
  if (seconds < GO_ZERO_TIME_SECONDS) {
    throw new SyntaxError(`timestamp: seconds ${seconds} before 0001-01-01`);
  }
  if (seconds >= MAX_SECONDS) {
    throw new SyntaxError(`timestamp: seconds ${seconds} after 10000-01-01`);
  }
  if (nanos < 0 || nanos >= 1e9) {
    throw new SyntaxError(`timestamp: nanos ${nanos} not in range [0, 1e9)`);
  }
  stamp.seconds = seconds;
  stamp.nanos = nanos;
}

/** Reads a varint int64 as a JS number (exact within ±2^53, which covers every valid timestamp). */
function readInt64(r: Reader): number {
  const buf = r.buf;
  let lo = 0;
  let hi = 0;
  let i = 0;
  let b: number;
  do {
    if (r.pos >= r.len) throw new SyntaxError("proto: unexpected EOF");
    b = buf[r.pos++];
    if (i < 4) lo |= (b & 0x7f) << (i * 7);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >> 4;
    } else if (i < 10) hi |= (b & 0x7f) << (i * 7 - 32);
    else throw new SyntaxError("proto: integer overflow");
    i++;
  } while (b & 0x80);
  return (hi | 0) * TWO_32 + (lo >>> 0);
}

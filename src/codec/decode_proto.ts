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
import { DECODED_ENTRY_BYTES, WireEntry } from "./wire_entry.ts";
import {
  type DecodeFailure,
  type DecodeOptions,
  type DecodeResult,
  limitsOf,
  runToEnd,
} from "./decode_result.ts";
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

/** Entries decoded between two yields of {@link decodeProtoSteps}. */
const STEP_ENTRIES = 4096;

/**
 * Decodes a `PushRequest` from protobuf bytes (already snappy-decompressed), step by step: it
 * yields every few thousand entries, so a caller can let other work run between slices, and it
 * checks `limits` and reports the decoded form's growth to `account` as it reads, before the
 * objects of a request that passes a bound exist. Unknown fields are skipped; `hash`, `format`
 * and `parsed` are read and ignored. Entries are {@link WireEntry}s: they keep the line and
 * structured metadata as the bytes sent (the writer forwards those bytes unchanged, as Alloy
 * does) and decode them to strings only when read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeProtoSteps } from "./decode_proto.ts";
 * import { encodePushRequest } from "./encode_proto.ts";
 * import { runToEnd } from "./decode_result.ts";
 *
 * const bytes = encodePushRequest({
 *   streams: [
 *     { labels: '{app="a"}', entries: [{ seconds: 1, nanos: 5, line: "hi" }] },
 *     { labels: '{app="b"}', entries: [{ seconds: 1, nanos: 6, line: "ho" }] },
 *   ],
 * });
 * const ok = runToEnd(decodeProtoSteps(bytes));
 * assert.equal(ok.ok && ok.request.streams.length, 2);
 * const capped = runToEnd(decodeProtoSteps(bytes, { limits: { maxStreams: 1 } }));
 * assert.deepEqual(capped, {
 *   ok: false,
 *   failure: "too_large",
 *   error: "the push has more than 1 streams (request_limits.max_streams)",
 * });
 * ```
 */
export function* decodeProtoSteps(
  bytes: Uint8Array,
  options?: DecodeOptions,
): Generator<undefined, DecodeResult> {
  const limits = limitsOf(options);
  const account = options?.account;
  const r = protobuf.Reader.create(bytes);
  const streams: PushStream[] = [];
  let entries = 0;
  let unaccounted = 0;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag !== 0x0a) {
        skipField(r, tag, "PushRequest", PUSH_REQUEST_WIRE);
        continue;
      }
      const end = r.uint32() + r.pos;
      checkEnd(r, end);
      if (streams.length >= limits.maxStreams) {
        return tooLarge(
          `the push has more than ${limits.maxStreams} streams (request_limits.max_streams)`,
        );
      }
      let labels = "";
      const list: Entry[] = [];
      while (r.pos < end) {
        const field = r.uint32();
        if (field === 0x12) {
          list.push(readEntry(r, r.uint32() + r.pos));
          if (++entries > limits.maxEntries) {
            return tooLarge(
              `the push has more than ${limits.maxEntries} entries (request_limits.max_entries)`,
            );
          }
          if (entries % STEP_ENTRIES === 0) {
            const refused = charge(account, unaccounted + STEP_ENTRIES * DECODED_ENTRY_BYTES);
            if (refused) return refused;
            unaccounted = 0;
            yield;
          }
        } else if (field === 0x0a) {
          const at = r.pos;
          const length = r.uint32();
          if (length > limits.maxLabelBytes) {
            return tooLarge(
              `stream ${streams.length} has a label string of ${length} bytes, more than ` +
                `${limits.maxLabelBytes} (request_limits.max_label_bytes)`,
            );
          }
          r.pos = at;
          labels = r.string();
        } else skipField(r, field, "StreamAdapter", STREAM_WIRE);
      }
      checkExact(r, end, "StreamAdapter");
      streams.push({ labels, entries: list });
      unaccounted += STREAM_DECODED_BYTES + 2 * labels.length;
    }
  } catch (err) {
    const message = err instanceof SyntaxError ? err.message : `proto: ${(err as Error).message}`;
    return { ok: false, failure: "invalid", error: message };
  }
  const refused = charge(account, unaccounted + (entries % STEP_ENTRIES) * DECODED_ENTRY_BYTES);
  if (refused) return refused;
  return { ok: true, request: { streams } };
}

/**
 * Decodes a `PushRequest` from protobuf bytes at once, with no bound (see
 * {@link decodeProtoSteps}).
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
  const result = runToEnd(decodeProtoSteps(bytes));
  if (!result.ok) throw new SyntaxError(result.error);
  return result.request;
}

/** Bytes a decoded stream object holds besides its label string and entries. */
const STREAM_DECODED_BYTES = 128;

function tooLarge(error: string): DecodeFailure {
  return { ok: false, failure: "too_large", error };
}

function charge(account: DecodeOptions["account"], bytes: number): DecodeFailure | undefined {
  if (!account || bytes === 0) return undefined;
  const answer = account(bytes);
  return answer === true ? undefined : { ok: false, ...answer };
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

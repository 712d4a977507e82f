/**
 * Field-level reading of Loki's push protobuf, shared by the push decoder and by
 * {@link WireEntry}'s metadata getter: wire-type checks, message bounds, label pairs.
 *
 * KEEP IN SYNC WITH: grafana/loki pkg/push/push.proto
 *
 * @module
 */
import protobuf from "protobufjs/minimal.js";
import type { LabelPair } from "../types.ts";

/** protobufjs's reader. */
export type Reader = protobuf.Reader;

// Wire type of each field number of each message (index 0 unused): 0 varint, 2 length-delimited.
/** Wire types of `PushRequest` fields. */
export const PUSH_REQUEST_WIRE = [-1, 2, 2];
/** Wire types of `StreamAdapter` fields. */
export const STREAM_WIRE = [-1, 2, 2, 0];
/** Wire types of `EntryAdapter` fields. */
export const ENTRY_WIRE = [-1, 2, 2, 2, 2];
/** Wire types of `Timestamp` fields. */
export const TIMESTAMP_WIRE = [-1, 0, 0];
const PAIR_WIRE = [-1, 2, 2];

/**
 * Skips a field not read here; a known field with the wrong wire type is an error.
 *
 * @throws {SyntaxError} for tag 0, a group end, a wrong or illegal wire type
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import protobuf from "protobufjs/minimal.js";
 * import { skipField } from "./proto_fields.ts";
 *
 * const r = protobuf.Reader.create(new Uint8Array([0x05]));
 * skipField(r, 0x18, "M", [-1, 2]); // field 3, varint: unknown, skipped
 * assert.equal(r.pos, 1);
 * assert.throws(() => skipField(r, 0x08, "M", [-1, 2]), /wrong wire type 0 for field 1/);
 * ```
 */
export function skipField(r: Reader, tag: number, message: string, wire: number[]): void {
  const field = tag >>> 3;
  const wireType = tag & 7;
  if (field === 0) {
    throw new SyntaxError(`proto: ${message}: illegal tag 0 (wire type ${wireType})`);
  }
  if (wireType === 4) throw new SyntaxError(`proto: ${message}: wiretype end group for non-group`);
  if (field < wire.length && wire[field] !== wireType) {
    throw new SyntaxError(`proto: ${message}: wrong wire type ${wireType} for field ${field}`);
  }
  if (wireType > 5) throw new SyntaxError(`proto: ${message}: illegal wire type ${wireType}`);
  r.skipType(wireType);
}

/**
 * Checks that a message ending at `end` fits in the buffer.
 *
 * @throws {SyntaxError} "proto: unexpected EOF"
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import protobuf from "protobufjs/minimal.js";
 * import { checkEnd } from "./proto_fields.ts";
 *
 * assert.throws(() => checkEnd(protobuf.Reader.create(new Uint8Array(2)), 3), /unexpected EOF/);
 * ```
 */
export function checkEnd(r: Reader, end: number): void {
  if (end > r.len) throw new SyntaxError("proto: unexpected EOF");
}

/**
 * Checks that reading a message stopped exactly at its end.
 *
 * @throws {SyntaxError} when a field ran past the message
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import protobuf from "protobufjs/minimal.js";
 * import { checkExact } from "./proto_fields.ts";
 *
 * assert.throws(() => checkExact(protobuf.Reader.create(new Uint8Array(2)), 1, "M"), /overruns/);
 * ```
 */
export function checkExact(r: Reader, end: number, message: string): void {
  if (r.pos !== end) throw new SyntaxError(`proto: ${message}: field overruns its message`);
}

/**
 * Checks a `LabelPairAdapter` ending at `end` and returns the bytes of its name and value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import protobuf from "protobufjs/minimal.js";
 * import { skimPair } from "./proto_fields.ts";
 *
 * // { name = "k", value = "vv" }
 * const r = protobuf.Reader.create(new Uint8Array([0x0a, 0x01, 0x6b, 0x12, 0x02, 0x76, 0x76]));
 * assert.equal(skimPair(r, 7), 3);
 * ```
 */
export function skimPair(r: Reader, end: number): number {
  checkEnd(r, end);
  let name = 0;
  let value = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a || tag === 0x12) {
      const length = r.uint32();
      r.skip(length);
      if (tag === 0x0a) name = length;
      else value = length;
    } else skipField(r, tag, "LabelPairAdapter", PAIR_WIRE);
  }
  checkExact(r, end, "LabelPairAdapter");
  return name + value;
}

/**
 * Decodes the structured-metadata fields (field 3) among the `EntryAdapter` fields in
 * `source[start, end)`, which were checked when the entry was decoded; other fields are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMetadata } from "./proto_fields.ts";
 *
 * // field 3 { name = "k", value = "v" }
 * const bytes = new Uint8Array([0x1a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76]);
 * assert.deepEqual(readMetadata(bytes, 0, bytes.length), [{ name: "k", value: "v" }]);
 * ```
 */
export function readMetadata(source: Uint8Array, start: number, end: number): LabelPair[] {
  const r = protobuf.Reader.create(source);
  r.pos = start;
  const pairs: LabelPair[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x1a) pairs.push(readPair(r, r.uint32() + r.pos));
    else r.skipType(tag & 7);
  }
  return pairs;
}

/**
 * The number of structured-metadata pairs in `source[start, end)` (an entry's metadata fields, as
 * {@link readMetadata} reads them), counted without decoding a string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countMetadata } from "./proto_fields.ts";
 *
 * // Two fields 3 (a LabelPairAdapter each: name "k", value "v").
 * const pair = [0x1a, 6, 0x0a, 1, 0x6b, 0x12, 1, 0x76];
 * const bytes = new Uint8Array([...pair, ...pair]);
 * assert.equal(countMetadata(bytes, 0, bytes.length), 2);
 * ```
 */
export function countMetadata(source: Uint8Array, start: number, end: number): number {
  // The fields were checked when the entry was decoded; varints here are at most 4 bytes long.
  let pos = start;
  let n = 0;
  const varint = () => {
    let v = 0;
    for (let shift = 0;; shift += 7) {
      const b = source[pos++];
      v |= (b & 0x7f) << shift;
      if (b < 0x80) return v >>> 0;
    }
  };
  while (pos < end) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const length = varint();
      pos += length;
      if (tag === 0x1a) n++;
    } else if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else break;
  }
  return n;
}

function readPair(r: Reader, end: number): LabelPair {
  checkEnd(r, end);
  let name = "";
  let value = "";
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) name = r.string();
    else if (tag === 0x12) value = r.string();
    else skipField(r, tag, "LabelPairAdapter", PAIR_WIRE);
  }
  checkExact(r, end, "LabelPairAdapter");
  return { name, value };
}

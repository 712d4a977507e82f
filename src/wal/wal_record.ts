/**
 * One WAL record: what one accepted push handed on, as it was accepted (labels after the label
 * pipeline, the tenant, the assigned timestamps, line and metadata bytes), so that a replay sends
 * identical entries and Loki drops any it already has.
 *
 * On disk: `u32 length | u32 CRC-32C of the payload | payload`, little-endian. The payload is
 * `u8 version (1) | f64 appended-at ms | u8 has-tenant | varint tenant length | tenant UTF-8 |
 * PushRequest protobuf` (stream label strings are the streams' canonical keys).
 *
 * @module
 */
import type { Accepted, PushRequest } from "../types.ts";
import { EntryEncoder, type StreamParts } from "../codec/encode_proto.ts";
import { decodeProtoSteps } from "../codec/decode_proto.ts";
import { runToEnd } from "../codec/decode_result.ts";
import { crc32c } from "./crc32c.ts";
import { varintLength, writeVarint } from "../codec/varint.ts";

/** Bytes of a record's header (length and checksum). */
export const RECORD_HEADER_BYTES = 8;
const VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes the streams of one tenant as one record, header included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecord, encodeRecord, RECORD_HEADER_BYTES } from "./wal_record.ts";
 *
 * const bytes = encodeRecord({
 *   tenant: "t1",
 *   streams: [{ labels: { a: "1" }, key: '{a="1"}', entries: [{ seconds: 5, nanos: 6, line: "hi" }] }],
 * }, 1700000000000);
 * const back = decodeRecord(bytes.subarray(RECORD_HEADER_BYTES));
 * assert.ok(back.ok);
 * assert.equal(back.tenant, "t1");
 * assert.equal(back.appendedAt, 1700000000000);
 * assert.equal(back.request.streams[0].labels, '{a="1"}');
 * assert.equal(back.request.streams[0].entries[0].line, "hi");
 * ```
 */
export function encodeRecord(
  accepted: Pick<Accepted, "tenant" | "streams">,
  appendedAt: number,
): Uint8Array {
  const w = new EntryEncoder();
  const parts: StreamParts[] = [];
  for (const s of accepted.streams) {
    const start = w.pos;
    for (const e of s.entries) w.appendEntry(e);
    parts.push({ labels: s.key, ranges: [start, w.pos] });
  }
  const tenant = accepted.tenant === undefined ? undefined : encoder.encode(accepted.tenant);
  const head = 1 + 8 + 1 + (tenant ? varintLength(tenant.length) + tenant.length : 0);
  // The streams are assembled behind the header's room: the record is made in one array.
  const out = w.assemble(parts, RECORD_HEADER_BYTES + head);
  w.release();
  const view = new DataView(out.buffer);
  let pos = RECORD_HEADER_BYTES;
  out[pos++] = VERSION;
  view.setFloat64(pos, appendedAt, true);
  pos += 8;
  out[pos++] = tenant ? 1 : 0;
  if (tenant) {
    pos = writeVarint(out, pos, tenant.length);
    out.set(tenant, pos);
    pos += tenant.length;
  }
  const payloadLength = out.length - RECORD_HEADER_BYTES;
  view.setUint32(0, payloadLength, true);
  view.setUint32(4, crc32c(out, RECORD_HEADER_BYTES, out.length), true);
  return out;
}

/** A record read back, or why it could not be. */
export type DecodedRecord =
  | { ok: true; tenant?: string; appendedAt: number; request: PushRequest; entries: number }
  | { ok: false; error: string };

/**
 * Decodes a record's payload (its checksum already checked).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecord } from "./wal_record.ts";
 *
 * assert.deepEqual(decodeRecord(new Uint8Array(12).fill(9)), {
 *   ok: false,
 *   error: "unknown record version 9",
 * });
 * ```
 */
export function decodeRecord(payload: Uint8Array): DecodedRecord {
  if (payload.length < 10) return { ok: false, error: "record too short" };
  if (payload[0] !== VERSION) return { ok: false, error: `unknown record version ${payload[0]}` };
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const appendedAt = view.getFloat64(1, true);
  let pos = 9;
  let tenant: string | undefined;
  if (payload[pos++] === 1) {
    const [length, at] = readVarint(payload, pos);
    if (at + length > payload.length) return { ok: false, error: "tenant runs past the record" };
    tenant = decoder.decode(payload.subarray(at, at + length));
    pos = at + length;
  }
  const decoded = runToEnd(decodeProtoSteps(payload.subarray(pos)));
  if (!decoded.ok) return { ok: false, error: decoded.error };
  let entries = 0;
  for (const s of decoded.request.streams) entries += s.entries.length;
  const record: DecodedRecord = { ok: true, appendedAt, request: decoded.request, entries };
  if (tenant !== undefined) record.tenant = tenant;
  return record;
}

/**
 * Checks the record starting at `at` in `bytes`: the length of the whole record (header
 * included), `0` when `bytes` ends before it does, or `-1` when its checksum does not match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRecord, encodeRecord } from "./wal_record.ts";
 *
 * const r = encodeRecord({ streams: [] }, 0);
 * assert.equal(checkRecord(r, 0), r.length);
 * assert.equal(checkRecord(r.subarray(0, r.length - 1), 0), 0);
 * r[r.length - 1] ^= 1;
 * assert.equal(checkRecord(r, 0), -1);
 * ```
 */
export function checkRecord(bytes: Uint8Array, at: number): number {
  if (at + RECORD_HEADER_BYTES > bytes.length) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(at, true);
  const end = at + RECORD_HEADER_BYTES + length;
  if (end > bytes.length) return 0;
  const crc = view.getUint32(at + 4, true);
  if (crc32c(bytes, at + RECORD_HEADER_BYTES, end) !== crc) return -1;
  return end - at;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (let shift = 0; pos < buf.length && shift < 28; shift += 7) {
    const b = buf[pos++];
    v |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return [v >>> 0, pos];
}

/**
 * Encodes Loki's `PushRequest` protobuf: entry by entry into one growing buffer, then the streams
 * assembled around them. Entries decoded from a push ({@link WireEntry}) are copied as bytes;
 * others are written from their strings. Batches are built this way as entries arrive.
 *
 * @module
 */
import type { Entry, LabelPair, PushRequest } from "../types.ts";
import { utf8Length, writeUtf8 } from "./utf8.ts";
import { WireEntry } from "./wire_entry.ts";
import { varintLength, writeVarint } from "./varint.ts";

const encoder = new TextEncoder();
/** Where lines given as strings are encoded before they are copied into place. */
const scratch = new Uint8Array(64 * 1024);
const TWO_32 = 4294967296;
const EMPTY = new Uint8Array(0);
/** Buffers kept for reuse, at most {@link POOL_BYTES} of them in all. */
const pool: Uint8Array[] = [];
let pooled = 0;
const POOL_BYTES = 8 * 1024 * 1024;

/** A stream to assemble: its label string and the `[start, end)` ranges of its entries. */
export interface StreamParts {
  labels: string;
  /** Flat `[start, end, start, end, …]` byte ranges in the writer's buffer. */
  ranges: number[];
}

/**
 * A growing buffer of encoded `EntryAdapter` fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EntryEncoder } from "./encode_proto.ts";
 *
 * const w = new EntryEncoder();
 * const start = w.pos;
 * w.appendEntry({ seconds: 1, nanos: 0, line: "hi" });
 * const bytes = w.assemble([{ labels: '{a="1"}', ranges: [start, w.pos] }]);
 * assert.deepEqual(
 *   [...bytes],
 *   [0x0a, 0x13, 0x0a, 0x07, ...new TextEncoder().encode('{a="1"}'),
 *    0x12, 0x08, 0x0a, 0x02, 0x08, 0x01, 0x12, 0x02, 0x68, 0x69],
 * );
 * const behind = w.assemble([{ labels: '{a="1"}', ranges: [start, w.pos] }], 3);
 * assert.deepEqual([...behind], [0, 0, 0, ...bytes]);
 * ```
 */
export class EntryEncoder {
  buf: Uint8Array;
  pos = 0;

  /** Starts with a buffer left by a {@link release}d writer, or a new one of `initialBytes`. */
  constructor(initialBytes = 64 * 1024) {
    const reused = pool.pop();
    if (reused) pooled -= reused.length;
    this.buf = reused ?? new Uint8Array(initialBytes);
  }

  /**
   * Hands the buffer back for the next writer to reuse (a fresh large array costs page faults
   * and a copy for each doubling); this writer must not be used again.
   */
  release(): void {
    if (pooled + this.buf.length <= POOL_BYTES) {
      pool.push(this.buf);
      pooled += this.buf.length;
    }
    this.buf = EMPTY;
    this.pos = 0;
  }

  /** Appends one entry as a `StreamAdapter.entries` field (tag, length, message). */
  appendEntry(e: Entry): void {
    if (e instanceof WireEntry && e.pairs === undefined) this.#appendWire(e);
    else this.#appendStrings(e);
  }

  /** An entry whose line and metadata are bytes: copied as they are (one copy when adjacent). */
  #appendWire(e: WireEntry): void {
    const lineLen = e.lineEnd - e.lineStart;
    const metaLen = e.metaEnd - e.metaStart;
    let pos = this.#begin(e.seconds, e.nanos, lineLen, metaLen);
    const buf = this.buf;
    if (metaLen > 0 && e.metaStart === e.lineEnd) {
      buf.set(e.source.subarray(e.lineStart, e.metaEnd), pos);
      pos += lineLen + metaLen;
    } else {
      if (lineLen > 0) buf.set(e.source.subarray(e.lineStart, e.lineEnd), pos);
      pos += lineLen;
      if (metaLen > 0) buf.set(e.source.subarray(e.metaStart, e.metaEnd), pos);
      pos += metaLen;
    }
    this.pos = pos;
  }

  /** An entry given as strings (or with its metadata decoded): encoded to UTF-8 here. */
  #appendStrings(e: Entry): void {
    let source: Uint8Array;
    let lineStart = 0;
    let lineLen: number;
    if (e instanceof WireEntry) {
      source = e.source;
      lineStart = e.lineStart;
      lineLen = e.lineEnd - e.lineStart;
    } else {
      const line = e.line;
      source = line.length * 3 <= scratch.length ? scratch : new Uint8Array(line.length * 3);
      lineLen = encoder.encodeInto(line, source).written;
    }
    const pairs = e.metadata;
    let metaLen = 0;
    if (pairs) { for (const p of pairs) metaLen += pairFieldLength(p); }
    let pos = this.#begin(e.seconds, e.nanos, lineLen, metaLen);
    const buf = this.buf;
    if (lineLen > 0) buf.set(source.subarray(lineStart, lineStart + lineLen), pos);
    pos += lineLen;
    if (pairs) { for (const p of pairs) pos = writePairField(buf, pos, p); }
    this.pos = pos;
  }

  /**
   * Makes room for an entry and writes everything before the line's bytes: the entry's tag and
   * length, its timestamp field, and the line field's tag and length (when there is a line).
   * Returns where the line's bytes go.
   */
  #begin(seconds: number, nanos: number, lineLen: number, metaLen: number): number {
    const ts = timestampLength(seconds, nanos);
    const body = 2 + ts + (lineLen > 0 ? 1 + varintLength(lineLen) + lineLen : 0) + metaLen;
    this.#reserve(6 + body);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 0x12;
    pos = writeVarint(buf, pos, body);
    buf[pos++] = 0x0a;
    buf[pos++] = ts;
    pos = writeTimestamp(buf, pos, seconds, nanos);
    if (lineLen === 0) return pos;
    buf[pos++] = 0x12;
    return writeVarint(buf, pos, lineLen);
  }

  /**
   * The `PushRequest` of the given streams, in their order, as one exactly-sized array; with
   * `headroom`, that many bytes come first, left for the caller's own header (no second copy).
   */
  assemble(streams: Iterable<StreamParts>, headroom = 0): Uint8Array {
    const parts: { labels: Uint8Array; ranges: number[]; body: number }[] = [];
    let total = 0;
    for (const s of streams) {
      const labels = encoder.encode(s.labels);
      let body = labels.length > 0 ? 1 + varintLength(labels.length) + labels.length : 0;
      for (let i = 0; i < s.ranges.length; i += 2) body += s.ranges[i + 1] - s.ranges[i];
      parts.push({ labels, ranges: s.ranges, body });
      total += 1 + varintLength(body) + body;
    }
    const out = new Uint8Array(headroom + total);
    let pos = headroom;
    for (const p of parts) {
      out[pos++] = 0x0a;
      pos = writeVarint(out, pos, p.body);
      if (p.labels.length > 0) {
        out[pos++] = 0x0a;
        pos = writeVarint(out, pos, p.labels.length);
        out.set(p.labels, pos);
        pos += p.labels.length;
      }
      for (let i = 0; i < p.ranges.length; i += 2) {
        out.set(this.buf.subarray(p.ranges[i], p.ranges[i + 1]), pos);
        pos += p.ranges[i + 1] - p.ranges[i];
      }
    }
    return out;
  }

  #reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

/** Length of a 64-bit two's-complement varint of an integer within ±2^53. */
function int64Length(v: number): number {
  if (v < 0) return 10;
  if (v < 0x10000000) return varintLength(v);
  let n = 5;
  for (let limit = 0x800000000; v >= limit && n < 10; limit *= 128) n++;
  return n;
}

function writeInt64(buf: Uint8Array, pos: number, v: number): number {
  const hiSigned = Math.floor(v / TWO_32);
  let lo = (v - hiSigned * TWO_32) >>> 0;
  let hi = hiSigned >>> 0;
  while (hi !== 0) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint(buf, pos, lo);
}

/** Length of the `Timestamp` message (zero fields omitted, as proto3 does). */
function timestampLength(seconds: number, nanos: number): number {
  return (seconds !== 0 ? 1 + int64Length(seconds) : 0) +
    (nanos !== 0 ? 1 + varintLength(nanos) : 0);
}

function writeTimestamp(buf: Uint8Array, pos: number, seconds: number, nanos: number): number {
  if (seconds !== 0) {
    buf[pos++] = 0x08;
    pos = writeInt64(buf, pos, seconds);
  }
  if (nanos !== 0) {
    buf[pos++] = 0x10;
    pos = writeVarint(buf, pos, nanos);
  }
  return pos;
}

/** Length of a `LabelPairAdapter` whose name and value take `n` and `v` bytes. */
function pairLength(n: number, v: number): number {
  return (n > 0 ? 1 + varintLength(n) + n : 0) + (v > 0 ? 1 + varintLength(v) + v : 0);
}

function pairFieldLength(p: LabelPair): number {
  const len = pairLength(utf8Length(p.name), utf8Length(p.value));
  return 1 + varintLength(len) + len;
}

function writePairField(buf: Uint8Array, pos: number, p: LabelPair): number {
  const n = utf8Length(p.name);
  const v = utf8Length(p.value);
  buf[pos++] = 0x1a;
  pos = writeVarint(buf, pos, pairLength(n, v));
  if (n > 0) {
    buf[pos++] = 0x0a;
    pos = writeUtf8(buf, writeVarint(buf, pos, n), p.name, n);
  }
  if (v > 0) {
    buf[pos++] = 0x12;
    pos = writeUtf8(buf, writeVarint(buf, pos, v), p.value, v);
  }
  return pos;
}

/**
 * Encodes a `PushRequest` to protobuf bytes (not yet snappy-compressed), as `loki.write` does:
 * the timestamp is always written, empty strings and zero fields are omitted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePushRequest } from "./encode_proto.ts";
 *
 * const bytes = encodePushRequest({ streams: [{ labels: "{}", entries: [] }] });
 * assert.deepEqual([...bytes], [0x0a, 0x04, 0x0a, 0x02, 0x7b, 0x7d]);
 * ```
 */
export function encodePushRequest(req: PushRequest): Uint8Array {
  const w = new EntryEncoder();
  const streams = req.streams.map((stream) => {
    const start = w.pos;
    for (const e of stream.entries) w.appendEntry(e);
    return { labels: stream.labels, ranges: [start, w.pos] };
  });
  const bytes = w.assemble(streams);
  w.release();
  return bytes;
}

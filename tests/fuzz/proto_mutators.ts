// Protobuf-aware inputs for Loki's PushRequest: a writer that frames any content correctly (so
// odd contents reach the decoder's inner checks), a generator of adversarial but well-framed
// pushes, and mutations of the framing itself (length fields, tags, whole fields).
import type { Prng } from "./prng.ts";
import { concat, HARD_VARINTS } from "./byte_mutators.ts";

const utf8 = new TextEncoder();

/** A varint of a non-negative bigint or number (negative numbers: two's complement, 10 bytes). */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return new Uint8Array(out);
}

/** A length-delimited field. */
export function lenField(field: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string" ? utf8.encode(payload) : payload;
  return concat(varint(field * 8 + 2), varint(bytes.length), bytes);
}

/** A varint field. */
export function varintField(field: number, value: number | bigint): Uint8Array {
  return concat(varint(field * 8), varint(value));
}

const SECONDS: readonly (number | bigint)[] = [
  0,
  1,
  1700000000,
  -1,
  -62135596800, // 0001-01-01
  -62135596801,
  253402300799, // 9999-12-31T23:59:59
  253402300800,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2 ** 53,
];
const NANOS: readonly (number | bigint)[] = [0, 1, 999999999, 1e9, -1, 2 ** 31 - 1, -(2 ** 31)];

/** Bytes for a string field: text, invalid UTF-8, encoded surrogates, NULs, or random bytes. */
function oddString(rnd: Prng, text: () => string): Uint8Array {
  switch (rnd.int(8)) {
    case 0:
      return new Uint8Array([0xed, 0xa0, 0x80]); // an encoded lone surrogate
    case 1:
      return new Uint8Array([0xc3]); // a cut sequence
    case 2:
      return new Uint8Array([0xf4, 0x90, 0x80, 0x80]); // above U+10FFFF
    case 3:
      return rnd.bytes(rnd.size(64));
    case 4:
      return new Uint8Array(rnd.size(32)); // NULs
    default:
      return utf8.encode(text());
  }
}

function timestamp(rnd: Prng): Uint8Array {
  const parts: Uint8Array[] = [];
  if (rnd.chance(0.9)) {
    parts.push(varintField(1, rnd.chance(0.7) ? 1700000000 + rnd.int(1e6) : rnd.pick(SECONDS)));
  }
  if (rnd.chance(0.8)) parts.push(varintField(2, rnd.chance(0.7) ? rnd.int(1e9) : rnd.pick(NANOS)));
  if (rnd.chance(0.05)) parts.push(varintField(3 + rnd.int(5), rnd.u32()));
  if (rnd.chance(0.05)) parts.reverse();
  return concat(...parts);
}

function pair(rnd: Prng, text: () => string): Uint8Array {
  const parts = [];
  if (rnd.chance(0.9)) parts.push(lenField(1, oddString(rnd, text)));
  if (rnd.chance(0.9)) parts.push(lenField(2, oddString(rnd, text)));
  if (rnd.chance(0.05)) parts.push(varintField(3, rnd.u32()));
  if (rnd.chance(0.1)) parts.reverse();
  return concat(...parts);
}

function entry(rnd: Prng, text: () => string): Uint8Array {
  const fields: Uint8Array[] = [];
  if (rnd.chance(0.9)) fields.push(lenField(1, timestamp(rnd)));
  if (rnd.chance(0.9)) fields.push(lenField(2, oddString(rnd, text)));
  const pairs = rnd.chance(0.5) ? rnd.size(6) : 0;
  for (let i = 0; i < pairs; i++) fields.push(lenField(3, pair(rnd, text)));
  if (rnd.chance(0.1)) fields.push(lenField(4, pair(rnd, text))); // `parsed`
  if (rnd.chance(0.05)) fields.push(varintField(5 + rnd.int(20), rnd.u32())); // unknown
  if (rnd.chance(0.05)) fields.push(lenField(2, oddString(rnd, text))); // a second line
  if (rnd.chance(0.15)) shuffle(rnd, fields); // scattered metadata, fields out of order
  return concat(...fields);
}

function shuffle<T>(rnd: Prng, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}

/**
 * A well-framed PushRequest with adversarial contents: label strings from `labels`, odd strings,
 * timestamps at and past the bounds, scattered or duplicate fields, unknown fields, `hash`.
 */
export function oddProtoPush(rnd: Prng, labels: () => string, text: () => string): Uint8Array {
  const streams: Uint8Array[] = [];
  const n = rnd.size(8);
  for (let s = 0; s < n; s++) {
    const fields: Uint8Array[] = [];
    if (rnd.chance(0.95)) {
      fields.push(lenField(1, rnd.chance(0.9) ? utf8.encode(labels()) : oddString(rnd, text)));
    }
    const entries = rnd.size(20);
    for (let i = 0; i < entries; i++) fields.push(lenField(2, entry(rnd, text)));
    if (rnd.chance(0.2)) fields.push(varintField(3, rnd.chance(0.5) ? rnd.u32() : 2n ** 64n - 1n));
    if (rnd.chance(0.1)) shuffle(rnd, fields);
    streams.push(lenField(1, concat(...fields)));
  }
  if (rnd.chance(0.1)) streams.push(lenField(2, "json")); // `format`
  if (rnd.chance(0.05)) streams.push(varintField(7, 1)); // unknown top-level field
  return concat(...streams);
}

/** A field found by {@link scanFields}: where its tag, length and payload are. */
interface Field {
  tagAt: number;
  lengthAt: number; // -1 when not length-delimited
  payloadAt: number;
  end: number;
}

function readVarint(b: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0, mul = 1; i < 10 && at + i < b.length; i++, mul *= 128) {
    value += (b[at + i] & 0x7f) * mul;
    if (b[at + i] < 0x80) return [value, at + i + 1];
  }
  return undefined;
}

/** Every field of every nested message it can make sense of, depth first (lenient). */
export function scanFields(b: Uint8Array, start = 0, end = b.length, depth = 0): Field[] {
  const found: Field[] = [];
  let at = start;
  while (at < end) {
    const tag = readVarint(b, at);
    if (!tag || tag[0] < 8) break;
    const wire = tag[0] & 7;
    if (wire === 0) {
      const v = readVarint(b, tag[1]);
      if (!v || v[1] > end) break;
      found.push({ tagAt: at, lengthAt: -1, payloadAt: tag[1], end: v[1] });
      at = v[1];
    } else if (wire === 2) {
      const len = readVarint(b, tag[1]);
      if (!len || len[1] + len[0] > end) break;
      const field = { tagAt: at, lengthAt: tag[1], payloadAt: len[1], end: len[1] + len[0] };
      found.push(field);
      if (depth < 4 && len[0] > 0) {
        found.push(...scanFields(b, field.payloadAt, field.end, depth + 1));
      }
      at = field.end;
    } else break;
  }
  return found;
}

/**
 * One mutation of protobuf framing: a length field or tag rewritten (hard varints, off by one,
 * wrong wire type, field 0), a whole field dropped, duplicated or moved. Falls back to the input
 * when it has no field.
 */
export function mutateProto(rnd: Prng, b: Uint8Array): Uint8Array {
  const fields = scanFields(b);
  if (fields.length === 0) return b;
  const f = rnd.pick(fields);
  switch (rnd.int(6)) {
    case 0: { // a length rewritten
      if (f.lengthAt < 0) return b;
      const len = f.end - f.payloadAt;
      const choices = [varint(len + 1), varint(Math.max(0, len - 1)), varint(0), varint(len * 2)];
      const v = rnd.chance(0.5) ? rnd.pick(choices) : new Uint8Array(rnd.pick(HARD_VARINTS));
      return concat(b.subarray(0, f.lengthAt), v, b.subarray(f.payloadAt));
    }
    case 1: { // a tag rewritten
      const field = rnd.pick([0, 1, 2, 3, 4, 5, 15, 16, 2 ** 29 - 1]);
      const tag = varint(field * 8 + rnd.int(8));
      const after = f.lengthAt >= 0 ? f.lengthAt : f.payloadAt;
      return concat(b.subarray(0, f.tagAt), tag, b.subarray(after));
    }
    case 2: // a field dropped
      return concat(b.subarray(0, f.tagAt), b.subarray(f.end));
    case 3: // a field duplicated in place
      return concat(b.subarray(0, f.end), b.subarray(f.tagAt, f.end), b.subarray(f.end));
    case 4: { // a field moved elsewhere
      const g = rnd.pick(fields);
      const moved = b.subarray(f.tagAt, f.end);
      const rest = concat(b.subarray(0, f.tagAt), b.subarray(f.end));
      const at = Math.min(rest.length, g.tagAt);
      return concat(rest.subarray(0, at), moved, rest.subarray(at));
    }
    default: { // a varint value made huge or negative
      if (f.lengthAt >= 0) return b;
      const v = rnd.chance(0.5) ? new Uint8Array(rnd.pick(HARD_VARINTS)) : varint(-rnd.u32() - 1);
      return concat(b.subarray(0, f.payloadAt), v, b.subarray(f.end));
    }
  }
}

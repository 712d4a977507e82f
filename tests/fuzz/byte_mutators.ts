// Format-blind mutations of a byte string, as AFL and libFuzzer make them: bit flips, interesting
// values, inserted, deleted, duplicated and repeated ranges, truncation, splicing with another
// input, and protobuf-style varints (huge, overlong) dropped in anywhere.
import type { Prng } from "./prng.ts";

/** No mutation makes an input longer than this. */
export const MAX_MUTATED_BYTES = 1 << 20;

const INTERESTING_8 = [0x00, 0x01, 0x0a, 0x0d, 0x22, 0x5c, 0x7b, 0x7d, 0x7f, 0x80, 0xc0, 0xff];
const INTERESTING_32 = [
  0,
  1,
  0x7f,
  0x80,
  0xff,
  0x7fff,
  0x8000,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xffffffff,
];

/** Varints a protobuf reader finds hard: zero, boundaries, 2^31, 2^32, 2^63, 2^64 - 1, overlong. */
export const HARD_VARINTS: readonly number[][] = [
  [0x00],
  [0x7f],
  [0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x07], // 2^31 - 1
  [0x80, 0x80, 0x80, 0x80, 0x08], // 2^31
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 2^32 - 1
  [0x80, 0x80, 0x80, 0x80, 0x10], // 2^32
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 2^63
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64 - 1
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11 bytes: overflow
  [0x80, 0x80, 0x80, 0x00], // overlong zero
  [0x80], // unterminated
  [0xff, 0xff, 0xff],
];

/** Joins byte strings. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function span(rnd: Prng, length: number): [number, number] {
  const start = rnd.int(length + 1);
  return [start, Math.min(length, start + 1 + rnd.size(length - start))];
}

type Mutator = (rnd: Prng, b: Uint8Array, other: () => Uint8Array) => Uint8Array;

const MUTATORS: Mutator[] = [
  function flipBit(rnd, b) {
    if (b.length === 0) return b;
    const out = b.slice();
    out[rnd.int(out.length)] ^= 1 << rnd.int(8);
    return out;
  },
  function randomByte(rnd, b) {
    if (b.length === 0) return b;
    const out = b.slice();
    out[rnd.int(out.length)] = rnd.u32() & 0xff;
    return out;
  },
  function interestingByte(rnd, b) {
    if (b.length === 0) return b;
    const out = b.slice();
    out[rnd.int(out.length)] = rnd.pick(INTERESTING_8);
    return out;
  },
  function interestingWord(rnd, b) {
    if (b.length < 4) return b;
    const out = b.slice();
    const v = rnd.pick(INTERESTING_32);
    const at = rnd.int(out.length - 3);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    view.setUint32(at, v, rnd.chance(0.5));
    return out;
  },
  function insertRandom(rnd, b) {
    const at = rnd.int(b.length + 1);
    return concat(b.subarray(0, at), rnd.bytes(1 + rnd.size(64)), b.subarray(at));
  },
  function deleteRange(rnd, b) {
    const [s, e] = span(rnd, b.length);
    return concat(b.subarray(0, s), b.subarray(e));
  },
  function duplicateRange(rnd, b) {
    const [s, e] = span(rnd, b.length);
    const at = rnd.int(b.length + 1);
    return concat(b.subarray(0, at), b.subarray(s, e), b.subarray(at));
  },
  function repeatRange(rnd, b) {
    const [s, e] = span(rnd, b.length);
    if (e === s) return b;
    const times = 2 + rnd.size(4096);
    const parts = [b.subarray(0, e)];
    for (let i = 0; i < times && (e - s) * i < MAX_MUTATED_BYTES / 2; i++) {
      parts.push(b.subarray(s, e));
    }
    parts.push(b.subarray(e));
    return concat(...parts);
  },
  function truncate(rnd, b) {
    return b.subarray(0, rnd.int(b.length + 1));
  },
  function cutFront(rnd, b) {
    return b.subarray(rnd.int(b.length + 1));
  },
  function splice(rnd, b, other) {
    const o = other();
    return concat(b.subarray(0, rnd.int(b.length + 1)), o.subarray(rnd.int(o.length + 1)));
  },
  function insertOther(rnd, b, other) {
    const o = other();
    const [s, e] = span(rnd, o.length);
    const at = rnd.int(b.length + 1);
    return concat(b.subarray(0, at), o.subarray(s, e), b.subarray(at));
  },
  function swapRanges(rnd, b) {
    if (b.length < 4) return b;
    const mid = 1 + rnd.int(b.length - 1);
    return concat(b.subarray(mid), b.subarray(0, mid));
  },
  function hardVarint(rnd, b) {
    const at = rnd.int(b.length + 1);
    const cut = rnd.chance(0.5) ? Math.min(b.length, at + 1 + rnd.int(5)) : at;
    return concat(b.subarray(0, at), new Uint8Array(rnd.pick(HARD_VARINTS)), b.subarray(cut));
  },
];

/**
 * Applies one to a few random mutations to `input` (never in place). `other` gives another input
 * for splicing.
 */
export function mutateBytes(rnd: Prng, input: Uint8Array, other: () => Uint8Array): Uint8Array {
  let out = input;
  const count = 1 + (rnd.chance(0.7) ? 0 : rnd.size(8));
  for (let i = 0; i < count; i++) {
    out = rnd.pick(MUTATORS)(rnd, out, other);
    if (out.length > MAX_MUTATED_BYTES) out = out.subarray(0, MAX_MUTATED_BYTES);
  }
  return out;
}

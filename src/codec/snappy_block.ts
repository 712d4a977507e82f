/**
 * Snappy block format (not the framed format), with the decoded-length preamble checked before
 * anything is allocated.
 *
 * Blocks up to {@link WASM_LIMIT} go through `hysnappy` (WebAssembly; measured 2.5–5× faster to
 * uncompress and about 2× faster to compress than pure JS). Larger ones are compressed by
 * `snappyjs` and decompressed here in slices, because a WebAssembly memory never shrinks: the cap
 * bounds what it can ever hold to about 2 × 8 MiB, whatever size clients send.
 *
 * @module
 */
import { compress } from "snappyjs";
import { runToEnd } from "./decode_result.ts";
import { snappyCompressor, snappyUncompressor } from "hysnappy";

/** Largest block (decoded bytes) handled by the WebAssembly codec. */
export const WASM_LIMIT = 8 * 1024 * 1024;

let wasmUncompress: ((input: Uint8Array, length: number) => Uint8Array) | undefined;
let wasmInto: WasmUncompress | null | undefined;

/** hysnappy's WebAssembly module as it exports it: its memory and `uncompress(in, len, out)`. */
interface WasmUncompress {
  memory: WebAssembly.Memory;
  uncompress(input: number, length: number, output: number): number;
}

/** Where hysnappy's compiled code leaves its own data; input and output go after it. */
const WASM_INPUT_AT = 68_000;

/**
 * hysnappy's uncompressor, reached through its WebAssembly instance: hysnappy returns a copy of
 * every block (`slice`, a new allocation each time: a fifth of the CPU of a 1 MiB push, and most
 * of the garbage), where the relay wants the bytes in a buffer it reuses. The instance is taken as
 * hysnappy builds it (`WebAssembly.Instance`, wrapped for that one synchronous call); `null` when
 * that did not yield the exports expected, and then hysnappy's own function is used.
 */
function wasmUncompressInto(): WasmUncompress | null {
  const original = WebAssembly.Instance;
  let exports: WebAssembly.Exports | undefined;
  const wrapped = new Proxy(original, {
    construct(target, args) {
      const instance = Reflect.construct(target, args) as WebAssembly.Instance;
      exports = instance.exports;
      return instance;
    },
  });
  try {
    (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = wrapped;
    wasmUncompress = snappyUncompressor();
  } catch {
    return null;
  } finally {
    (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = original;
  }
  const { memory, uncompress } = (exports ?? {}) as Partial<WasmUncompress>;
  if (!(memory instanceof WebAssembly.Memory) || typeof uncompress !== "function") return null;
  return { memory, uncompress };
}

/** Decodes `block` (its decoded length checked: `length`) into `out`; false when corrupt. */
function uncompressInto(wasm: WasmUncompress, block: Uint8Array, out: Uint8Array): boolean {
  const { memory } = wasm;
  const outputAt = WASM_INPUT_AT + block.length;
  const end = outputAt + out.length;
  if (memory.buffer.byteLength < end) {
    memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  }
  new Uint8Array(memory.buffer, WASM_INPUT_AT, block.length).set(block);
  if (wasm.uncompress(WASM_INPUT_AT, block.length, outputAt) !== 0) return false;
  out.set(new Uint8Array(memory.buffer, outputAt, out.length));
  return true;
}
let wasmCompress: ((input: Uint8Array) => Uint8Array) | undefined;

/**
 * Reads the uvarint preamble of a snappy block: the decoded length, or -1 when it is not valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snappyDecodedLength } from "./snappy_block.ts";
 *
 * assert.equal(snappyDecodedLength(new Uint8Array([0xac, 0x02, 0])), 300);
 * assert.equal(snappyDecodedLength(new Uint8Array([])), -1);
 * ```
 */
export function snappyDecodedLength(block: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 1; i < 5 && i < block.length; i++, shift *= 128) {
    const b = block[i];
    result += (b & 0x7f) * shift;
    if (b < 0x80) return result > 0xffffffff ? -1 : result;
  }
  return -1;
}

/** Result of {@link snappyUncompress}: the bytes, or why not. */
export type SnappyResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; failure: "corrupt" | "too_large" | "busy"; error: string };

/**
 * The most a snappy block can expand: its densest element is a 3-byte copy of 64 bytes. A block
 * whose preamble claims more than this many times its own size is corrupt, and is refused
 * before anything is allocated for it.
 */
export const MAX_SNAPPY_RATIO = 22;

/** Output bytes decoded between two yields of {@link snappyUncompressSteps} (large blocks). */
const STEP_BYTES = 2 * 1024 * 1024;

const CORRUPT = { ok: false, failure: "corrupt", error: "snappy: corrupt input" } as const;

/**
 * Decompresses a snappy block whose decoded length is at most `maxBytes`, step by step: the
 * preamble is checked against `maxBytes` and against the most the block could expand to, then
 * `reserve` is asked for the decoded length (it may refuse: the in-flight budget), and only then
 * is the output allocated. Blocks up to {@link WASM_LIMIT} decode at once in WebAssembly;
 * larger ones decode here, yielding every 2 MiB of output so no request holds the event loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snappyCompress, snappyUncompressSteps } from "./snappy_block.ts";
 * import { runToEnd } from "./decode_result.ts";
 *
 * const block = snappyCompress(new Uint8Array(3 * 1024 * 1024).fill(7));
 * const out = runToEnd(snappyUncompressSteps(block, 4 * 1024 * 1024));
 * assert.equal(out.ok && out.bytes.length, 3 * 1024 * 1024);
 * const refused = runToEnd(snappyUncompressSteps(block, 1 << 30, () => ({
 *   failure: "busy",
 *   error: "budget spent",
 * })));
 * assert.deepEqual(refused, { ok: false, failure: "busy", error: "budget spent" });
 * ```
 */
export function* snappyUncompressSteps(
  block: Uint8Array,
  maxBytes: number,
  reserve?: (bytes: number) => true | { failure: "too_large" | "busy"; error: string },
  allocate: (bytes: number) => Uint8Array = (n) => new Uint8Array(n),
): Generator<undefined, SnappyResult> {
  const length = snappyDecodedLength(block);
  if (length < 0) return CORRUPT;
  if (length > maxBytes) {
    return {
      ok: false,
      failure: "too_large",
      error:
        `decompressed body too large: ${length} bytes, more than max_send_message_size (${maxBytes})`,
    };
  }
  if (length > MAX_SNAPPY_RATIO * block.length + 64) return CORRUPT;
  const reserved = reserve?.(length) ?? true;
  if (reserved !== true) return { ok: false, ...reserved };
  if (length <= WASM_LIMIT) {
    try {
      if (wasmInto === undefined) wasmInto = wasmUncompressInto();
      if (wasmInto) {
        const out = allocate(length);
        return uncompressInto(wasmInto, block, out) ? { ok: true, bytes: out } : CORRUPT;
      }
      wasmUncompress ??= snappyUncompressor();
      return { ok: true, bytes: wasmUncompress(block, length) };
    } catch {
      return CORRUPT;
    }
  }
  const out = allocate(length);
  let at = preambleLength(block);
  let pos = 0;
  let next = STEP_BYTES;
  while (at < block.length) {
    if (pos >= next) {
      next += STEP_BYTES;
      yield;
    }
    const tag = block[at++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (at + extra > block.length) return CORRUPT;
        n = 0;
        for (let i = 0; i < extra; i++) n += block[at + i] * 2 ** (8 * i);
        at += extra;
      }
      n += 1;
      if (at + n > block.length || pos + n > length) return CORRUPT;
      out.set(block.subarray(at, at + n), pos);
      at += n;
      pos += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (at + 1 > block.length) return CORRUPT;
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | block[at++];
    } else if (kind === 2) {
      if (at + 2 > block.length) return CORRUPT;
      n = 1 + (tag >>> 2);
      offset = block[at] | (block[at + 1] << 8);
      at += 2;
    } else {
      if (at + 4 > block.length) return CORRUPT;
      n = 1 + (tag >>> 2);
      offset = (block[at] | (block[at + 1] << 8) | (block[at + 2] << 16)) +
        block[at + 3] * 2 ** 24;
      at += 4;
    }
    if (offset === 0 || offset > pos || pos + n > length) return CORRUPT;
    if (offset >= n) out.copyWithin(pos, pos - offset, pos - offset + n);
    else for (let i = 0; i < n; i++) out[pos + i] = out[pos - offset + i];
    pos += n;
  }
  return pos === length ? { ok: true, bytes: out } : CORRUPT;
}

/**
 * Decompresses a snappy block at once (see {@link snappyUncompressSteps}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snappyCompress, snappyUncompress } from "./snappy_block.ts";
 *
 * const block = snappyCompress(new TextEncoder().encode("hello hello hello"));
 * const out = snappyUncompress(block, 100);
 * assert.equal(out.ok && new TextDecoder().decode(out.bytes), "hello hello hello");
 * assert.deepEqual(snappyUncompress(block, 5), {
 *   ok: false,
 *   failure: "too_large",
 *   error: "decompressed body too large: 17 bytes, more than max_send_message_size (5)",
 * });
 * ```
 */
export function snappyUncompress(block: Uint8Array, maxBytes: number): SnappyResult {
  return runToEnd(snappyUncompressSteps(block, maxBytes));
}

function preambleLength(block: Uint8Array): number {
  let i = 0;
  while (block[i] >= 0x80) i++;
  return i + 1;
}

/**
 * Compresses bytes into one snappy block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snappyCompress, snappyDecodedLength } from "./snappy_block.ts";
 *
 * assert.equal(snappyDecodedLength(snappyCompress(new Uint8Array(1000))), 1000);
 * ```
 */
export function snappyCompress(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength > WASM_LIMIT) return compress(bytes);
  wasmCompress ??= snappyCompressor();
  return wasmCompress(bytes);
}

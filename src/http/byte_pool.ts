/**
 * Buffers for request bodies, kept for the next request instead of left to the garbage
 * collector: a 1 MiB push allocated its body and its uncompressed body anew each time, which at
 * full load was most of what the engine had to collect. Buffers are handed out by size class
 * (four per power of two, so at most a quarter is unused) and the pool keeps at most `maxBytes`
 * of them.
 *
 * @module
 */

/** Smallest buffer pooled; smaller requests are cheap to allocate. */
const MIN_POOLED = 64 * 1024;

/** Reusable byte buffers. */
export class BytePool {
  readonly maxBytes: number;
  readonly maxBuffer: number;
  #free = new Map<number, ArrayBuffer[]>();
  #kept = 0;

  /**
   * @param maxBytes bytes of free buffers kept at most
   * @param maxBuffer largest buffer kept (larger ones are allocated and let go)
   */
  constructor(maxBytes: number, maxBuffer = maxBytes) {
    this.maxBytes = maxBytes;
    this.maxBuffer = maxBuffer;
  }

  /** Bytes of free buffers kept now. */
  get kept(): number {
    return this.#kept;
  }

  /**
   * A buffer of `n` bytes (its contents are not cleared: the caller fills it).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { BytePool } from "./byte_pool.ts";
   *
   * const pool = new BytePool(4 << 20);
   * const a = pool.acquire(1_000_000);
   * assert.equal(a.length, 1_000_000);
   * pool.release(a);
   * assert.ok(pool.kept >= 1_000_000);
   * const b = pool.acquire(950_000); // the same size class (896 KiB to 1 MiB): the same memory
   * assert.equal(b.buffer, a.buffer);
   * assert.equal(pool.kept, 0);
   * ```
   */
  acquire(n: number): Uint8Array {
    if (n < MIN_POOLED || n > this.maxBuffer) return new Uint8Array(n);
    const size = sizeClass(n);
    const buffer = this.#free.get(size)?.pop();
    if (!buffer) return new Uint8Array(new ArrayBuffer(size), 0, n);
    this.#kept -= size;
    return new Uint8Array(buffer, 0, n);
  }

  /**
   * Takes back a buffer from {@link acquire}; it must not be used afterwards. Buffers the pool
   * did not size, or that would pass `maxBytes`, are left to the garbage collector.
   */
  release(bytes: Uint8Array): void {
    const size = bytes.buffer.byteLength;
    if (size < MIN_POOLED || size > this.maxBuffer || size !== sizeClass(size)) return;
    if (this.#kept + size > this.maxBytes) return;
    let list = this.#free.get(size);
    if (!list) this.#free.set(size, list = []);
    list.push(bytes.buffer as ArrayBuffer);
    this.#kept += size;
  }
}

/** The smallest of 2^k, 1.25·2^k, 1.5·2^k, 1.75·2^k that holds `n`. */
function sizeClass(n: number): number {
  let power = MIN_POOLED;
  while (power * 2 <= n) power *= 2;
  for (const quarter of [4, 5, 6, 7, 8]) {
    const size = (power / 4) * quarter;
    if (size >= n) return size;
  }
  return power * 2;
}

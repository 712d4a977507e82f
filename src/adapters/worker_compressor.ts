/**
 * Snappy compression on a worker thread, for the executable: the writer's biggest cost per batch
 * (about 2.5 ms per MiB) leaves the thread that answers clients. The bytes are handed over, not
 * copied, when they fill their whole buffer: the caller keeps what it needs to do the work again,
 * because a worker that fails rejects the blocks it held. After a failure, or `close()`, blocks
 * are compressed on the calling thread.
 *
 * @module
 */
import { snappyCompress } from "../codec/snappy_block.ts";

/** Compresses snappy blocks off the calling thread. */
export interface Compressor {
  /**
   * Compresses `bytes`, which may be taken (transferred) and must not be used afterwards.
   * Rejects when the worker failed while holding them.
   */
  compress(bytes: Uint8Array): Promise<Uint8Array>;
  /** Ends the worker; blocks it still held are rejected, later ones compressed here. */
  close(): void;
}

interface Pending {
  resolve: (block: Uint8Array) => void;
  reject: (err: Error) => void;
}

/**
 * Starts the worker lazily, on the first block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createWorkerCompressor } from "./worker_compressor.ts";
 * import { snappyUncompress } from "../codec/snappy_block.ts";
 *
 * const compressor = createWorkerCompressor();
 * const block = await compressor.compress(new TextEncoder().encode("hello hello hello"));
 * const back = snappyUncompress(block, 100);
 * assert.equal(back.ok && new TextDecoder().decode(back.bytes), "hello hello hello");
 * compressor.close();
 * ```
 */
export function createWorkerCompressor(
  onFailure: (error: string) => void = () => {},
  url: URL = new URL("./compress_worker.ts", import.meta.url),
): Compressor {
  let worker: Worker | undefined;
  let broken = false;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const stop = (why: string) => {
    broken = true;
    worker?.terminate();
    worker = undefined;
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
  };
  const fail = (error: string) => {
    if (broken) return;
    stop(error);
    onFailure(error);
  };

  const start = (): Worker | undefined => {
    if (worker || broken) return worker;
    try {
      worker = new Worker(url.href, { type: "module" });
    } catch (err) {
      fail(`cannot start the compression worker: ${(err as Error).message}`);
      return undefined;
    }
    worker.onmessage = (
      { data }: MessageEvent<{ id: number; block?: Uint8Array; error?: string }>,
    ) => {
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      if (data.block) p.resolve(data.block);
      else p.reject(new Error(data.error));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault?.();
      fail(`compression worker failed: ${event.message}`);
    };
    return worker;
  };

  return {
    compress(bytes) {
      const w = start();
      if (!w) return Promise.resolve(snappyCompress(bytes));
      const id = nextId++;
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, bytes }, whole ? [bytes.buffer as ArrayBuffer] : []);
      });
    },
    close: () => stop("the compression worker was closed"),
  };
}

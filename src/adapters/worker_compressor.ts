/**
 * Snappy compression on a worker thread, for the executable: the writer's biggest cost per batch
 * (about 3 ms per MiB) leaves the thread that answers clients. Falls back to compressing on the
 * calling thread if the worker cannot start or dies; nothing is lost either way, because the
 * bytes are copied to the worker, not transferred.
 *
 * @module
 */
import { snappyCompress } from "../push/snappy_block.ts";

/** Compresses snappy blocks off the calling thread. */
export interface Compressor {
  compress(bytes: Uint8Array): Promise<Uint8Array>;
  /** Ends the worker; later calls compress on the calling thread. */
  close(): void;
}

interface Pending {
  resolve: (block: Uint8Array) => void;
  bytes: Uint8Array;
}

/**
 * Starts the worker lazily, on the first block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createWorkerCompressor } from "./worker_compressor.ts";
 * import { snappyUncompress } from "../push/snappy_block.ts";
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
  url: URL = new URL("../push/compress_worker.ts", import.meta.url),
): Compressor {
  let worker: Worker | undefined;
  let broken = false;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const stop = () => {
    broken = true;
    worker?.terminate();
    worker = undefined;
    for (const p of pending.values()) p.resolve(snappyCompress(p.bytes));
    pending.clear();
  };
  const fail = (error: string) => {
    if (broken) return;
    stop();
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
      p.resolve(data.block ?? snappyCompress(p.bytes));
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
      return new Promise((resolve) => {
        pending.set(id, { resolve, bytes });
        w.postMessage({ id, bytes });
      });
    },
    close: stop,
  };
}

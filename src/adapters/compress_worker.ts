/**
 * The body of the snappy worker (see `src/adapters/worker_compressor.ts`): compresses each block
 * it is sent and transfers the result back. Messages are `{ id, bytes }` →
 * `{ id, block }` or `{ id, error }`.
 *
 * @module
 */
import { snappyCompress } from "../codec/snappy_block.ts";

interface Scope {
  onmessage: ((event: MessageEvent<{ id: number; bytes: Uint8Array }>) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as Scope;
scope.onmessage = ({ data }) => {
  try {
    const block = snappyCompress(data.bytes);
    scope.postMessage({ id: data.id, block }, [block.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ id: data.id, error: String(err) });
  }
};

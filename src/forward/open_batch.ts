/**
 * A batch being filled for one tenant of one endpoint: entries grouped into streams by label set,
 * encoded as Loki's protobuf in a snappy block when it is sent.
 *
 * @module
 */
import type { Entry, Stream } from "../types.ts";
import { encodePushRequest } from "../push/proto_codec.ts";
import { snappyCompress } from "../push/snappy_block.ts";

/**
 * Bytes an entry counts for batching and queue bounds: line plus structured metadata, as Loki
 * and Alloy count them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entrySize } from "./open_batch.ts";
 *
 * assert.equal(entrySize({ seconds: 0, nanos: 0, line: "abc", metadata: [{ name: "k", value: "vv" }] }), 6);
 * ```
 */
export function entrySize(e: Entry): number {
  let n = e.line.length;
  if (e.metadata) { for (const p of e.metadata) n += p.name.length + p.value.length; }
  return n;
}

/** A batch for one tenant. */
export class OpenBatch {
  readonly tenant: string;
  readonly createdAt: number;
  bytes = 0;
  entries = 0;
  #streams = new Map<string, Entry[]>();

  constructor(tenant: string, createdAt: number) {
    this.tenant = tenant;
    this.createdAt = createdAt;
  }

  /** Adds one entry to the stream `key`. */
  add(key: string, entry: Entry, size: number): void {
    let list = this.#streams.get(key);
    if (list === undefined) this.#streams.set(key, list = []);
    list.push(entry);
    this.bytes += size;
    this.entries++;
  }

  /** The snappy-compressed protobuf `PushRequest` of this batch. */
  encode(): Uint8Array {
    const streams = [];
    for (const [labels, entries] of this.#streams) streams.push({ labels, entries });
    return snappyCompress(encodePushRequest({ streams }));
  }
}

/**
 * Splits streams into batches of at most `maxBytes` (a batch always takes at least one entry),
 * continuing `current` while it has room.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fillBatches, OpenBatch } from "./open_batch.ts";
 *
 * const e = (line: string) => ({ seconds: 0, nanos: 0, line });
 * const { sealed, open } = fillBatches(
 *   undefined,
 *   [{ key: '{a="1"}', labels: { a: "1" }, entries: [e("aaaa"), e("bbbb"), e("cccc")] }],
 *   { tenant: "t", maxBytes: 8, now: 0 },
 * );
 * assert.deepEqual(sealed.map((b) => b.entries), [2]);
 * assert.equal(open.entries, 1);
 * assert.ok(open instanceof OpenBatch);
 * ```
 */
export function fillBatches(
  current: OpenBatch | undefined,
  streams: Stream[],
  options: { tenant: string; maxBytes: number; now: number },
): { sealed: OpenBatch[]; open: OpenBatch } {
  const sealed: OpenBatch[] = [];
  let open = current ?? new OpenBatch(options.tenant, options.now);
  for (const stream of streams) {
    for (const entry of stream.entries) {
      const size = entrySize(entry);
      if (open.entries > 0 && open.bytes + size > options.maxBytes) {
        sealed.push(open);
        open = new OpenBatch(options.tenant, options.now);
      }
      open.add(stream.key, entry, size);
    }
  }
  return { sealed, open };
}

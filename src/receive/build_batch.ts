/**
 * Turns a decoded push into the batch handed to the sink: labels resolved per stream, entries
 * stamped with the receive time unless incoming timestamps are kept.
 *
 * @module
 */
import type { Batch, PushRequest, Stream } from "../types.ts";
import type { ResolvedStream } from "./stream_resolver.ts";
import type { Stampable } from "./receive_clock.ts";
import { entrySize } from "../push/push_writer.ts";

/** Options of {@link buildBatch}. */
export interface BuildBatchOptions {
  resolve: (labelString: string) => ResolvedStream;
  /** Sets the receive time on entries, in order (see `createReceiveClock`). */
  stamp: (entries: Stampable[]) => void;
  useIncomingTimestamp: boolean;
  tenant?: string;
}

/** The batch, the last stream error (Alloy's partial success), and entries skipped by reason. */
export interface BuiltBatch {
  batch: Batch;
  error?: string;
  skipped: Record<string, number>;
}

/**
 * Builds a batch from a push request. Streams whose labels fail to parse are skipped and the last
 * error is returned; streams dropped by relabelling or left without labels are counted by reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildBatch } from "./build_batch.ts";
 * import { createStreamResolver } from "./stream_resolver.ts";
 *
 * const { batch, error } = buildBatch(
 *   { streams: [
 *     { labels: '{app="a"}', entries: [{ seconds: 1, nanos: 2, line: "hi" }] },
 *     { labels: "{bad-name=1}", entries: [{ seconds: 1, nanos: 2, line: "x" }] },
 *   ] },
 *   {
 *     resolve: createStreamResolver({ labels: {}, relabel: null }),
 *     stamp: (entries) => entries.forEach((e) => Object.assign(e, { seconds: 9, nanos: 9 })),
 *     useIncomingTimestamp: false,
 *   },
 * );
 * assert.equal(batch.entryCount, 1);
 * assert.deepEqual(batch.streams[0].entries[0], { seconds: 9, nanos: 9, line: "hi" });
 * assert.equal(batch.byteSize, 2);
 * assert.match(error!, /parse error/);
 * ```
 */
export function buildBatch(req: PushRequest, options: BuildBatchOptions): BuiltBatch {
  const streams: Stream[] = [];
  const skipped: Record<string, number> = {};
  let error: string | undefined;
  let entryCount = 0;
  let byteSize = 0;
  for (const s of req.streams) {
    if (s.entries.length === 0) continue;
    const resolved = options.resolve(s.labels);
    if (resolved.kind === "error") {
      error = resolved.error;
      continue;
    }
    if (resolved.kind === "dropped") {
      skipped[resolved.reason] = (skipped[resolved.reason] ?? 0) + s.entries.length;
      continue;
    }
    if (!options.useIncomingTimestamp) options.stamp(s.entries);
    for (const e of s.entries) byteSize += entrySize(e);
    entryCount += s.entries.length;
    streams.push({ labels: resolved.labels, key: resolved.key, entries: s.entries });
  }
  const batch: Batch = { streams, entryCount, byteSize };
  if (options.tenant !== undefined) batch.tenant = options.tenant;
  return error === undefined ? { batch, skipped } : { batch, error, skipped };
}

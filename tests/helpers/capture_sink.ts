// A sink for tests that records what the relay hands on and can be told to refuse.
import type { Batch, Sink, SinkResult } from "../../src/types.ts";

export interface CaptureSink extends Sink {
  batches: Batch[];
  /** When set, `push` answers this instead of taking the batch. */
  refuse?: SinkResult;
  closed: boolean;
}

export function captureSink(): CaptureSink {
  const sink: CaptureSink = {
    batches: [],
    closed: false,
    push(batch) {
      if (sink.refuse) return sink.refuse;
      if (sink.closed) return { status: "closed" };
      // A plain copy: entries decoded from protobuf are read through getters (WireEntry).
      sink.batches.push(JSON.parse(JSON.stringify(batch)));
      return { status: "ok" };
    },
    close() {
      sink.closed = true;
      return Promise.resolve();
    },
  };
  return sink;
}

/** All entries of all batches, flattened with their stream labels and tenant. */
export function flatEntries(sink: CaptureSink) {
  return sink.batches.flatMap((b) =>
    b.streams.flatMap((s) => s.entries.map((e) => ({ tenant: b.tenant, labels: s.labels, ...e })))
  );
}

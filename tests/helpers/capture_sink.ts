// A sink for tests that records what the relay hands on and can be told to refuse, and the
// "relay + capture sink + fixed clock" setup the receive tests share.
import type { Accepted, Sink, SinkResult } from "../../src/types.ts";
import type { ConfigInput } from "../../src/config/config_schema.ts";
import { createRelay, type RelayOptions } from "../../src/relay.ts";

export interface CaptureSink extends Sink {
  /** Everything offered and taken, as plain copies. */
  accepted: Accepted[];
  /** When set, `offer` answers this instead of taking the entries. */
  refuse?: SinkResult;
  closed: boolean;
}

export function captureSink(): CaptureSink {
  const sink: CaptureSink = {
    accepted: [],
    closed: false,
    offer(accepted) {
      if (sink.refuse) return sink.refuse;
      if (sink.closed) return { status: "closed" };
      // A plain copy: entries decoded from protobuf are read through getters (WireEntry).
      sink.accepted.push(JSON.parse(JSON.stringify(accepted)));
      return { status: "ok" };
    },
    close() {
      sink.closed = true;
      return Promise.resolve();
    },
  };
  return sink;
}

/** All entries of everything taken, flattened with their stream labels and tenant. */
export function flatEntries(sink: CaptureSink) {
  return sink.accepted.flatMap((b) =>
    b.streams.flatMap((s) =>
      s.entries.map((e) => ({ tenant: s.tenant ?? b.tenant, labels: s.labels, ...e }))
    )
  );
}

/** The receive tests' clock: 2023-11-14T22:13:20Z, in ms. */
export const NOW = 1_700_000_000_000;

/** A relay whose sink records what it takes, with a fixed clock. */
export function captureRelay(config: ConfigInput = {}, options: RelayOptions = {}) {
  const sink = captureSink();
  const relay = createRelay(config, { sink, now: () => NOW, ...options });
  return { sink, relay };
}

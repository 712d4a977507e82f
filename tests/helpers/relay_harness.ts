// The one "relay + fake Loki + fake time" setup: a relay created in-process whose endpoints point
// at fake Lokis on loopback, with injected time so batching and retries are asserted exactly.
import { createRelay, type Relay } from "../../src/relay.ts";
import type { ConfigInput } from "../../src/config/config_schema.ts";
import { createLogger } from "../../src/log/logger.ts";
import { type FakeLoki, startFakeLoki } from "./fake_loki.ts";
import { FakeTime } from "./fake_time.ts";

export type EndpointInput = NonNullable<ConfigInput["forward_to"]>[number];

export interface Harness {
  /** The first fake Loki (`lokis[0]`). */
  loki: FakeLoki;
  lokis: FakeLoki[];
  time: FakeTime;
  relay: Relay;
  /** Every log line the relay wrote (debug level). */
  logs: string[];
  /** The value of one metric series (`name{labels}`), 0 when absent. */
  metric(series: string): Promise<number>;
  /** Advances past `batch_wait` and returns the first push Loki got, as protobuf bytes. */
  deliver(): Promise<Uint8Array>;
  /**
   * Advances the fake clock in steps of 250 ms until `pending` settles (a push waiting for room
   * in a full queue waits on that clock), and returns it.
   */
  advanceUntil<T>(pending: Promise<T>): Promise<T>;
  /** Closes the relay (advancing time through its drain) and every fake Loki. */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** One endpoint per fake Loki, merged over `{ url, batch_wait: "1s" }`. @default [{}] */
  endpoints?: Partial<EndpointInput>[];
  /** Other config fields; `use_incoming_timestamp` is true unless set here. */
  config?: Partial<ConfigInput>;
  /** Other relay options (a compressor, a fetch). */
  options?: Parameters<typeof createRelay>[1];
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const endpoints = opts.endpoints ?? [{}];
  const lokis = await Promise.all(endpoints.map(() => startFakeLoki()));
  const time = new FakeTime();
  const logs: string[] = [];
  const relay = createRelay(
    {
      use_incoming_timestamp: true,
      forward_to: endpoints.map((e, i) => ({ url: lokis[i].url, batch_wait: "1s", ...e })),
      ...opts.config,
    },
    {
      now: time.clock,
      sleep: time.sleep,
      random: () => 0,
      logger: createLogger({ level: "debug", write: (l) => logs.push(l) }),
      ...opts.options,
    },
  );
  const loki = lokis[0];
  return {
    loki,
    lokis,
    time,
    relay,
    logs,
    metric: (series) => metric(relay, series),
    async advanceUntil(pending) {
      let settled = false;
      pending.then(() => (settled = true), () => (settled = true));
      for (let i = 0; i < 100 && !settled; i++) {
        await time.advance(250);
        await new Promise((r) => setTimeout(r, 5));
      }
      return await pending;
    },
    async deliver() {
      await time.advance(1000);
      await loki.waitFor(() => loki.received.length > 0);
      return loki.received[0].protobuf;
    },
    async stop() {
      const closing = relay.close();
      for (let i = 0; i < 50 && time.sleepers.length > 0; i++) await time.advance(60_000);
      await closing;
      await Promise.all(lokis.map((l) => l.close()));
    },
  };
}

/** The value of one metric series of a relay's registry, 0 when absent. */
export async function metric(
  relay: { registry: { metrics(): Promise<string> } },
  series: string,
): Promise<number> {
  const text = await relay.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

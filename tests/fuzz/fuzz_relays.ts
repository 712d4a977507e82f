// The relays the fuzzer sends to, each built by createRelay() as an embedder builds it: the default
// (stdout sink), a tight one (small limits, labels, relabel rules, incoming timestamps), and one
// that forwards to a fake Loki that checks every batch it gets. Anything logged at error level,
// and any batch the fake Loki cannot read, is recorded as a problem for the case being run.
import { uncompress } from "snappyjs";
import { createRelay, type Relay } from "../../src/relay.ts";
import type { ConfigInput } from "../../src/config/config_schema.ts";
import type { Logger } from "../../src/log/logger.ts";
import { parseLabels } from "../../src/labels/parse_labels.ts";
import { decodeProtoSteps } from "../../src/codec/decode_proto.ts";
import { runToEnd } from "../../src/codec/decode_result.ts";

/** A relay under test. */
export interface FuzzRelay {
  name: string;
  relay: Relay;
  /** Its `max_send_message_size`, for targets that aim at the limit. */
  maxBytes: number;
}

/** The relays, and what went wrong in them since it was last read. */
export interface Fleet {
  relays: FuzzRelay[];
  /** Errors logged and batches the fake Loki refused, in order. */
  problems: string[];
  /** Batches the fake Loki received. */
  batches: number;
  close(): Promise<void>;
}

const CONFIGS: [string, ConfigInput, number][] = [
  ["default", {}, 100 * 1024 * 1024],
  ["tight", {
    labels: { job: "fuzz" },
    use_incoming_timestamp: true,
    relabel_rules: [
      { source_labels: ["app"], regex: "drop.*", action: "drop" },
      { action: "labelmap", regex: "(e.*)", replacement: "x_$1" },
      { source_labels: ["env"], target_label: "__tenant", replacement: "$1" },
    ],
    max_send_message_size: "256KiB",
    max_inflight_bytes: "2MiB",
    request_limits: {
      max_streams: 64,
      max_entries: 2000,
      max_label_bytes: "2KiB",
      max_json_depth: 16,
    },
  }, 256 * 1024],
  ["forward", {
    labels: { job: "fuzz" },
    use_incoming_timestamp: true,
    external_labels: { cluster: "fuzz" },
    forward_to: [{ url: "http://loki.fuzz/loki/api/v1/push", batch_wait: "20ms", batch_size: "64KiB" }],
  }, 100 * 1024 * 1024],
];

/**
 * What the fake Loki finds wrong in a pushed batch, or `undefined`: a snappy block (snappyjs, not
 * the relay's codec) of a push the relay's own strict decoder takes back, with label strings that
 * parse. Lines may be invalid UTF-8: they are forwarded as sent, as Alloy does.
 */
export function checkBatch(body: Uint8Array): string | undefined {
  let plain: Uint8Array;
  try {
    plain = uncompress(body);
  } catch (err) {
    return `fake Loki: the relay sent a batch that is not snappy: ${(err as Error).message}`;
  }
  const decoded = runToEnd(decodeProtoSteps(plain));
  if (!decoded.ok) return `fake Loki: the relay sent a batch that does not decode: ${decoded.error}`;
  for (const s of decoded.request.streams) {
    const parsed = parseLabels(s.labels);
    if (!parsed.ok) {
      return `fake Loki: the relay sent a label string it cannot parse back: ` +
        `${JSON.stringify(s.labels).slice(0, 200)}: ${parsed.error}`;
    }
  }
  return undefined;
}

/** Builds the relays. */
export function createFleet(): Fleet {
  const fleet: Fleet = {
    relays: [],
    problems: [],
    batches: 0,
    async close() {
      await Promise.all(fleet.relays.map((r) => r.relay.close()));
    },
  };
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(msg, fields) {
      fleet.problems.push(`logged error: ${msg} ${JSON.stringify(fields ?? {}).slice(0, 500)}`);
    },
  };
  const fakeLoki = async (_url: string | URL | Request, init?: RequestInit) => {
    fleet.batches++;
    const body = new Uint8Array(await new Response(init?.body).arrayBuffer());
    const problem = checkBatch(body);
    if (problem) fleet.problems.push(problem);
    return new Response(null, { status: 204 });
  };
  for (const [name, config, maxBytes] of CONFIGS) {
    const relay = createRelay(config, {
      stdout: () => {},
      logger,
      fetch: fakeLoki as typeof fetch,
    });
    fleet.relays.push({ name, relay, maxBytes });
  }
  return fleet;
}

// The relays the fuzzer sends to, each built by createRelay() as an embedder builds it: the default
// (stdout sink), a tight one (small limits, labels, relabel rules, incoming timestamps), one that
// forwards to a fake Loki that checks every batch it gets, and a guarded one forwarding there too
// (auth, tenants, rate limits, Loki's limits). Anything logged at error level, and any batch the
// fake Loki cannot read, is recorded as a problem for the case being run.
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

/** The name of the relay with auth, tenants, rate limits and Loki's limits on. */
export const GUARDED = "guarded";

/** The credentials the guarded relay takes. */
export const CREDENTIALS = {
  token: "fuzz-token",
  pinnedToken: "pinned-token",
  user: "ann",
  password: "pw:with:colons",
} as const;

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
    forward_to: [{
      url: "http://loki.fuzz/loki/api/v1/push",
      batch_wait: "20ms",
      batch_size: "64KiB",
    }],
  }, 100 * 1024 * 1024],
  // Every edge feature on: credentials (one pinning a tenant, one bound to tenants), a default
  // and allowed tenants, __tenant_id__ written by a rule, rates, and Loki's limits (the oldest
  // timestamp moved back so the corpus's 2023 entries pass and only the far ones are refused).
  [GUARDED, {
    labels: { job: "fuzz" },
    use_incoming_timestamp: true,
    relabel_rules: [
      {
        source_labels: ["env"],
        regex: "v1(.)",
        target_label: "__tenant_id__",
        replacement: "team-$1",
      },
    ],
    auth: {
      bearer_tokens: [
        { name: "any", token: CREDENTIALS.token },
        { name: "pinned", token: CREDENTIALS.pinnedToken, tenant: "team-a" },
      ],
      basic_users: [
        {
          username: CREDENTIALS.user,
          password: CREDENTIALS.password,
          tenants: ["fuzz", "team-a", "team-1"],
        },
      ],
      protect_metrics: true,
    },
    tenants: {
      default: "fuzz",
      allowed: ["fuzz", "team-a", "team-0", "team-1", "team-2"],
    },
    rate_limits: {
      per_tenant: { entries_per_second: 20_000, bytes_per_second: "8MiB" },
      overrides: { "team-2": { entries_per_second: 50, entries_burst: 100 } },
      global: { entries_per_second: 100_000, bytes_per_second: "32MiB" },
    },
    limits: { loki_defaults: true, reject_old_samples_max_age: "3650d" },
    forward_to: [{
      url: "http://loki.fuzz/loki/api/v1/push",
      batch_wait: "20ms",
      batch_size: "64KiB",
    }],
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
  if (!decoded.ok) {
    return `fake Loki: the relay sent a batch that does not decode: ${decoded.error}`;
  }
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

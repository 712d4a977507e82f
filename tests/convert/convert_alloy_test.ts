// convertAlloy: Alloy files shaped like the examples of Alloy's loki.source.api, loki.write and
// loki.relabel reference pages (own names and values), a multi-component pipeline, and inputs that
// cannot be translated, each with its exact JSON (key order included) and exact problem lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  convertAlloy,
  type ConvertAlloyResult,
  type ConvertNote,
} from "../../src/convert/convert_alloy.ts";
import { expandEnv } from "../../src/config/expand_env.ts";
import { resolveSettings } from "../../src/config/resolve_settings.ts";

/** The Alloy text as written, without the newline after the opening backtick (line 1 is next). */
function alloy(strings: TemplateStringsArray, ...values: string[]): string {
  return String.raw(strings, ...values).replace(/^\n/, "");
}

/** `${` inside an Alloy fixture. */
const D = "${";

interface Expected {
  config: Record<string, unknown>;
  problems?: ConvertNote[];
  warnings?: ConvertNote[];
  needsEnv?: boolean;
}

function check(r: ConvertAlloyResult, want: Expected): void {
  // The text, so key order counts too.
  assert.equal(JSON.stringify(r.config, null, 2), JSON.stringify(want.config, null, 2));
  assert.deepEqual(r.problems, want.problems ?? []);
  assert.deepEqual(r.warnings, want.warnings ?? []);
  assert.equal(r.needsEnv, want.needsEnv ?? false);
}

test("loki.source.api reference example: push listener with labels → basic-auth loki.write", () => {
  const r = convertAlloy(alloy`
loki.write "central" {
  endpoint {
    url = "http://loki-gw.internal:3100/loki/api/v1/push"
    basic_auth {
      username      = "relay-user"
      password_file = "/run/secrets/loki_password"
    }
  }
}

loki.source.api "intake" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = 3500
  }
  forward_to = [
    loki.write.central.receiver,
  ]
  labels = {
    relayed = "yes",
  }
}
`);
  check(r, {
    config: {
      http: { listen_address: "127.0.0.1", listen_port: 3500 },
      labels: { relayed: "yes" },
      forward_to: [{
        url: "http://loki-gw.internal:3100/loki/api/v1/push",
        basic_auth: { username: "relay-user", password_file: "/run/secrets/loki_password" },
      }],
    },
  });
});

test("loki.write reference example: a local Loki", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.write.dev.receiver]
}

loki.write "dev" {
  endpoint {
    url = "http://127.0.0.1:3100/loki/api/v1/push"
  }
}
`);
  check(r, { config: { forward_to: [{ url: "http://127.0.0.1:3100/loki/api/v1/push" }] } });
});

const HOSTED = alloy`
loki.source.api "edge" {
  forward_to = [loki.write.hosted.receiver]
}

loki.write "hosted" {
  endpoint {
    url = "https://logs-eu-west.acme.example/loki/api/v1/push"
    basic_auth {
      username = sys.env("ACME_LOGS_USER")
      password = env("ACME_LOGS_KEY")
    }
  }
}
`;

test("loki.write reference example: a hosted Loki with credentials from the environment", () => {
  check(convertAlloy(HOSTED), {
    config: {
      forward_to: [{
        url: "https://logs-eu-west.acme.example/loki/api/v1/push",
        basic_auth: { username: "${ACME_LOGS_USER}", password: "${ACME_LOGS_KEY}" },
      }],
    },
    needsEnv: true,
  });
});

test("unsetEnv: 'empty' gives an unset variable Alloy's empty string", () => {
  check(convertAlloy(HOSTED, { unsetEnv: "empty" }), {
    config: {
      forward_to: [{
        url: "https://logs-eu-west.acme.example/loki/api/v1/push",
        basic_auth: { username: "${ACME_LOGS_USER:-}", password: "${ACME_LOGS_KEY:-}" },
      }],
    },
    needsEnv: true,
  });
});

test("loki.relabel reference example: keep only critical entries", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.relabel.only_critical.receiver]
}

loki.relabel "only_critical" {
  forward_to = [loki.write.store.receiver]

  rule {
    action        = "keep"
    source_labels = ["severity"]
    regex         = "crit|fatal"
  }
}

loki.write "store" {
  endpoint {
    url = "http://loki.store.svc:3100/loki/api/v1/push"
  }
}
`);
  check(r, {
    config: {
      relabel_rules: [
        { regex: "__.*", action: "labeldrop" },
        { source_labels: ["severity"], regex: "crit|fatal", action: "keep" },
      ],
      forward_to: [{ url: "http://loki.store.svc:3100/loki/api/v1/push" }],
    },
  });
});

test("without environment references a $ is left as written", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  relabel_rules = loki.relabel.names.rules
  forward_to    = [loki.write.w.receiver]
}

loki.relabel "names" {
  forward_to = []
  rule {
    source_labels = ["k8s_app"]
    target_label  = "app"
    replacement   = "svc-$1-${D}1}"
  }
}

loki.write "w" {
  endpoint {
    url = "http://w.lan:3100/loki/api/v1/push"
  }
}
`);
  check(r, {
    config: {
      relabel_rules: [{
        source_labels: ["k8s_app"],
        target_label: "app",
        replacement: "svc-$1-${1}",
      }],
      forward_to: [{ url: "http://w.lan:3100/loki/api/v1/push" }],
    },
  });
});

const PIPELINE = alloy`
// Edge agents push here; two Loki clusters receive everything.
loki.source.api "edge" {
  http {
    listen_address      = "0.0.0.0"
    listen_port         = 3500
    conn_limit          = 512
    server_read_timeout = "45s"
    tls {
      cert_file        = "/etc/relay/tls/server.crt"
      key_file         = "/etc/relay/tls/server.key"
      client_ca        = local.file.agents_ca.content
      client_auth_type = "RequireAndVerifyClientCert"
      min_version      = "TLS12"
    }
  }
  labels = {
    relay       = "edge-1",
    "team_name" = ${"`"}observability${"`"},
  }
  relabel_rules             = loki.relabel.ingress.rules
  use_incoming_timestamp    = true
  max_send_message_size     = "32MiB"
  graceful_shutdown_timeout = "20s"
  forward_to                = [loki.relabel.tidy.receiver]
}

local.file "agents_ca" {
  filename = "/etc/relay/tls/agents-ca.pem"
}

// Only a rule holder: nothing forwards to it.
loki.relabel "ingress" {
  forward_to = []
  rule {
    source_labels = ["__meta_host", "svc"]
    separator     = "/"
    regex         = "(.+)/(.+)"
    target_label  = "origin"
    replacement   = "$1:${D}2}"
  }
}

loki.relabel "tidy" {
  forward_to = [loki.relabel.shard.receiver]
  rule {
    action = "labeldrop"
    regex  = "pod_uid|container_id"
  }
}

loki.relabel "shard" {
  forward_to     = [loki.write.clusters.receiver]
  max_cache_size = 50000
  rule {
    action        = "hashmod"
    source_labels = ["origin"]
    modulus       = 4
    target_label  = "shard"
  }
  rule {
    source_labels = ["env"]
    regex         = "prod-(.*)"
    target_label  = "env"
    replacement   = "production-$1"
  }
}

loki.write "clusters" {
  external_labels = { relay_region = "eu-2" }

  endpoint {
    name      = "primary"
    url       = sys.env("PRIMARY_LOKI_URL")
    tenant_id = "platform"
    authorization {
      type        = "Bearer"
      credentials = "tok-" + sys.env("PRIMARY_TOKEN")
    }
    headers    = { "X-Relay" = "edge$1" }
    batch_wait = "2s"
    batch_size = "4MiB"
    queue_config {
      capacity          = "64MiB"
      min_shards        = 4
      drain_timeout     = "30s"
      block_on_overflow = false
    }
  }

  endpoint {
    url = "https://backup.logs.example.org/loki/api/v1/push"
    basic_auth {
      username = "relay"
      password = coalesce(sys.env("BACKUP_PASSWORD"), "chang$me")
    }
    tls_config {
      ca_file     = "/etc/relay/tls/backup-ca.pem"
      cert_file   = "/etc/relay/tls/client.crt"
      key_file    = "/etc/relay/tls/client.key"
      server_name = "backup.logs.example.org"
    }
    retry_on_http_429   = false
    max_backoff_retries = 0
    min_backoff_period  = "1s"
    max_backoff_period  = "2m"
    remote_timeout      = "20s"
  }

  wal {
    enabled            = true
    max_segment_age    = "2h"
    drain_timeout      = "1m"
    min_read_frequency = "100ms"
    max_read_frequency = "2s"
  }
}
`;

test("pipeline: source.api → two relabels → write with two endpoints, env secrets, tls, queue, wal", () => {
  check(convertAlloy(PIPELINE), {
    config: {
      http: {
        listen_address: "0.0.0.0",
        listen_port: 3500,
        conn_limit: 512,
        server_read_timeout: "45s",
        tls: {
          cert_file: "/etc/relay/tls/server.crt",
          key_file: "/etc/relay/tls/server.key",
          client_ca_file: "/etc/relay/tls/agents-ca.pem",
          client_auth_type: "RequireAndVerifyClientCert",
          min_version: "TLS12",
        },
      },
      graceful_shutdown_timeout: "20s",
      labels: { relay: "edge-1", team_name: "observability" },
      relabel_rules: [
        {
          source_labels: ["__meta_host", "svc"],
          separator: "/",
          regex: "(.+)/(.+)",
          target_label: "origin",
          replacement: "$$1:$${2}",
        },
        { regex: "__.*", action: "labeldrop" },
        { regex: "pod_uid|container_id", action: "labeldrop" },
        { source_labels: ["origin"], modulus: 4, target_label: "shard", action: "hashmod" },
        {
          source_labels: ["env"],
          regex: "prod-(.*)",
          target_label: "env",
          replacement: "production-$$1",
        },
      ],
      use_incoming_timestamp: true,
      max_send_message_size: "32MiB",
      forward_to: [
        {
          url: "${PRIMARY_LOKI_URL}",
          name: "primary",
          batch_wait: "2s",
          batch_size: "4MiB",
          headers: { "X-Relay": "edge$$1" },
          tenant_id: "platform",
          bearer_token: "tok-${PRIMARY_TOKEN}",
          queue_config: {
            capacity: "64MiB",
            drain_timeout: "30s",
            min_shards: 4,
            block_on_overflow: false,
          },
        },
        {
          url: "https://backup.logs.example.org/loki/api/v1/push",
          remote_timeout: "20s",
          min_backoff_period: "1s",
          max_backoff_period: "2m",
          max_backoff_retries: 0,
          retry_on_http_429: false,
          basic_auth: { username: "relay", password: "${BACKUP_PASSWORD:-chang$$me}" },
          tls_config: {
            ca_file: "/etc/relay/tls/backup-ca.pem",
            cert_file: "/etc/relay/tls/client.crt",
            key_file: "/etc/relay/tls/client.key",
            server_name: "backup.logs.example.org",
          },
        },
      ],
      external_labels: { relay_region: "eu-2" },
      wal: {
        enabled: true,
        drain_timeout: "1m",
        max_segment_age: "2h",
        min_read_frequency: "100ms",
        max_read_frequency: "2s",
      },
    },
    warnings: [
      {
        line: 27,
        message:
          "loki.source.api.edge > http > tls > client_ca: reads local.file.agents_ca as client_ca_file: lokirelay reads the file at start and on each reload, not when it changes; detector, poll_frequency and is_secret have no effect",
      },
      {
        line: 53,
        message:
          "loki.relabel.shard > max_cache_size: no effect: lokirelay caches resolved label sets itself",
      },
      {
        line: 109,
        message:
          "loki.write.clusters > wal: the WAL lives in lokirelay's own wal.dir, not under Alloy's --storage.path; entries left in Alloy's WAL are not replayed",
      },
    ],
    needsEnv: true,
  });
});

test("pipeline output expands back to the values Alloy would use", () => {
  const r = convertAlloy(PIPELINE);
  const expanded = expandEnv(JSON.stringify(r.config, null, 2), {
    PRIMARY_LOKI_URL: "https://primary.lan/loki/api/v1/push",
    PRIMARY_TOKEN: 'ab"c',
  }, { json: true });
  assert.ok(expanded.ok, expanded.ok ? "" : expanded.errors.join("\n"));
  const config = JSON.parse(expanded.text);
  assert.equal(config.relabel_rules[0].replacement, "$1:${2}");
  assert.equal(config.relabel_rules[4].replacement, "production-$1");
  assert.equal(config.forward_to[0].url, "https://primary.lan/loki/api/v1/push");
  assert.equal(config.forward_to[0].bearer_token, 'tok-ab"c');
  assert.deepEqual(config.forward_to[0].headers, { "X-Relay": "edge$1" });
  assert.equal(config.forward_to[1].basic_auth.password, "chang$me");
  const missing = expandEnv(JSON.stringify(r.config, null, 2), {}, { json: true });
  assert.deepEqual(missing, {
    ok: false,
    errors: [
      'line 60: environment variable "PRIMARY_LOKI_URL" is not set (give a default with ${PRIMARY_LOKI_URL:-default})',
      'line 68: environment variable "PRIMARY_TOKEN" is not set (give a default with ${PRIMARY_TOKEN:-default})',
    ],
  });
});

test("a syntax error is the only problem, with its line, and the config is empty", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.write.w.receiver]
  labels = {
    app = "relay"
    env = "prod",
  }
}
`);
  check(r, {
    config: {},
    problems: [{
      line: 4,
      message:
        '4:18: missing "," at the end of the line in object (a multi-line object needs a "," after every element)',
    }],
  });
});

test("untranslatable pieces are problems with their lines; the rest is translated", () => {
  const r = convertAlloy(alloy`
loki.source.api "front" {
  http {
    listen_port = sys.env("RELAY_PORT")
    http2 {
      enabled = true
    }
  }
  grpc {
    listen_port = 9095
  }
  max_inflight_bytes = "64MiB"
  forward_to = [loki.process.parse.receiver]
}

loki.process "parse" {
  forward_to = [loki.write.remote.receiver]
  stage.json {
    expressions = { level = "lvl" }
  }
}

loki.write "remote" {
  max_streams = 5000
  endpoint {
    url = string.format("https://%s/loki/api/v1/push", sys.env("LOKI_HOST"))
    follow_redirects = false
    proxy_url = "http://squid.lan:3128"
    oauth2 {
      client_id = "relay"
    }
    tls_config {
      min_version = "TLS13"
    }
    http_headers = { "X-Team" = ["a", "b"] }
  }
  endpoint {
    url = "http://second.lan/loki/api/v1/push"
    tenant_id = constants.hostname
    authorization {
      type        = "Splunk"
      credentials = "abc"
    }
  }
}

loki.source.api "second" {
  forward_to = []
}

prometheus.scrape "self" {
  targets    = []
  forward_to = []
}

logging {
  level = "info"
}
`);
  const where = "loki.write.remote > endpoint";
  check(r, {
    config: {
      http: {},
      forward_to: [{ tls_config: {} }, { url: "http://second.lan/loki/api/v1/push" }],
    },
    problems: [
      {
        line: 3,
        message:
          "loki.source.api.front > http > listen_port: an environment variable cannot supply a whole number: lokirelay expands variables inside strings only",
      },
      {
        line: 4,
        message:
          "loki.source.api.front > http > http2: lokirelay has no settings for an HTTP/2 server: not translated",
      },
      {
        line: 8,
        message:
          "loki.source.api.front > grpc: lokirelay has no gRPC server (it receives the HTTP push API only): not translated",
      },
      {
        line: 11,
        message: 'loki.source.api.front: unknown attribute "max_inflight_bytes": not translated',
      },
      {
        line: 15,
        message:
          "loki.process.parse sits between loki.source.api and loki.write; lokirelay cannot run loki.process: what it does is not translated",
      },
      {
        line: 23,
        message:
          "loki.write.remote > max_streams: lokirelay has no limit on active streams: not translated",
      },
      {
        line: 25,
        message:
          `${where} > url: function "string.format" cannot be translated (lokirelay's config has no functions; sys.env, env, coalesce and convert.nonsensitive can)`,
      },
      {
        line: 26,
        message: `${where} > follow_redirects: lokirelay always follows redirects: not translated`,
      },
      {
        line: 27,
        message: `${where} > proxy_url: lokirelay does not send through a proxy: not translated`,
      },
      {
        line: 28,
        message: `${where} > oauth2: lokirelay has no OAuth 2.0 client: not translated`,
      },
      {
        line: 32,
        message:
          `${where} > tls_config > min_version: "TLS13": lokirelay's outbound TLS always uses the runtime's minimum (TLS 1.2): not translated`,
      },
      {
        line: 34,
        message:
          `${where} > http_headers > X-Team: only one value per header can be translated (lokirelay's headers map a name to one string)`,
      },
      {
        line: 38,
        message:
          `${where} > tenant_id: constants.hostname: lokirelay's config has no references or constants: not translated`,
      },
      {
        line: 40,
        message:
          `${where} > authorization > type: "Splunk": lokirelay sends only Bearer credentials (bearer_token): not translated`,
      },
      {
        line: 46,
        message:
          "loki.source.api.second: lokirelay runs one loki.source.api; only loki.source.api.front (line 1) is translated",
      },
      { line: 50, message: "prometheus.scrape.self: not part of the loki pipeline: ignored" },
      { line: 55, message: "logging: not part of the loki pipeline: ignored" },
    ],
  });
});

test("a fan-out through different rules and differing external_labels are problems", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [
    loki.relabel.scrub.receiver,
    loki.write.archive.receiver,
  ]
}

loki.relabel "scrub" {
  forward_to = [loki.write.live.receiver]
  rule {
    action = "labeldrop"
    regex  = "trace_id"
  }
}

loki.write "live" {
  endpoint { url = "http://live.lan:3100/loki/api/v1/push" }
}

loki.write "archive" {
  external_labels = { tier = "cold" }
  endpoint { url = "http://archive.lan:3100/loki/api/v1/push" }
}
`);
  check(r, {
    config: {
      relabel_rules: [
        { regex: "__.*", action: "labeldrop" },
        { regex: "trace_id", action: "labeldrop" },
      ],
      forward_to: [
        { url: "http://live.lan:3100/loki/api/v1/push" },
        { url: "http://archive.lan:3100/loki/api/v1/push" },
      ],
    },
    problems: [
      {
        line: 2,
        message:
          "loki.source.api fans out through different relabel rules (loki.relabel.scrub → loki.write.live; loki.write.archive); lokirelay applies one relabel_rules list to every endpoint: the rules of loki.relabel.scrub → loki.write.live are used",
      },
      {
        line: 20,
        message:
          "loki.write.archive: external_labels is not the same as in loki.write.live; lokirelay has one top-level external_labels: loki.write.live's is used",
      },
    ],
  });
});

test("two loki.write components with the same external_labels and wal merge cleanly", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.write.a.receiver, loki.write.b.receiver]
}
loki.write "a" {
  external_labels = { site = "x" }
  endpoint { url = "http://a.lan/loki/api/v1/push" }
}
loki.write "b" {
  external_labels = { site = "x" }
  endpoint { url = "http://b.lan/loki/api/v1/push" }
  endpoint { url = "http://c.lan/loki/api/v1/push" }
}
`);
  check(r, {
    config: {
      forward_to: [
        { url: "http://a.lan/loki/api/v1/push" },
        { url: "http://b.lan/loki/api/v1/push" },
        { url: "http://c.lan/loki/api/v1/push" },
      ],
      external_labels: { site: "x" },
    },
  });
});

test("a loki.write reached by two routes would get each entry twice in Alloy", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.write.one.receiver, loki.relabel.noop.receiver]
}
loki.relabel "noop" {
  forward_to = [loki.write.one.receiver]
}
loki.write "one" {
  endpoint { url = "http://one.lan/loki/api/v1/push" }
}
`);
  check(r, {
    config: { forward_to: [{ url: "http://one.lan/loki/api/v1/push" }] },
    problems: [{
      line: 7,
      message:
        "loki.write.one is reached by 2 routes from loki.source.api: Alloy sends each entry 2 times, lokirelay once",
    }],
  });
});

const TENANT_RULES = alloy`
loki.source.api "edge" {
  forward_to = [loki.relabel.tenants.receiver]
}

loki.relabel "tenants" {
  forward_to = [loki.write.out.receiver]
  rule {
    source_labels = ["__tenant_id__"]
    target_label  = "tenant"
  }
  rule {
    target_label = "__tenant_id__"
    replacement  = "shared"
  }
  rule {
    action = "labelkeep"
    regex  = "app|env"
  }
  rule {
    action = "labelkeep"
    regex  = "app|env|__tenant_id__"
  }
  rule {
    action = "labeldrop"
    regex  = "__.+"
  }
  rule {
    action      = "labelmap"
    regex       = "__(tenant)_id__"
    replacement = "$1"
  }
  rule {
    action = "labeldrop"
    regex  = "(?i)TEMP"
  }
}

loki.write "out" {
  endpoint { url = "http://out.lan/loki/api/v1/push" }
}
`;

test("rules after loki.source.api that touch __tenant_id__ are problems (kept for other labels)", () => {
  const r = convertAlloy(TENANT_RULES);
  const head =
    "loki.relabel.tenants > rule: after loki.source.api Alloy holds the push's X-Scope-OrgID in the label __tenant_id__; this rule";
  assert.deepEqual(r.problems, [
    {
      line: 7,
      message:
        `${head} reads __tenant_id__, which lokirelay never shows to rules (kept for the other labels)`,
    },
    {
      line: 11,
      message:
        `${head} sets __tenant_id__, which Alloy's loki.write sends as the tenant; lokirelay cannot change the tenant by rule (kept for the other labels)`,
    },
    {
      line: 15,
      message:
        `${head} removes __tenant_id__, so Alloy's loki.write falls back to the endpoint's tenant_id; lokirelay keeps the client's tenant (kept for the other labels)`,
    },
    {
      line: 23,
      message:
        `${head} removes __tenant_id__, so Alloy's loki.write falls back to the endpoint's tenant_id; lokirelay keeps the client's tenant (kept for the other labels)`,
    },
    {
      line: 27,
      message:
        `${head} copies __tenant_id__ into a label, which lokirelay cannot (it never shows the tenant to rules) (kept for the other labels)`,
    },
    {
      line: 32,
      message:
        `${head} may touch __tenant_id__ (could not tell whether "(?i)TEMP" matches it) (kept for the other labels)`,
    },
  ]);
  assert.equal((r.config.relabel_rules as unknown[]).length, 8);
  // An exact regex engine settles the (?i) rule.
  const exact = convertAlloy(TENANT_RULES, {
    matchesRegex: (regex, value) => regex === "(?i)TEMP" ? /^temp$/i.test(value) : undefined,
  });
  assert.deepEqual(exact.problems.map((p) => p.line), [7, 11, 15, 19, 23, 27]);
});

test("loki.source.api's own relabel_rules never see __tenant_id__, so they are not checked", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  relabel_rules = loki.relabel.own.rules
  forward_to    = [loki.write.out.receiver]
}
loki.relabel "own" {
  forward_to = []
  rule {
    action = "labelkeep"
    regex  = "app"
  }
}
loki.write "out" {
  endpoint { url = "http://out.lan/loki/api/v1/push" }
}
`);
  check(r, {
    config: {
      relabel_rules: [{ regex: "app", action: "labelkeep" }],
      forward_to: [{ url: "http://out.lan/loki/api/v1/push" }],
    },
  });
});

test("relabel_rules from array.concat, discovery.relabel and rule objects; local.file secrets", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  relabel_rules = array.concat(loki.relabel.base.rules, discovery.relabel.extra.rules, [{ action = "drop", source_labels = ["noise"], regex = "yes" }])
  forward_to = [loki.write.out.receiver]
}

loki.relabel "base" {
  forward_to = []
  rule {
    target_label = "relayed"
    replacement  = "true"
  }
}

discovery.relabel "extra" {
  targets = []
  rule {
    action        = "lowercase"
    source_labels = ["Host"]
    target_label  = "host"
  }
}

local.file "pw" {
  filename  = sys.env("SECRETS_DIR") + "/loki-password"
  is_secret = true
}

local.file "token" {
  filename = "/run/secrets/token"
}

loki.write "out" {
  endpoint {
    url = "http://a.lan/loki/api/v1/push"
    basic_auth {
      username = "u"
      password = local.file.pw.content
    }
  }
  endpoint {
    url          = "http://b.lan/loki/api/v1/push"
    bearer_token = convert.nonsensitive(local.file.token.content)
  }
  endpoint {
    url       = "http://c.lan/loki/api/v1/push"
    tenant_id = local.file.token.content
  }
}
`);
  const reads = "lokirelay reads the file at start and on each reload, not when it changes";
  const trims = "and trims surrounding whitespace (Alloy's content keeps a trailing newline)";
  const rest = "detector, poll_frequency and is_secret have no effect";
  check(r, {
    config: {
      relabel_rules: [
        { target_label: "relayed", replacement: "true" },
        { source_labels: ["Host"], target_label: "host", action: "lowercase" },
        { source_labels: ["noise"], regex: "yes", action: "drop" },
      ],
      forward_to: [
        {
          url: "http://a.lan/loki/api/v1/push",
          basic_auth: { username: "u", password_file: "${SECRETS_DIR}/loki-password" },
        },
        { url: "http://b.lan/loki/api/v1/push", bearer_token_file: "/run/secrets/token" },
        { url: "http://c.lan/loki/api/v1/push" },
      ],
    },
    problems: [{
      line: 46,
      message:
        "loki.write.out > endpoint > tenant_id: local.file.token.content: only secret and PEM fields can come from a local.file (as their *_file twin): not translated",
    }],
    warnings: [
      {
        line: 23,
        message:
          `loki.write.out > endpoint > basic_auth > password: reads local.file.pw as password_file: ${reads}, ${trims}; ${rest}`,
      },
      {
        line: 28,
        message:
          `loki.write.out > endpoint > bearer_token: reads local.file.token as bearer_token_file: ${reads}, ${trims}; ${rest}`,
      },
    ],
    needsEnv: true,
  });
});

test("references, loops, duplicates and stray components are reported with their lines", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.relabel.a.receiver, loki.write.ghost.receiver, loki.write.out.rules]
  labels = { app = "x", app = "y" }
  labels = {}
  http { listen_port = 1 }
  http { listen_port = 2 }
  http "x" { }
}

loki.relabel "a" {
  forward_to = [loki.relabel.b.receiver]
  rule { target_label = "x" }
}

loki.relabel "b" {
  forward_to = [loki.relabel.a.receiver]
}

loki.write "out" {
  endpoint { url = "http://out.lan/p" }
}

loki.write {
}

loki.relabel "unused" {
  forward_to = []
}

loki.source.file "files" {
  targets    = []
  forward_to = []
}
top_level = 1
`);
  check(r, {
    config: { http: { listen_port: 1 }, labels: { app: "x" } },
    problems: [
      {
        line: 2,
        message:
          "loki.source.api.edge > forward_to: loki.write.ghost.receiver: no component loki.write.ghost in this file",
      },
      {
        line: 2,
        message:
          "loki.source.api.edge > forward_to: loki.write.out.rules is not a receiver: not translated",
      },
      {
        line: 2,
        message:
          "loki.source.api.edge > forward_to: reaches no loki.write, so Alloy discards every entry; without forward_to lokirelay would print entries to stdout",
      },
      {
        line: 3,
        message: 'loki.source.api.edge > labels: key "app" is set twice; the first is used',
      },
      {
        line: 4,
        message:
          'loki.source.api.edge: "labels" is set twice (Alloy refuses this); the first is used',
      },
      {
        line: 6,
        message:
          'loki.source.api.edge: block "http" appears twice (Alloy refuses this); the first is used',
      },
      {
        line: 7,
        message:
          'loki.source.api.edge: block "http" cannot have a label (Alloy refuses this): not translated',
      },
      {
        line: 16,
        message:
          "loki.relabel.b > forward_to: loki.relabel.a is already on this route (a loop): not translated",
      },
      {
        line: 23,
        message: "loki.write: a component needs a label (Alloy refuses it): ignored",
      },
      {
        line: 30,
        message:
          "loki.source.file.files: lokirelay receives only the Loki push API (loki.source.api): ignored",
      },
      {
        line: 34,
        message: 'top-level attribute "top_level": not part of the loki pipeline: ignored',
      },
    ],
    warnings: [
      { line: 19, message: "loki.write.out is not reached from loki.source.api.edge: ignored" },
      {
        line: 26,
        message:
          "loki.relabel.unused is neither reached from loki.source.api.edge nor used for its rules: ignored",
      },
    ],
  });
});

test("settings with no effect in lokirelay are warnings", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  http {
    http2 {
      enabled = false
    }
  }
  forward_to = [loki.relabel.sink.receiver, loki.write.out.receiver]
}

loki.relabel "sink" {
  forward_to = []
}

loki.write "out" {
  max_streams = 0
  endpoint {
    url                    = "http://out.lan/loki/api/v1/push"
    enable_http2           = true
    follow_redirects       = true
    proxy_from_environment = false
    basic_auth {
      password = "only-a-password"
    }
    tls_config {
      insecure_skip_verify = true
      min_version          = "TLS12"
    }
  }
}
`);
  const at = "loki.write.out > endpoint";
  check(r, {
    config: {
      http: {},
      forward_to: [{
        url: "http://out.lan/loki/api/v1/push",
        basic_auth: { username: "", password: "only-a-password" },
        tls_config: { insecure_skip_verify: true },
      }],
    },
    warnings: [
      {
        line: 3,
        message:
          "loki.source.api.edge > http > http2: HTTP/2 is disabled here (Alloy's default): no effect",
      },
      {
        line: 10,
        message:
          "loki.relabel.sink forwards to nothing: the entries reaching it are discarded, in Alloy too",
      },
      {
        line: 15,
        message: "loki.write.out > max_streams: 0 has no effect (no limit, as in lokirelay)",
      },
      {
        line: 18,
        message: `${at} > enable_http2: no effect: the runtime's fetch chooses the HTTP version`,
      },
      {
        line: 19,
        message:
          `${at} > follow_redirects: no effect: lokirelay follows redirects, as Alloy does by default`,
      },
      { line: 20, message: `${at} > proxy_from_environment: set to its default: no effect` },
      {
        line: 26,
        message:
          `${at} > tls_config > min_version: "TLS12" has no effect: it is the runtime's minimum already`,
      },
    ],
  });
});

test("values: implicit number conversion, null as unset, octal, and what cannot be a value", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  http {
    listen_port    = "3500"
    conn_limit     = 010
    listen_address = null
    server_idle_timeout = 90
  }
  labels = { build = 42, owner = sys.env("MY-TEAM"), region = coalesce(sys.env("REGION"), "a}b") }
  use_incoming_timestamp = "yes"
  max_send_message_size  = 1048576
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url                 = "http://out.lan/loki/api/v1/push"
    tenant_id           = coalesce(sys.env("TENANT"), sys.env("FALLBACK_TENANT"))
    name                = coalesce("", "named")
    max_backoff_retries = 2.5
    headers             = { "X-Calc" = 1 * 2 }
  }
}
`);
  check(r, {
    config: {
      http: { listen_port: 3500, conn_limit: 8 },
      labels: { build: "42" },
      max_send_message_size: 1048576,
      forward_to: [{ url: "http://out.lan/loki/api/v1/push", name: "named", headers: {} }],
    },
    problems: [
      {
        line: 6,
        message:
          'loki.source.api.edge > http > server_idle_timeout: a duration is a string such as "10s", got 90',
      },
      {
        line: 8,
        message:
          'loki.source.api.edge > labels > owner: sys.env("MY-TEAM"): lokirelay\'s ${NAME} takes only letters, digits and "_" (not starting with a digit): not translated',
      },
      {
        line: 8,
        message:
          'loki.source.api.edge > labels > region: the default "a}b" cannot contain "}" in ${NAME:-default}',
      },
      {
        line: 9,
        message:
          'loki.source.api.edge > use_incoming_timestamp: expected true or false, got "yes": not translated',
      },
      {
        line: 16,
        message:
          'loki.write.out > endpoint > tenant_id: coalesce() is translated only as coalesce(sys.env("NAME"), "literal default")',
      },
      {
        line: 18,
        message:
          "loki.write.out > endpoint > max_backoff_retries: expected a whole number, got 2.5: not translated",
      },
      {
        line: 19,
        message:
          'loki.write.out > endpoint > headers > X-Calc: operator "*" cannot be translated into a string',
      },
    ],
  });
});

test("a file without loki.source.api has one file-level problem (line 0)", () => {
  const r = convertAlloy(alloy`
loki.write "out" {
  endpoint { url = "http://out.lan/loki/api/v1/push" }
}
`);
  check(r, {
    config: {},
    problems: [{ line: 0, message: "no loki.source.api component: there is nothing to translate" }],
    warnings: [{ line: 1, message: "loki.write.out is not reached from loki.source.api: ignored" }],
  });
});

test("a loki.source.api without forward_to, and a loki.write without endpoints", () => {
  check(convertAlloy('loki.source.api "a" {\n  labels = {}\n}\n'), {
    config: { labels: {} },
    problems: [{
      line: 1,
      message: "loki.source.api.a: forward_to is missing (Alloy requires it)",
    }],
  });
  check(
    convertAlloy(
      'loki.source.api "a" {\n  forward_to = [loki.write.w.receiver]\n}\nloki.write "w" {\n}\n',
    ),
    {
      config: {},
      problems: [{
        line: 4,
        message:
          "no endpoint block in loki.write.w: Alloy discards every entry; without forward_to lokirelay would print entries to stdout",
      }],
    },
  );
});

test("the server's client_ca and client_ca_pem both become client_ca_pem; cipher_suites is kept", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  http {
    tls {
      cert_pem         = "CERT"
      key_pem          = "KEY"
      client_ca_pem    = "CA"
      client_auth_type = "VerifyClientCertIfGiven"
      cipher_suites    = "TLS_AES_128_GCM_SHA256"
    }
  }
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url = "https://out.lan/loki/api/v1/push"
    authorization {
      credentials_file = "/run/secrets/out-token"
    }
  }
}
`);
  check(r, {
    config: {
      http: {
        tls: {
          cert_pem: "CERT",
          key_pem: "KEY",
          client_ca_pem: "CA",
          client_auth_type: "VerifyClientCertIfGiven",
          cipher_suites: "TLS_AES_128_GCM_SHA256",
        },
      },
      forward_to: [{
        url: "https://out.lan/loki/api/v1/push",
        bearer_token_file: "/run/secrets/out-token",
      }],
    },
  });
});

test("keys and literals with $ are escaped once the config needs env expansion", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  labels = { "cost$" = "$5", token = sys.env("T") }
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint { url = "http://out.lan/loki/api/v1/push" }
}
`);
  check(r, {
    config: {
      labels: { "cost$$": "$$5", token: "${T}" },
      forward_to: [{ url: "http://out.lan/loki/api/v1/push" }],
    },
    needsEnv: true,
  });
});

test("a key named __proto__ is an ordinary key", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  labels = { "__proto__" = "x" }
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint { url = "http://out.lan/loki/api/v1/push" }
}
`);
  assert.equal(
    JSON.stringify(r.config),
    '{"labels":{"__proto__":"x"},"forward_to":[{"url":"http://out.lan/loki/api/v1/push"}]}',
  );
});

test("forward_to must be a list of receivers", () => {
  check(convertAlloy('loki.source.api "a" {\n  forward_to = loki.write.w.receiver\n}\n'), {
    config: {},
    problems: [
      {
        line: 2,
        message:
          "loki.source.api.a > forward_to: expected a list of receivers, got loki.write.w.receiver: not translated",
      },
      {
        line: 2,
        message:
          "loki.source.api.a > forward_to: reaches no loki.write, so Alloy discards every entry; without forward_to lokirelay would print entries to stdout",
      },
    ],
  });
  const r = convertAlloy('loki.source.api "a" {\n  forward_to = [\n    sys.env("W"),\n  ]\n}\n');
  assert.deepEqual(r.problems, [
    {
      line: 2,
      message:
        "loki.source.api.a > forward_to: reaches no loki.write, so Alloy discards every entry; without forward_to lokirelay would print entries to stdout",
    },
    {
      line: 3,
      message:
        "loki.source.api.a > forward_to: sys.env(...) is not a component's receiver: not translated",
    },
  ]);
});

test("dropping any one line of the pipeline never throws: a result with notes comes back", () => {
  const lines = PIPELINE.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const text = [...lines.slice(0, i), ...lines.slice(i + 1)].join("\n");
    const r = convertAlloy(text);
    assert.equal(typeof r.config, "object");
    for (const note of [...r.problems, ...r.warnings]) {
      assert.ok(Number.isInteger(note.line) && note.line >= 0 && note.message !== "");
    }
  }
});

test("a second loki.write without endpoints or with another wal", () => {
  const r = convertAlloy(alloy`
loki.source.api "edge" {
  forward_to = [loki.write.main.receiver, loki.write.empty.receiver]
}
loki.write "main" {
  endpoint { url = "http://main.lan/loki/api/v1/push" }
  wal { enabled = false }
}
loki.write "empty" {
}
`);
  check(r, {
    config: {
      forward_to: [{ url: "http://main.lan/loki/api/v1/push" }],
      wal: { enabled: false },
    },
    problems: [{
      line: 8,
      message:
        "loki.write.empty: wal is not the same as in loki.write.main; lokirelay has one top-level wal: loki.write.main's is used",
    }],
    warnings: [{
      line: 8,
      message: "loki.write.empty has no endpoint block: Alloy discards what it receives",
    }],
  });
});

test("the pipeline's config is one the loader takes, its wal block included", () => {
  const r = convertAlloy(PIPELINE);
  const expanded = expandEnv(JSON.stringify(r.config, null, 2), {
    PRIMARY_LOKI_URL: "https://primary.lan/loki/api/v1/push",
    PRIMARY_TOKEN: "t",
  }, { json: true });
  assert.ok(expanded.ok);
  const config = JSON.parse(expanded.text);
  assert.equal(config.wal.enabled, true);
  const loaded = resolveSettings(config, (path) => `PEM of ${path}`);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("\n"));
  assert.equal(loaded.settings.forward?.endpoints.length, 2);
  assert.equal(loaded.settings.listener.tls?.clientCaPem, "PEM of /etc/relay/tls/agents-ca.pem");
  assert.equal(loaded.settings.wal?.fsync, "always");
});

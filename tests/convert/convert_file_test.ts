// `lokirelay convert` as a function: what it prints, on which stream, and its exit code; and that
// what it prints is a config the loader takes (expanded with --config-expand-env's rules).
import { test } from "node:test";
import assert from "node:assert/strict";
import { convertFile } from "../../src/convert/convert_file.ts";
import { loadConfig } from "../../src/config/load_config.ts";

const PIPELINE = `// An edge relay: the Alloy pipeline lokirelay replaces.
loki.source.api "edge" {
  http {
    listen_address = "0.0.0.0"
    listen_port    = 3500
  }
  labels     = { relay = "edge-1" }
  forward_to = [loki.relabel.tidy.receiver]
}

loki.relabel "tidy" {
  forward_to = [loki.write.central.receiver]
  rule {
    action = "labeldrop"
    regex  = "pod_uid"
  }
  rule {
    source_labels = ["env"]
    regex         = "prod-(.*)"
    target_label  = "env"
    replacement   = "production-$1"
  }
}

loki.write "central" {
  endpoint {
    url          = sys.env("LOKI_URL")
    bearer_token = env("LOKI_TOKEN")
    enable_http2 = true
  }
  external_labels = { region = "eu-2" }
}
`;

test("a pipeline converts to JSON on stdout; warnings and the env hint go to stderr", () => {
  const r = convertFile("edge.alloy", PIPELINE, { partial: false });
  assert.equal(r.code, 0);
  assert.equal(
    r.stderr,
    "edge.alloy:29: warning: loki.write.central > endpoint > enable_http2: no effect: the " +
      "runtime's fetch chooses the HTTP version\n" +
      "the config holds ${VAR} references: run lokirelay with --config-expand-env\n",
  );
  assert.deepEqual(JSON.parse(r.stdout), {
    $schema: "./lokirelay.schema.json",
    http: { listen_address: "0.0.0.0", listen_port: 3500 },
    labels: { relay: "edge-1" },
    relabel_rules: [
      { regex: "__.*", action: "labeldrop" },
      { regex: "pod_uid", action: "labeldrop" },
      {
        source_labels: ["env"],
        regex: "prod-(.*)",
        target_label: "env",
        replacement: "production-$$1",
      },
    ],
    forward_to: [{ url: "${LOKI_URL}", bearer_token: "${LOKI_TOKEN}" }],
    external_labels: { region: "eu-2" },
  });
  assert.ok(r.stdout.startsWith('{\n  "$schema": "./lokirelay.schema.json",\n  "http"'));
});

test("the printed config loads with --config-expand-env, giving Alloy's values", () => {
  const { stdout } = convertFile("edge.alloy", PIPELINE, { partial: false });
  const env = { LOKI_URL: "https://loki.lan/loki/api/v1/push", LOKI_TOKEN: 's3"cret' };
  const loaded = loadConfig("edge.json", undefined, () => stdout, env);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("\n"));
  const ep = loaded.settings.forward!.endpoints[0];
  assert.equal(ep.url, "https://loki.lan/loki/api/v1/push");
  assert.equal(ep.headers.authorization, 'Bearer s3"cret');
  assert.equal(loaded.settings.receive.relabelRules[2].replacement, "production-$1");
  const unset = loadConfig("edge.json", undefined, () => stdout, {});
  assert.deepEqual(!unset.ok && unset.errors.map((e) => e.split(" (")[0]), [
    'edge.json: line 30: environment variable "LOKI_URL" is not set',
    'edge.json: line 31: environment variable "LOKI_TOKEN" is not set',
  ]);
});

const UNTRANSLATABLE = `loki.source.api "in" {
  forward_to = [loki.process.parse.receiver]
}
loki.process "parse" {
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url = "http://loki:3100/loki/api/v1/push"
  }
}
`;

test("problems: each on stderr with its line, nothing on stdout, exit 1; --partial prints", () => {
  const r = convertFile("in.alloy", UNTRANSLATABLE, { partial: false });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.deepEqual(r.stderr.trim().split("\n"), [
    "in.alloy:4: loki.process.parse sits between loki.source.api and loki.write; lokirelay " +
    "cannot run loki.process: what it does is not translated",
    "1 problem(s): nothing printed; --partial prints what was translated",
  ]);
  const p = convertFile("in.alloy", UNTRANSLATABLE, { partial: true });
  assert.equal(p.code, 0);
  assert.match(p.stderr, /^in\.alloy:4: loki\.process\.parse sits between/);
  assert.deepEqual(JSON.parse(p.stdout).forward_to, [{ url: "http://loki:3100/loki/api/v1/push" }]);
});

test("a file-wide problem has no line; a syntax error names line:col", () => {
  const none = convertFile("x.alloy", 'loki.write "w" {\n}\n', { partial: false });
  assert.match(none.stderr, /^x\.alloy: no loki\.source\.api component/);
  const bad = convertFile("y.alloy", 'loki.source.api "a" {\n  forward_to = [\n}\n', {
    partial: false,
  });
  assert.match(bad.stderr, /^y\.alloy:3: 3:1: expected a value, got "}"$/m);
  assert.equal(bad.code, 1);
});

test("__tenant_id__ checks run the rule's regex with RE2, as the relay does", () => {
  const alloy = (regex: string) =>
    `loki.source.api "in" {
  forward_to = [loki.relabel.r.receiver]
}
loki.relabel "r" {
  forward_to = [loki.write.w.receiver]
  rule {
    action = "labeldrop"
    regex  = "${regex}"
  }
}
loki.write "w" {
  endpoint {
    url = "http://loki/push"
  }
}
`;
  // (?i) is RE2 only: JavaScript's RegExp cannot tell whether it matches __tenant_id__.
  const re2 = convertFile("t.alloy", alloy("(?i)__TENANT_ID__"), { partial: true });
  assert.match(re2.stderr, /this rule removes __tenant_id__/);
  const other = convertFile("t.alloy", alloy("tmp_.*"), { partial: false });
  assert.equal(other.code, 0, other.stderr);
});

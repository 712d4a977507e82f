import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveSettings } from "../../src/config/resolve_settings.ts";

const files: Record<string, string> = {
  "/s/password": "pa ss\n",
  "/s/token": "tok\n",
  "/s/ca.pem": "CA PEM",
  "/s/cert.pem": "CERT PEM",
  "/s/key.pem": "KEY PEM",
};
const readFile = (path: string) => {
  if (path in files) return files[path];
  throw new Error(`ENOENT: no such file ${path}`);
};

test("resolveSettings() turns every duration into ms, every size into bytes, once", () => {
  const r = resolveSettings({
    http: { listen_port: 0, server_read_timeout: "1m30s", server_idle_timeout: "0" },
    graceful_shutdown_timeout: "2s",
    max_send_message_size: "1KiB",
    max_inflight_bytes: 4096,
    forward_to: [{
      url: "http://loki:3100/loki/api/v1/push",
      batch_wait: "250ms",
      batch_size: "64KB",
      remote_timeout: "3s",
      min_backoff_period: "100ms",
      max_backoff_period: "1h",
      queue_config: { capacity: "2MiB", drain_timeout: "1m", min_shards: 3 },
    }],
  });
  assert.ok(r.ok);
  const { listener, receive, forward } = r.settings;
  assert.deepEqual(listener, {
    hostname: "",
    port: 0,
    connLimit: 0,
    readTimeoutMs: 90_000,
    writeTimeoutMs: 30_000,
    idleTimeoutMs: 0,
    gracefulShutdownMs: 2000,
  });
  assert.equal(receive.maxMessageBytes, 1024);
  assert.equal(receive.maxInflightBytes, 4096);
  assert.deepEqual(forward!.endpoints[0], {
    url: "http://loki:3100/loki/api/v1/push",
    host: "loki:3100",
    batchWaitMs: 250,
    batchSizeBytes: 65_536,
    timeoutMs: 3000,
    minBackoffMs: 100,
    maxBackoffMs: 3_600_000,
    maxRetries: 10,
    retryOn429: true,
    headers: {},
    capacityBytes: 2_097_152,
    drainTimeoutMs: 60_000,
    shards: 3,
    blockOnOverflow: true,
  });
});

test("resolveSettings() fills each default in one place; max_send_message_size 0 is the default", () => {
  const r = resolveSettings({ max_send_message_size: 0 });
  assert.ok(r.ok);
  assert.equal(r.settings.receive.maxMessageBytes, 100 * 1024 * 1024);
  assert.equal(r.settings.forward, undefined, "no forward_to: stdout");
  assert.deepEqual(r.settings.receive.relabelRules, []);
  const rules = resolveSettings({ relabel_rules: [{ action: "drop", source_labels: ["a"] }] });
  assert.ok(rules.ok);
  assert.deepEqual(rules.settings.receive.relabelRules[0], {
    source_labels: ["a"],
    separator: ";",
    regex: "(.*)",
    modulus: 0,
    target_label: "",
    replacement: "$1",
    action: "drop",
  });
});

test("resolveSettings() reads every secret and TLS file and builds the auth header", () => {
  const r = resolveSettings({
    http: { tls: { cert_file: "/s/cert.pem", key_file: "/s/key.pem" } },
    forward_to: [
      {
        url: "https://a/push",
        headers: { "X-Team": "edge" },
        basic_auth: { username: "ü", password_file: "/s/password" },
        tls_config: { ca_file: "/s/ca.pem", cert_file: "/s/cert.pem", key_pem: "INLINE" },
      },
      { url: "http://b/push", bearer_token_file: "/s/token", tenant_id: "t1" },
    ],
  }, readFile);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.settings.listener.tls?.certPem, "CERT PEM");
  assert.equal(r.settings.listener.tls?.keyPem, "KEY PEM");
  const [a, b] = r.settings.forward!.endpoints;
  const basic = new TextEncoder().encode("ü:pa ss");
  assert.deepEqual(a.headers, {
    "x-team": "edge",
    authorization: "Basic " + btoa(String.fromCharCode(...basic)),
  });
  assert.deepEqual(a.tls, {
    insecureSkipVerify: false,
    caPem: "CA PEM",
    certPem: "CERT PEM",
    keyPem: "INLINE",
  });
  assert.equal(b.headers.authorization, "Bearer tok");
  assert.equal(b.tenantId, "t1");
});

test("resolveSettings() lists every unreadable file with its field path; never throws", () => {
  const r = resolveSettings({
    http: {
      tls: {
        cert_file: "/nope/c",
        key_pem: "K",
        client_ca_file: "/nope/ca",
        client_auth_type: "RequireAndVerifyClientCert",
      },
    },
    forward_to: [{ url: "http://a/push" }, {
      url: "http://b/push",
      basic_auth: { username: "u", password_file: "/nope/p" },
    }],
  }, readFile);
  assert.deepEqual(!r.ok && r.errors, [
    'http.tls.cert_file: cannot read "/nope/c": ENOENT: no such file /nope/c',
    'http.tls.client_ca_file: cannot read "/nope/ca": ENOENT: no such file /nope/ca',
    'forward_to[1].basic_auth.password_file: cannot read "/nope/p": ENOENT: no such file /nope/p',
  ]);
});

test("resolveSettings() reports schema errors before reading any file", () => {
  let reads = 0;
  const r = resolveSettings(
    { forward_to: [{ url: "htp:/x", bearer_token_file: "/s/token" }] },
    (p) => (reads++, readFile(p)),
  );
  assert.deepEqual(!r.ok && r.errors, ['forward_to[0].url: "htp:/x" is not a valid URL']);
  assert.equal(reads, 0);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/parse_config.ts";
import { createRelay } from "../../src/relay.ts";

test("parseConfig() fills Alloy's defaults", () => {
  const r = parseConfig({});
  assert.ok(r.ok);
  assert.deepEqual(r.config.http, {
    listen_address: "",
    listen_port: 8080,
    conn_limit: 0,
    server_read_timeout: "30s",
    server_write_timeout: "30s",
    server_idle_timeout: "120s",
  });
  assert.equal(r.config.graceful_shutdown_timeout, "30s");
  assert.deepEqual(r.config.labels, {});
  assert.deepEqual(r.config.relabel_rules, []);
  assert.equal(r.config.use_incoming_timestamp, false);
  assert.equal(r.config.max_send_message_size, "100MiB");
  assert.equal(r.config.forward_to, undefined);
});

test("parseConfig() keeps the other defaults of a partly given block", () => {
  const r = parseConfig({ http: { listen_port: 9999 } });
  assert.ok(r.ok);
  assert.equal(r.config.http.listen_port, 9999);
  assert.equal(r.config.http.server_read_timeout, "30s");
});

test("parseConfig() reports every error with its path and the bad value", () => {
  const r = parseConfig({
    http: { listen_port: "80", port: 1 },
    labels: { env: 5 },
    use_incoming_timestamp: "yes",
    max_send_message_size: "12 bananas",
    forward_to: [
      { url: "http://ok:3100/loki/api/v1/push", queue_config: { min_shards: 0 } },
      { url: "ftp://x" },
      {},
    ],
  });
  assert.ok(!r.ok);
  assert.deepEqual(r.errors.sort(), [
    "forward_to[0].queue_config.min_shards: 0 is out of range (Too small: expected number to be >=1)",
    'forward_to[1].url: "ftp://x" is not a valid URL',
    "forward_to[2].url: required",
    'http.listen_port: expected number, got "80"',
    "http.port: unknown field",
    "labels.env: expected string, got 5",
    'max_send_message_size: "12 bananas" is not a size (e.g. "100MiB", "512KiB", 1048576)',
    'use_incoming_timestamp: expected boolean, got "yes"',
  ]);
});

test("parseConfig() refuses a config that is not an object", () => {
  const r = parseConfig([1]);
  assert.ok(!r.ok);
  assert.match(r.errors[0], /^\(top level\): expected object, got \[1\]/);
});

test("createRelay() refuses an invalid config with every error in one RangeError", () => {
  assert.throws(
    () => createRelay({ labels: { a: 1 }, bogus: true } as never),
    (err: Error) =>
      err instanceof RangeError && /labels\.a: expected string/.test(err.message) &&
      /bogus: unknown field/.test(err.message),
  );
});

test("parseConfig() checks the tls block as Alloy does, and more", () => {
  const fields = parseConfig({
    http: {
      tls: {
        cert_file: "c",
        key_file: "k",
        min_version: "TLS99",
        cipher_suites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_BOGUS",
      },
    },
  });
  assert.ok(!fields.ok);
  assert.deepEqual(fields.errors.sort(), [
    'http.tls.cipher_suites: cipher suite "TLS_BOGUS" not recognized',
    'http.tls.min_version: "TLS99" is not one of TLS10, TLS11, TLS12, TLS13',
  ]);
  const pairs = parseConfig({
    http: { tls: { cert_pem: "x", cert_file: "y", client_ca_file: "ca.pem" } },
  });
  assert.ok(!pairs.ok);
  assert.deepEqual(pairs.errors.sort(), [
    "http.tls.cert_pem: cert_pem and cert_file are mutually exclusive",
    "http.tls.client_auth_type: a client CA is configured but client_auth_type is NoClientCert",
    "http.tls.key_pem: key_pem or key_file is required",
  ]);
  const verify = parseConfig({
    http: {
      tls: { cert_file: "c", key_file: "k", client_auth_type: "RequireAndVerifyClientCert" },
    },
  });
  assert.ok(!verify.ok);
  assert.match(verify.errors[0], /needs client_ca_pem or client_ca_file/);
  const alias = parseConfig({
    http: { tls: { cert_file: "c", key_file: "k", client_auth_type: "RequireClientCert" } },
  });
  assert.equal(alias.ok && alias.config.http.tls?.client_auth_type, "RequireAnyClientCert");
});

// The executable's http block end to end: TLS from files, /metrics after known traffic, reload.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRelay } from "./helpers/spawn_relay.ts";
import { makeCerts } from "./helpers/certs.ts";
import { curl } from "./helpers/curl.ts";

const dir = mkdtempSync(join(tmpdir(), "lokirelay-http-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

test("mTLS from cert files: a client cert from the CA pushes, no cert is refused", async () => {
  const c = makeCerts();
  const config = write("tls.json", {
    http: {
      listen_address: "127.0.0.1",
      listen_port: 0,
      tls: {
        cert_file: c.path("srv.pem"),
        key_file: c.path("srv.key"),
        client_ca_file: c.path("ca.pem"),
        client_auth_type: "RequireAndVerifyClientCert",
        min_version: "TLS12",
      },
    },
    labels: { job: "tls" },
  });
  const child = startRelay(["--config", config]);
  try {
    const [, port] = await child.waitFor(/msg=listening .*addr=127\.0\.0\.1:(\d+) tls=true/);
    const url = `https://127.0.0.1:${port}/loki/api/v1/raw`;
    const base = ["--cacert", c.path("ca.pem"), "-XPOST", "--data-binary", "over mtls\n"];
    const good = await curl([
      ...base,
      "--cert",
      c.path("cli.pem"),
      "--key",
      c.path("cli.key"),
      url,
    ]);
    assert.equal(good.status, 204, JSON.stringify(good));
    await child.waitFor(/over mtls/, "stdout");
    const none = await curl([...base, url]);
    assert.notEqual(none.status, 204);
  } finally {
    child.kill();
  }
  assert.equal(await child.exited, 0);
});

test("a listener that cannot start exits 1 with the reason", async () => {
  const config = write("badtls.json", {
    http: { listen_port: 0, tls: { cert_file: join(dir, "missing.pem"), key_pem: "k" } },
  });
  const child = startRelay(["--config", config]);
  assert.equal(await child.exited, 1);
  assert.match(child.stderr, /http\.tls\.cert_file: cannot read/);
  assert.doesNotMatch(child.stderr, /msg=listening/);
});

function metricValue(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  assert.ok(line, `no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}

test("/metrics shows rates, errors and connections after known traffic", async () => {
  const config = write("metrics.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0, conn_limit: 50 },
    labels: { job: "m" },
  });
  const child = startRelay(["--config", config]);
  try {
    const [, port] = await child.waitFor(/addr=127\.0\.0\.1:(\d+)/);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${base}/loki/api/v1/raw`, { method: "POST", body: "a\nb\nc\n" });
      assert.equal(r.status, 204);
    }
    const bad = await fetch(`${base}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-encoding": "br" },
      body: "x",
    });
    assert.equal(bad.status, 400);
    await bad.text();
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.equal(metricValue(text, "loki_source_api_entries_written"), 6);
    assert.equal(
      metricValue(
        text,
        'loki_source_api_request_duration_seconds_count{method="POST",route="loki_api_v1_raw",status_code="204",ws="false"}',
      ),
      2,
    );
    assert.equal(
      metricValue(
        text,
        'loki_source_api_request_duration_seconds_count{method="POST",route="loki_api_v1_push",status_code="400",ws="false"}',
      ),
      1,
    );
    assert.equal(
      metricValue(
        text,
        'loki_source_api_request_message_bytes_sum{method="POST",route="loki_api_v1_raw"}',
      ),
      12,
    );
    assert.equal(
      metricValue(
        text,
        'loki_source_api_response_message_bytes_sum{method="POST",route="loki_api_v1_push"}',
      ),
      'Content-Encoding "br" not supported\n'.length,
    );
    assert.ok(metricValue(text, 'loki_source_api_tcp_connections{protocol="http"}') >= 1);
    assert.equal(metricValue(text, 'loki_source_api_tcp_connections_limit{protocol="http"}'), 50);
    assert.equal(metricValue(text, "lokirelay_config_last_reload_successful"), 1);
    assert.ok(metricValue(text, "process_cpu_seconds_total") > 0);
    assert.match(
      child.stderr,
      /level=warn msg="request refused" route=loki_api_v1_push status=400 reason="Content-Encoding \\"br\\" not supported"/,
    );
  } finally {
    child.kill();
  }
  assert.equal(await child.exited, 0);
});

test("reload: SIGHUP and POST /-/reload swap labels; a bad config is refused and the old one runs", async () => {
  const path = join(dir, "reload.json");
  const cfg = (v: string, extra: Record<string, unknown> = {}) =>
    writeFileSync(
      path,
      JSON.stringify({
        http: { listen_address: "127.0.0.1", listen_port: 0 },
        labels: { job: "r", v },
        ...extra,
      }),
    );
  cfg("1");
  const child = startRelay(["--config", path]);
  try {
    const [, port] = await child.waitFor(/addr=127\.0\.0\.1:(\d+)/);
    const base = `http://127.0.0.1:${port}`;
    const send = async (line: string) => {
      const r = await fetch(`${base}/loki/api/v1/raw`, { method: "POST", body: line });
      assert.equal(r.status, 204);
      const [, json] = await child.waitFor(new RegExp(`^(.*"${line}".*)$`, "m"), "stdout");
      return JSON.parse(json).stream.v;
    };
    assert.equal(await send("first"), "1");

    cfg("2");
    child.kill("SIGHUP");
    await child.waitFor(/msg="config reloaded"/);
    assert.equal(await send("second"), "2");

    writeFileSync(path, '{"labels": {"v": 3}, "nope": true}');
    child.kill("SIGHUP");
    await child.waitFor(/msg="config reload refused, keeping the running one"/);
    assert.match(child.stderr, /labels\.v: expected string, got 3; nope: unknown field/);
    assert.equal(await send("third"), "2");
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^lokirelay_config_last_reload_successful 0$/m);

    cfg("4");
    const r = await fetch(`${base}/-/reload`, { method: "POST" });
    assert.deepEqual([r.status, await r.text()], [200, "config reloaded\n"]);
    assert.equal(await send("fourth"), "4");

    // A listener change restarts only the listener.
    cfg("5", { http: { listen_address: "127.0.0.1", listen_port: 0, conn_limit: 10 } });
    child.kill("SIGHUP");
    const [, port2] = await child.waitFor(/msg="listener restarted" addr=127\.0\.0\.1:(\d+)/);
    assert.notEqual(port2, port);
    const r5 = await fetch(`http://127.0.0.1:${port2}/loki/api/v1/raw`, {
      method: "POST",
      body: "fifth",
    });
    assert.equal(r5.status, 204);
    await child.waitFor(/"v":"5"},"values":\[\["\d+","fifth"/, "stdout");
  } finally {
    child.kill();
  }
  assert.equal(await child.exited, 0);
});

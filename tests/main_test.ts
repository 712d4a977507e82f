// The executable's http block end to end: TLS from files, /metrics after known traffic, reload.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRelay } from "./helpers/spawn_relay.ts";
import { makeCerts } from "./helpers/certs.ts";
import { curl } from "./helpers/curl.ts";
import { RUNTIME } from "./helpers/serve_runtime.ts";

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
    // Real measurements on both runtimes (Deno refuses /proc/self without --allow-all): a
    // process metric that cannot be measured is left out, never reported as 0.
    const rss = metricValue(text, "process_resident_memory_bytes");
    assert.ok(rss > 10 * 1024 * 1024 && rss < 2048 * 1024 * 1024, `rss ${rss}`);
    const zeros = text.split("\n").filter((l) => /^process_\w+ 0$/.test(l));
    assert.deepEqual(zeros, []);
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

test("status: the page, /status and a live tail over the listener; a gone tail frees its place", async () => {
  const config = write("status.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    labels: { job: "s" },
  });
  const child = startRelay(["--config", config]);
  try {
    const [, port] = await child.waitFor(/addr=127\.0\.0\.1:(\d+)/);
    const base = `http://127.0.0.1:${port}`;
    const page = await fetch(`${base}/`);
    assert.match(await page.text(), /<title>lokirelay status<\/title>/);
    const abort = new AbortController();
    const tail = await fetch(`${base}/tail`, { signal: abort.signal });
    assert.equal(tail.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const r = await fetch(`${base}/loki/api/v1/raw`, {
      method: "POST",
      headers: { "x-scope-orgid": "ops" },
      body: "tailed line\n",
    });
    assert.equal(r.status, 204);
    const reader = tail.body!.getReader();
    let text = "";
    while (!text.includes("tailed line")) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    assert.match(text, /"tenant":"ops","labels":\{"job":"s"\},"line":"tailed line"/);
    const subscribers = async () =>
      (await (await fetch(`${base}/status?history=0`)).json()).tail.subscribers;
    assert.equal(await subscribers(), 1);
    abort.abort();
    await reader.cancel().catch(() => {});
    const deadline = Date.now() + 5000;
    while (await subscribers() !== 0) {
      assert.ok(Date.now() < deadline, "the tail subscriber was not freed");
      await new Promise((r) => setTimeout(r, 50));
    }
    const status = await (await fetch(`${base}/status`)).json();
    assert.equal(status.tenants[0].tenant, "ops");
    assert.equal(status.tenants[0].entries.total, 1);
    assert.equal(status.reload.ok, true);
  } finally {
    child.kill();
  }
  assert.equal(await child.exited, 0);
});

test("a second relay on a busy port exits 1 with one line naming the address", async () => {
  const config = write("busy-first.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
  });
  const first = startRelay(["--config", config]);
  try {
    const [, port] = await first.waitFor(/addr=127\.0\.0\.1:(\d+)/);
    const second = startRelay([
      "--config",
      write("busy-second.json", {
        http: { listen_address: "127.0.0.1", listen_port: Number(port) },
      }),
    ]);
    assert.equal(await second.exited, 1);
    const lines = second.stderr.trim().split("\n");
    assert.equal(lines.length, 1, second.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `level=error msg="cannot listen" addr=127\\.0\\.0\\.1:${port} ` +
          `error="address already in use \\(is another relay running\\?\\)"$`,
      ),
    );
    // The first one is unharmed.
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
  } finally {
    first.kill();
  }
  assert.equal(await first.exited, 0);
});

/** The environment a running process was started (or last replaced itself) with. */
function environOf(pid: number): Map<string, string> {
  const text = readFileSync(`/proc/${pid}/environ`, "latin1");
  return new Map(
    text.split("\0").filter((kv) => kv.includes("=")).map((kv) => {
      const at = kv.indexOf("=");
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
}

const MiB = 1024 * 1024;
/** Under Bun (the executable, `bun src/main.ts`) the relay sets its engine's memory target. */
const onBun = process.env.LOKIRELAY_BIN !== undefined || RUNTIME === "bun";

test("the executable sizes its engine's heap by the memory bound, in place (same PID)", async () => {
  const config = write("target.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    max_inflight_bytes: "${INFLIGHT}",
    forward_to: [{
      url: "http://127.0.0.1:9/loki/api/v1/push",
      queue_config: { capacity: "20MiB" },
    }],
  });
  const env = { INFLIGHT: "16MiB", BUN_JSC_forceRAMSize: undefined };
  const child = startRelay(["--config", config, "--config-expand-env"], undefined, env);
  try {
    await child.waitFor(/msg=listening/);
    // idle 64 MiB + capacity 20 MiB + max_inflight_bytes 16 MiB
    const expected = String((64 + 20 + 16) * MiB);
    const value = environOf(child.pid).get("BUN_JSC_forceRAMSize");
    if (onBun) {
      // The PID the test spawned now runs with the variable: the process replaced itself.
      assert.equal(value, expected);
      assert.match(
        child.stderr,
        new RegExp(`msg=listening .* memory_target_bytes=${expected}`),
      );
      assert.equal((child.stderr.match(/msg=listening/g) ?? []).length, 1);
    } else {
      // Deno has no such engine option: the process is left as it was started.
      assert.equal(value, undefined);
      assert.doesNotMatch(child.stderr, /memory_target/);
    }
  } finally {
    child.kill();
  }
  assert.equal(await child.exited, 0);
});

test("an operator's BUN_JSC_forceRAMSize is kept as it is", async () => {
  const config = write("target-kept.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
  });
  const child = startRelay(["--config", config], undefined, {
    BUN_JSC_forceRAMSize: String(300 * MiB),
  });
  try {
    await child.waitFor(/msg=listening/);
    assert.equal(environOf(child.pid).get("BUN_JSC_forceRAMSize"), String(300 * MiB));
    if (onBun) {
      assert.match(
        child.stderr,
        new RegExp(`msg=listening .* memory_target_bytes=${300 * MiB}`),
      );
    }
  } finally {
    child.kill();
  }
  assert.equal(await child.exited, 0);
});

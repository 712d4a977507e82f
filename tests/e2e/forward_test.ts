// End to end over real sockets: clients → relay → (relay →) fake Loki.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { pinoLoki } from "pino-loki";
import { createRelay } from "../../src/relay.ts";
import { serveNode } from "../../src/adapters/node_server.ts";
import { startFakeLoki } from "../helpers/fake_loki.ts";
import { encodeRefSnappy } from "../helpers/reference_proto.ts";
import { startRelay as startProcess } from "../helpers/spawn_relay.ts";

const require = createRequire(import.meta.url);

async function relayOnSocket(config: Parameters<typeof createRelay>[0]) {
  const relay = createRelay(config);
  const served = await serveNode(relay, { hostname: "127.0.0.1", port: 0 });
  return {
    url: `http://127.0.0.1:${served.port}`,
    async stop() {
      await served.shutdown();
      await relay.close();
    },
  };
}

test("two relays chained (A → B → Loki) deliver every entry with labels and tenant intact", async () => {
  const loki = await startFakeLoki();
  const b = await relayOnSocket({
    labels: { via: "b" },
    use_incoming_timestamp: true,
    forward_to: [{ url: loki.url, batch_wait: "50ms" }],
  });
  const a = await relayOnSocket({
    labels: { via_a: "yes" },
    use_incoming_timestamp: true,
    forward_to: [{ url: `${b.url}/loki/api/v1/push`, batch_wait: "50ms" }],
  });
  try {
    const res = await fetch(`${a.url}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "x-scope-orgid": "team-x" },
      body: encodeRefSnappy([{
        labels: '{app="chain"}',
        entries: [
          {
            timestamp: { seconds: 1795500000, nanos: 42 },
            line: "hop hop",
            structuredMetadata: [{ name: "trace_id", value: "t1" }],
          },
        ],
      }]),
    });
    assert.equal(res.status, 204);
    await loki.waitFor(() => loki.received.length === 1);
    const r = loki.received[0];
    assert.equal(r.headers["x-scope-orgid"], "team-x");
    assert.deepEqual(r.streams, [{
      labels: '{app="chain", via="b", via_a="yes"}',
      entries: [{
        timestamp: { seconds: "1795500000", nanos: 42 },
        line: "hop hop",
        structuredMetadata: [{ name: "trace_id", value: "t1" }],
      }],
    }]);
  } finally {
    await a.stop();
    await b.stop();
    await loki.close();
  }
});

test("winston-loki and pino-loki push into the relay and arrive at Loki intact", async () => {
  const loki = await startFakeLoki();
  const relay = await relayOnSocket({
    use_incoming_timestamp: true,
    forward_to: [{ url: loki.url, batch_wait: "50ms" }],
  });
  const winston = require("winston");
  const LokiTransport = require("winston-loki");
  const transport = new LokiTransport({
    host: relay.url,
    labels: { app: "winston" },
    json: false,
    batching: false,
    replaceTimestamp: false,
    gracefulShutdown: false,
  });
  const wlog = winston.createLogger({ transports: [transport] });
  const stream = pinoLoki({ host: relay.url, batching: false, labels: { app: "pino" } });
  const plog = pino({ timestamp: () => ',"time":"1795500000000000007"', base: undefined }, stream);
  try {
    wlog.info("from winston", { timestamp: "2026-11-24T10:00:00.500Z" });
    plog.info({ meta: { trace_id: "p1" } }, "from pino");
    await loki.waitFor(() => loki.lines().length === 2);
    const all = loki.received.flatMap((r) => r.streams);
    const w = all.find((s) => s.labels.includes('app="winston"'))!;
    assert.equal(w.labels, '{app="winston", level="info"}');
    assert.deepEqual(w.entries, [{
      timestamp: {
        seconds: String(Date.parse("2026-11-24T10:00:00.500Z") / 1000 | 0),
        nanos: 500_000_000,
      },
      line: 'from winston {"level":"info"}',
    }]);
    const p = all.find((s) => s.labels.includes('app="pino"'))!;
    assert.equal(p.labels, '{app="pino", level="info"}');
    assert.deepEqual(p.entries[0].timestamp, { seconds: "1795500000", nanos: 7 });
    assert.deepEqual(p.entries[0].structuredMetadata, [{ name: "trace_id", value: "p1" }]);
    assert.equal(JSON.parse(p.entries[0].line!).msg, "from pino");
  } finally {
    await transport.close();
    wlog.close();
    stream.end();
    await relay.stop();
    await loki.close();
  }
});

test("the executable forwards to Loki and, on SIGTERM, drains its queue before exiting 0", async () => {
  const loki = await startFakeLoki();
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-e2e-"));
  const config = join(dir, "relay.json");
  writeFileSync(
    config,
    JSON.stringify({
      http: { listen_address: "127.0.0.1", listen_port: 0 },
      labels: { job: "e2e" },
      forward_to: [{ url: loki.url, batch_wait: "1h" }],
    }),
  );
  const child = startProcess(["--config", config]);
  try {
    const [, port] = await child.waitFor(/msg=listening .*addr=127\.0\.0\.1:(\d+)/);
    const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/raw`, {
      method: "POST",
      body: "drained 1\ndrained 2\ndrained 3\n",
    });
    assert.equal(res.status, 204);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(loki.received.length, 0, "held by batch_wait until the stop");
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await child.exited, 0, child.stderr);
  assert.doesNotMatch(child.stderr, /compressing on the main thread/, "the snappy worker ran");
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(loki.lines().map((l) => l.split("|").slice(1).join("|")), [
    '{job="e2e"}|drained 1',
    '{job="e2e"}|drained 2',
    '{job="e2e"}|drained 3',
  ]);
  await loki.close();
});

// Real sockets, real clients: the runtime's own adapter serves the relay on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import pino from "pino";
import { pinoLoki } from "pino-loki";
import { createRelay } from "../../src/relay.ts";
import { captureSink, flatEntries } from "../helpers/capture_sink.ts";
import { RUNTIME, serveOnLoopback, waitFor } from "../helpers/serve_runtime.ts";
import { encodeRefSnappy } from "../helpers/reference_proto.ts";

const require = createRequire(import.meta.url);

function startRelay(config = {}) {
  const sink = captureSink();
  const relay = createRelay({ use_incoming_timestamp: true, ...config }, { sink });
  const seen: { contentType: string | null }[] = [];
  const app = {
    fetch(req: Request) {
      seen.push({ contentType: req.headers.get("content-type") });
      return relay.fetch(req);
    },
  };
  return { sink, relay, app, seen };
}

test(`${RUNTIME} adapter: push, ready and errors over a real socket`, async () => {
  const { sink, relay, app } = startRelay();
  const served = await serveOnLoopback(app);
  try {
    const ready = await fetch(`${served.url}/ready`);
    assert.deepEqual([ready.status, await ready.text()], [200, "ready"]);
    const body = encodeRefSnappy([{
      labels: '{app="sock"}',
      entries: [{ timestamp: { seconds: 1700000000, nanos: 1 }, line: "over tcp" }],
    }]);
    const res = await fetch(`${served.url}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "x-scope-orgid": "tenant-1" },
      body,
    });
    assert.equal(res.status, 204);
    assert.deepEqual(flatEntries(sink), [{
      tenant: "tenant-1",
      labels: { app: "sock" },
      seconds: 1700000000,
      nanos: 1,
      line: "over tcp",
    }]);
    const bad = await fetch(`${served.url}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-encoding": "br" },
      body: "x",
    });
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'Content-Encoding "br" not supported\n');
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`${RUNTIME} adapter: an oversize chunked body gets 413 without being buffered`, async () => {
  const { relay, app } = startRelay({ max_send_message_size: "64KiB" });
  const served = await serveOnLoopback(app);
  try {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 16384;
        if (sent > 64 * 1024 * 1024) controller.close();
        else controller.enqueue(new Uint8Array(16384));
      },
    });
    const res = await fetch(`${served.url}/loki/api/v1/push`, {
      method: "POST",
      body,
      // @ts-ignore: required for a streamed request body
      duplex: "half",
    }).catch((err) => err as Error);
    // The server answers 413 early; a client may instead see the connection closed mid-upload.
    if (res instanceof Response) {
      assert.equal(res.status, 413);
      assert.match(await res.text(), /max_send_message_size \(65536\)/);
    }
    assert.ok(sent < 64 * 1024 * 1024, `the client was stopped early (sent ${sent} bytes)`);
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`winston-loki (protobuf + snappy) pushes into the ${RUNTIME} relay intact`, async () => {
  const { sink, relay, app, seen } = startRelay();
  const served = await serveOnLoopback(app);
  const winston = require("winston");
  const LokiTransport = require("winston-loki");
  const errors: Error[] = [];
  const transport = new LokiTransport({
    host: served.url,
    labels: { app: "winston", env: "prod-é" },
    json: false,
    batching: false,
    replaceTimestamp: false,
    gracefulShutdown: false,
    onConnectionError: (err: Error) => errors.push(err),
  });
  const logger = winston.createLogger({ transports: [transport] });
  try {
    logger.info("hello from winston", { timestamp: "2026-11-24T10:00:00.123Z" });
    logger.warn("ünïcode ✓ line");
    await waitFor(() => flatEntries(sink).length === 2);
    assert.ok(seen.every((s) => s.contentType === "application/x-protobuf"), JSON.stringify(seen));
    const entries = flatEntries(sink).sort((a, b) => a.line.localeCompare(b.line));
    assert.deepEqual(entries[0], {
      tenant: undefined,
      labels: { app: "winston", env: "prod-é", level: "info" },
      seconds: Date.parse("2026-11-24T10:00:00.123Z") / 1000 | 0,
      nanos: 123_000_000,
      line: 'hello from winston {"level":"info"}',
    });
    assert.equal(entries[1].line, 'ünïcode ✓ line {"level":"warn"}');
    assert.equal(entries[1].labels.level, "warn");
    assert.deepEqual(errors, []);
  } finally {
    await transport.close();
    await served.shutdown();
    await relay.close();
  }
});

test(`pino-loki (JSON) pushes into the ${RUNTIME} relay intact, metadata and nanoseconds kept`, async () => {
  const { sink, relay, app, seen } = startRelay();
  const served = await serveOnLoopback(app);
  const stream = pinoLoki({
    host: served.url,
    batching: false,
    labels: { app: "pino" },
    headers: { "X-Scope-OrgID": "team-p" },
  });
  const logger = pino({ timestamp: () => ',"time":"1700000000123456789"' }, stream);
  try {
    logger.info({ meta: { trace_id: "abc123", n: 7 } }, "hello from pino");
    await waitFor(() => flatEntries(sink).length === 1);
    assert.ok(seen.every((s) => s.contentType === "application/json"));
    const [entry] = flatEntries(sink);
    assert.equal(entry.tenant, "team-p");
    assert.deepEqual(entry.labels.app, "pino");
    assert.equal(entry.labels.level, "info");
    assert.deepEqual([entry.seconds, entry.nanos], [1700000000, 123456789]);
    assert.deepEqual(entry.metadata, [{ name: "trace_id", value: "abc123" }, {
      name: "n",
      value: "7",
    }]);
    assert.equal(JSON.parse(entry.line).msg, "hello from pino");
  } finally {
    stream.end();
    await served.shutdown();
    await relay.close();
  }
});

// The relay as one fetch handler: routes, metrics, stop, and reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRelay } from "../src/relay.ts";
import { startFakeLoki } from "./helpers/fake_loki.ts";
import { captureRelay } from "./helpers/capture_sink.ts";
import { JSON_HEADERS, jsonBody, post } from "./helpers/push.ts";

const raw = (relay: { fetch(r: Request): Promise<Response> }, line: string) =>
  relay.fetch(new Request("http://relay/loki/api/v1/raw", { method: "POST", body: line }));

test("reload() swaps labels and writer; the old writer still delivers what it held", async () => {
  const oldLoki = await startFakeLoki();
  const newLoki = await startFakeLoki();
  const relay = createRelay({
    labels: { v: "1" },
    forward_to: [{ url: oldLoki.url, batch_wait: "1h" }],
  });
  try {
    assert.equal((await raw(relay, "before")).status, 204);
    const bad = relay.reload({ labels: { v: 2 } } as never);
    assert.deepEqual(bad, { ok: false, errors: ["labels.v: expected string, got 2"] });
    assert.deepEqual(
      relay.reload({ labels: { v: "2" }, forward_to: [{ url: newLoki.url, batch_wait: "1h" }] }),
      { ok: true },
    );
    // The old writer drains in the background: its entry reaches the old Loki.
    await oldLoki.waitFor(() => oldLoki.lines().length === 1);
    assert.deepEqual(oldLoki.lines(), ['|{v="1"}|before']);
    assert.equal((await raw(relay, "after")).status, 204);
    await relay.close();
    assert.deepEqual(newLoki.lines(), ['|{v="2"}|after']);
  } finally {
    await relay.close();
    await oldLoki.close();
    await newLoki.close();
  }
});

test("GET /ready answers 200 ready; wrong method 405; unknown path 404", async () => {
  const { relay } = captureRelay();
  const ready = await relay.fetch(new Request("http://relay/ready"));
  assert.deepEqual([ready.status, await ready.text()], [200, "ready"]);
  const r405 = await relay.fetch(new Request("http://relay/loki/api/v1/push"));
  assert.equal(r405.status, 405);
  const r405b = await relay.fetch(new Request("http://relay/ready", { method: "POST" }));
  assert.equal(r405b.status, 405);
  const r404 = await relay.fetch(new Request("http://relay/loki/api/v1/push/"));
  assert.deepEqual([r404.status, await r404.text()], [404, "404 page not found\n"]);
});

test("after close() pushes get 503 server shutdown", async () => {
  const { sink, relay } = captureRelay();
  await relay.close();
  assert.ok(sink.closed);
  const res = await post(
    relay,
    jsonBody([{ stream: { a: "1" }, values: [["1", "x"]] }]),
    JSON_HEADERS,
  );
  assert.equal(res.status, 503);
  assert.equal(await res.text(), "server shutdown\n");
});

test("request metrics carry Alloy's route names and status codes", async () => {
  const { relay } = captureRelay();
  await post(relay, "x", { "content-encoding": "br" });
  await relay.fetch(new Request("http://relay/ready"));
  const text = await relay.registry.metrics();
  assert.match(
    text,
    /loki_source_api_request_duration_seconds_count\{method="POST",route="loki_api_v1_push",status_code="400",ws="false"\} 1/,
  );
  assert.match(text, /route="ready",status_code="200"/);
  const res = await relay.fetch(new Request("http://relay/metrics"));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /loki_source_api_request_duration_seconds_bucket/);
});

test("reload() keeps an unchanged endpoint as it is: its open batch carries over", async () => {
  const a = await startFakeLoki();
  const b = await startFakeLoki();
  const endpointA = { url: a.url, batch_wait: "1h" };
  const relay = createRelay({ labels: { v: "1" }, forward_to: [endpointA] });
  try {
    assert.equal((await post(relay, "before", {}, "/loki/api/v1/raw")).status, 204);
    // Only the labels change: the sink is untouched.
    assert.deepEqual(relay.reload({ labels: { v: "1" }, forward_to: [endpointA] }), { ok: true });
    // An endpoint is added: A carries over with its open batch, B starts empty.
    const reloaded = relay.reload({
      labels: { v: "1" },
      forward_to: [{ url: b.url, batch_wait: "1h" }, endpointA],
    });
    assert.deepEqual(reloaded, { ok: true });
    assert.equal((await post(relay, "after", {}, "/loki/api/v1/raw")).status, 204);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(a.received.length, 0, "A was not drained by the reload");
    await relay.close();
    // One request to A holding both entries: the same batch, before and after the reload.
    assert.equal(a.received.length, 1);
    assert.deepEqual(a.lines(), ['|{v="1"}|before', '|{v="1"}|after']);
    assert.deepEqual(b.lines(), ['|{v="1"}|after']);
  } finally {
    await relay.close();
    await a.close();
    await b.close();
  }
});

test("reload() refuses settings whose files cannot be read, and the running ones stay", async () => {
  const relay = createRelay({ labels: { v: "1" } }, {
    stdout: () => {},
    readFile: (path) => {
      throw new Error(`cannot open ${path}`);
    },
  });
  const result = relay.reload({
    labels: { v: "2" },
    forward_to: [{ url: "http://loki/push", bearer_token_file: "/run/token" }],
  });
  assert.deepEqual(result, {
    ok: false,
    errors: ['forward_to[0].bearer_token_file: cannot read "/run/token": cannot open /run/token'],
  });
  assert.deepEqual(relay.settings.receive.labels, { v: "1" });
  assert.equal(relay.settings.forward, undefined);
  await relay.close();
});

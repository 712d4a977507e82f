// The operator routes of a relay in process: GET /status after known traffic (per tenant, per
// endpoint, refusals, Loki errors), GET /tail, the status block turning them off, and bounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { captureRelay } from "../helpers/capture_sink.ts";
import { type Harness, metric, startHarness } from "../helpers/relay_harness.ts";
import { post, pushLines } from "../helpers/push.ts";
import { StatusBoard } from "../../src/status/status_board.ts";
import { HISTORY_SECONDS } from "../../src/status/status_sampler.ts";
import { createReceiveMetrics } from "../../src/receive/receive_metrics.ts";
import { resolveSettings } from "../../src/config/resolve_settings.ts";
import { silentLogger } from "../../src/log/logger.ts";
import type { Relay } from "../../src/relay.ts";

const get = (relay: { fetch(r: Request): Promise<Response> }, path: string, init?: RequestInit) =>
  relay.fetch(new Request(`http://relay${path}`, init));
/** Moves the fake clock a quarter second at a time until `done` (the relay acts on real time). */
async function advanceUntil(h: Harness, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await h.time.advance(250);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(done(), "the relay did not get there");
}
const statusOf = async (relay: Relay) => await (await get(relay, "/status")).json();

test("/status shows what known traffic did: per tenant, responses, refusals", async () => {
  const { relay } = captureRelay();
  try {
    assert.equal((await pushLines(relay, ["a", "bb", "ccc"], { tenant: "team-a" })).status, 204);
    assert.equal((await pushLines(relay, ["dd", "e"], { tenant: "team-b" })).status, 204);
    assert.equal((await pushLines(relay, ["f"])).status, 204);
    const bad = await post(relay, "x", { "content-encoding": "br" });
    assert.equal(bad.status, 400);
    const res = await get(relay, "/status");
    assert.equal(res.headers.get("content-type"), "application/json");
    const s = await res.json();
    const byTenant = Object.fromEntries(
      s.tenants.map((
        t: { tenant: string; entries: { total: number }; bytes: { total: number } },
      ) => [
        t.tenant,
        [t.entries.total, t.bytes.total],
      ]),
    );
    assert.deepEqual(byTenant, { "team-a": [3, 6], "team-b": [2, 3], "": [1, 1] });
    assert.equal(s.received.entries.total, 6);
    assert.deepEqual(s.responses, { "204": 3, "400": 1 });
    assert.equal(s.errors.clients.length, 1);
    assert.deepEqual(s.errors.clients[0].fields, {
      route: "loki_api_v1_push",
      status: 400,
      reason: 'Content-Encoding "br" not supported',
    });
    assert.deepEqual(s.endpoints, []);
    assert.equal(typeof s.version, "string");
    assert.deepEqual(s.tail, { enabled: true, subscribers: 0, max_subscribers: 8, rate: 100 });
    assert.equal(s.reload.ok, null);
    // The routes are counted under their own names.
    assert.equal(
      await metric(
        relay,
        'loki_source_api_request_duration_seconds_count{method="GET",route="status",status_code="200",ws="false"}',
      ),
      1,
    );
  } finally {
    await relay.close();
  }
});

test("/status per endpoint: sent, queue against capacity, retries and drops, Loki's errors", async () => {
  const h = await startHarness({
    endpoints: [{ name: "main", max_backoff_retries: 2, queue_config: { capacity: "2MiB" } }],
  });
  try {
    h.loki.script = [{ status: 500, body: "ingester down" }];
    assert.equal((await pushLines(h.relay, ["one", "two"], { tenant: "t" })).status, 204);
    // batch_wait, then the first try gets 500, then the retry after the backoff is delivered.
    await advanceUntil(h, () => h.loki.received.length === 1);
    h.loki.fallback = { status: 400, body: "entry too far behind" };
    assert.equal((await pushLines(h.relay, ["three"], { tenant: "t" })).status, 204);
    await advanceUntil(h, () => h.logs.some((l) => l.includes("entries dropped")));
    const s = await statusOf(h.relay);
    assert.equal(s.endpoints.length, 1);
    const ep = s.endpoints[0];
    assert.equal(ep.host, "main");
    assert.equal(ep.sent.entries.total, 2);
    assert.equal(ep.sent.bytes.total, 6);
    assert.deepEqual(ep.queue, { bytes: 0, capacity: 2 * 1024 * 1024 });
    assert.equal(ep.retries_total, 1);
    assert.deepEqual(ep.dropped, { ingester_error: 1 });
    assert.deepEqual(
      s.errors.loki.map((
        e: { msg: string; fields: { status: number } },
      ) => [e.msg, e.fields.status]),
      [["entries dropped", 400], ["push failed, retrying", 500]],
    );
    assert.match(s.errors.loki[0].fields.error, /entry too far behind/);
  } finally {
    await h.stop();
  }
});

test("/tail streams entries pushed after it connects, filtered by its matcher", async () => {
  const { relay } = captureRelay({ labels: { job: "j" } });
  try {
    const res = await get(relay, "/tail?match=" + encodeURIComponent('{app="api"}'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    await pushLines(relay, ["from web"], { labels: { app: "web" } });
    await pushLines(relay, ["from api"], { labels: { app: "api" }, tenant: "t1" });
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("from api")) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    assert.doesNotMatch(text, /from web/);
    assert.match(
      text,
      /event: entry\ndata: \{"time":"[^"]+","tenant":"t1","labels":\{"app":"api","job":"j"\},"line":"from api"\}/,
    );
    assert.equal((await statusOf(relay)).tail.subscribers, 1);
    await reader.cancel();
    assert.equal((await statusOf(relay)).tail.subscribers, 0);
    const bad = await get(relay, "/tail?match=" + encodeURIComponent('{app=~"("}'));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /is not a valid RE2 regex: missing closing \)/);
  } finally {
    await relay.close();
  }
});

test("at most 8 live tails; the 9th is refused with 429 until one closes", async () => {
  const { relay } = captureRelay();
  try {
    const open = await Promise.all(Array.from({ length: 8 }, () => get(relay, "/tail")));
    assert.ok(open.every((r) => r.status === 200));
    const ninth = await get(relay, "/tail");
    assert.equal(ninth.status, 429);
    assert.equal(ninth.headers.get("retry-after"), "5");
    await open[0].body!.cancel();
    assert.equal((await get(relay, "/tail")).status, 200);
  } finally {
    await relay.close();
  }
});

test("the status block turns the page and the tail off; other methods get 405", async () => {
  const off = captureRelay({ status: { enabled: false } }).relay;
  for (const path of ["/", "/status", "/tail"]) assert.equal((await get(off, path)).status, 404);
  await off.close();
  const noTail = captureRelay({ status: { tail: false } }).relay;
  assert.equal((await get(noTail, "/tail")).status, 404);
  assert.equal((await get(noTail, "/")).status, 200);
  assert.equal((await get(noTail, "/status")).status, 200);
  assert.equal((await get(noTail, "/", { method: "POST" })).status, 405);
  await noTail.close();
  const on = captureRelay().relay;
  const page = await get(on, "/");
  assert.match(page.headers.get("content-type")!, /^text\/html/);
  assert.match(await page.text(), /<title>lokirelay status<\/title>/);
  // A reload turns them off at once.
  assert.deepEqual(on.reload({ status: { enabled: false } }), { ok: true });
  assert.equal((await get(on, "/status")).status, 404);
  await on.close();
});

test("a refused reload is the page's reload state", async () => {
  const { relay } = captureRelay();
  relay.logger.error("config reload refused, keeping the running one", { errors: "nope: bad" });
  const s = await statusOf(relay);
  assert.equal(s.reload.last_error.fields.errors, "nope: bad");
  relay.logger.info("config reloaded");
  assert.equal((await statusOf(relay)).reload.last_error, null);
  await relay.close();
});

test("rates: per second now and over time, in bounded history", async () => {
  const r = resolveSettings({});
  assert.ok(r.ok);
  const registry = new Registry();
  const m = createReceiveMetrics(registry);
  let now = 0;
  const board = new StatusBoard({
    registry,
    now: () => now,
    settings: () => r.settings,
    logger: silentLogger,
    version: "t",
    ticking: false,
  });
  for (let s = 0; s <= HISTORY_SECONDS + 100; s++) {
    now = s * 1000;
    m.receivedEntries.inc({ tenant: "a" }, s % 2 === 0 ? 10 : 30);
    m.receivedBytes.inc({ tenant: "a" }, 100);
    await board.tick();
  }
  const s = await board.document();
  assert.equal(s.tenants[0].entries.history.length, HISTORY_SECONDS);
  assert.equal(s.tenants[0].entries.per_second, 20);
  assert.equal(s.received.bytes.per_second, 100);
  assert.deepEqual(s.tenants[0].entries.history.slice(-3), [10, 30, 10]);
  assert.deepEqual((await board.document(false)).tenants[0].entries.history, []);
  board.close();
});

test("the tenant label of the receive metrics is bounded", async () => {
  const { relay } = captureRelay();
  for (let i = 0; i < 60; i++) await pushLines(relay, ["x"], { tenant: `t${i}` });
  const text = await relay.registry.metrics();
  const series = text.split("\n").filter((l) => l.startsWith("lokirelay_receive_entries_total{"));
  assert.equal(series.length, 51);
  assert.ok(series.includes('lokirelay_receive_entries_total{tenant="~other"} 10'));
  await relay.close();
});

// The Loki forwarder against real fake Lokis over loopback HTTP, with injected time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRelay } from "../../src/relay.ts";
import { createLogger } from "../../src/log/logger.ts";
import { FakeTime } from "../helpers/fake_time.ts";
import { startHarness } from "../helpers/relay_harness.ts";
import { postStream, pushLines as push, pushStreams } from "../helpers/push.ts";

test("entries reach Loki with exact labels, lines, timestamps, tenants and headers", async () => {
  const { loki, time, relay, metric, stop } = await startHarness({
    endpoints: [{
      headers: { "X-Custom": "yes", "User-Agent": "not-allowed" },
      basic_auth: { username: "u", password: "p" },
      tenant_id: "default-tenant",
    }],
    config: { external_labels: { cluster: "c1", app: "overridden-by-stream" } },
  });
  try {
    assert.equal((await push(relay, ["one", "two"], { tenant: "t1" })).status, 204);
    assert.equal((await push(relay, ["three"])).status, 204);
    await time.advance(1000); // batch_wait
    await loki.waitFor(() => loki.received.length === 2);
    const byTenant = Object.fromEntries(loki.received.map((r) => [r.headers["x-scope-orgid"], r]));
    const t1 = byTenant["t1"];
    assert.deepEqual(t1.streams, [{
      labels: '{app="a", cluster="c1"}',
      entries: [
        { timestamp: { seconds: "1795500000" }, line: "one" },
        { timestamp: { seconds: "1795500000", nanos: 1 }, line: "two" },
      ],
    }]);
    assert.equal(byTenant["default-tenant"].streams[0].entries[0].line, "three");
    assert.equal(t1.headers["content-type"], "application/x-protobuf");
    assert.equal(t1.headers["user-agent"], "lokirelay/0.1.0");
    assert.equal(t1.headers["authorization"], "Basic " + btoa("u:p"));
    assert.equal(t1.headers["x-custom"], "yes");
    assert.equal(
      await metric(
        'loki_write_sent_entries_total{host="' + new URL(loki.url).host + '",tenant="t1"}',
      ),
      2,
    );
  } finally {
    await stop();
  }
});

test("batches are sent at batch_size without waiting, and at batch_wait otherwise", async () => {
  const { loki, time, relay, stop } = await startHarness({
    endpoints: [{ batch_size: "10B", batch_wait: "5s" }],
  });
  try {
    // 4 lines of 4 bytes: 10-byte batches hold two each; the fifth waits for batch_wait.
    assert.equal((await push(relay, ["aaaa", "bbbb", "cccc", "dddd", "eeee"])).status, 204);
    await loki.waitFor(() => loki.received.length === 2);
    assert.deepEqual(
      loki.received.map((r) => r.streams[0].entries.map((e) => e.line)),
      [["aaaa", "bbbb"], ["cccc", "dddd"]],
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(loki.received.length, 2, "the last entry waits for batch_wait");
    await time.waitForSleep(5000);
    await time.advance(5000);
    await loki.waitFor(() => loki.received.length === 3);
    assert.deepEqual(loki.received[2].streams[0].entries.map((e) => e.line), ["eeee"]);
  } finally {
    await stop();
  }
});

test("5xx and connection resets are retried with exponential backoff until delivered", async () => {
  const { loki, time, relay, metric, stop } = await startHarness({
    endpoints: [{ batch_wait: "1s", min_backoff_period: "500ms" }],
  });
  loki.script = [{ status: 500, body: "boom" }, { reset: true }, { status: 503 }];
  try {
    await push(relay, ["retry me"]);
    await time.advance(1000);
    const waits: number[] = [];
    while (loki.received.length === 0) {
      const s = await time.waitForSleep();
      waits.push(s.ms);
      await time.advance(s.ms);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Each failure doubles the wait (random() = 0 gives the low end of each window).
    assert.ok(waits.length >= 2, `retried ${waits.length} times`);
    assert.deepEqual(waits, [500, 1000, 2000].slice(0, waits.length));
    const host = new URL(loki.url).host;
    assert.equal(
      await metric(`loki_write_batch_retries_total{host="${host}",tenant=""}`),
      waits.length,
    );
    assert.equal(await metric(`loki_write_sent_entries_total{host="${host}",tenant=""}`), 1);
    assert.deepEqual(loki.lines(), ['|{app="a"}|retry me']);
  } finally {
    await stop();
  }
});

test("429 honours Retry-After (seconds and HTTP date), capped by max_backoff_period", async () => {
  const { loki, time, relay, stop } = await startHarness({
    endpoints: [{ max_backoff_period: "10s" }],
  });
  // Asked at the second attempt, 1 s (batch_wait) + 3 s (first Retry-After) after the start.
  const date = new Date(time.now + 8000).toUTCString();
  loki.script = [
    { status: 429, headers: { "retry-after": "3" } },
    { status: 429, headers: { "retry-after": date } },
    { status: 429, headers: { "retry-after": "3600" } },
  ];
  try {
    await push(relay, ["limited"]);
    await time.advance(1000);
    for (const wait of [3000, 4000, 10_000]) {
      const s = await time.waitForSleep();
      assert.ok(Math.abs(s.ms - wait) < 1000, `waited ${s.ms}, expected about ${wait}`);
      await time.advance(s.ms);
    }
    await loki.waitFor(() => loki.received.length === 1);
  } finally {
    await stop();
  }
});

test("a 4xx from Loki drops the batch at once, counted with its reason and logged", async () => {
  const { loki, time, relay, logs, metric, stop } = await startHarness();
  loki.script = [{ status: 400, body: "entry too far behind\nsecond line" }];
  try {
    await push(relay, ["bad1", "bad2"]);
    await time.advance(1000);
    await loki.waitFor(() => loki.attempts === 1);
    const host = new URL(loki.url).host;
    const series =
      `loki_write_dropped_entries_total{host="${host}",tenant="",reason="ingester_error"}`;
    await loki.waitFor(() => logs.some((l) => l.includes("entries dropped")));
    assert.equal(await metric(series), 2);
    const line = logs.find((l) => l.includes("entries dropped"))!;
    assert.match(
      line,
      /reason=ingester_error status=400 entries=2 attempts=1 error="entry too far behind"/,
    );
    assert.equal(loki.attempts, 1);
  } finally {
    await stop();
  }
});

test("retry_on_http_429 false drops a 429 at once as rate_limited", async () => {
  const { loki, time, relay, metric, stop } = await startHarness({
    endpoints: [{ retry_on_http_429: false }],
  });
  loki.script = [{ status: 429 }];
  try {
    await push(relay, ["x"]);
    await time.advance(1000);
    const host = new URL(loki.url).host;
    const series =
      `loki_write_dropped_entries_total{host="${host}",tenant="",reason="rate_limited"}`;
    await loki.waitFor(() => loki.attempts === 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await metric(series), 1);
  } finally {
    await stop();
  }
});

test("after max_backoff_retries attempts the batch is dropped and counted", async () => {
  const { loki, time, relay, metric, stop } = await startHarness({
    endpoints: [{ max_backoff_retries: 3 }],
  });
  loki.fallback = { status: 502 };
  try {
    await push(relay, ["a", "b", "c"]);
    await time.advance(1000);
    for (const wait of [500, 1000]) {
      await time.waitForSleep(wait);
      await time.advance(wait);
    }
    const host = new URL(loki.url).host;
    const series =
      `loki_write_dropped_entries_total{host="${host}",tenant="",reason="ingester_error"}`;
    await loki.waitFor(() => loki.attempts === 3);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await metric(series), 3);
    assert.equal(loki.attempts, 3);
  } finally {
    await stop();
  }
});

test("a Loki that hangs past remote_timeout is retried like a connection error", async () => {
  const { loki, time, relay, stop } = await startHarness({
    endpoints: [{ remote_timeout: "200ms" }],
  });
  loki.script = [{ hang: true }];
  try {
    await push(relay, ["slow"]);
    await time.advance(1000);
    await time.waitForSleep(500); // the backoff after the timed-out attempt
    await time.advance(500);
    await loki.waitFor(() => loki.received.length === 1);
    const text = await relay.registry.metrics();
    assert.match(text, /loki_write_request_duration_seconds_count\{[^}]*status_code="-1"/);
  } finally {
    await stop();
  }
});

test("a full queue answers the client 429 with Retry-After and takes nothing of that push", async () => {
  // A queued 10-byte line costs 10 + 32 (timestamp, framing), and its stream `{app="a"}` 256 + 3 × 9
  // once per batch: the first push holds 325 bytes, the second (same batch) 42 more. A third,
  // judged on what it could add (325), does not fit in 650.
  const { loki, relay, metric, advanceUntil, time, stop } = await startHarness({
    endpoints: [{
      queue_config: { capacity: "650B" },
      batch_size: "1MiB",
    }],
  });
  loki.fallback = { hang: true };
  try {
    assert.equal((await push(relay, ["0123456789"])).status, 204);
    assert.equal((await push(relay, ["0123456789"])).status, 204);
    // A push finding the queue full waits up to a second for room, then is refused.
    const started = time.now;
    const refused = await advanceUntil(push(relay, ["0123456789"]));
    assert.equal(time.now - started, 1000);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match(await refused.text(), /queue for .* is full \(367 of 650 bytes\)/);
    // Once full, a push is refused before its body is read: overload stays cheap.
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 100) c.close();
        else c.enqueue(new Uint8Array(65536));
      },
    });
    const early = await advanceUntil(postStream(relay, body));
    assert.equal(early.status, 429);
    assert.ok(pulled <= 1, `the body was read (${pulled} chunks)`);
    const host = new URL(loki.url).host;
    assert.equal(await metric(`lokirelay_write_refused_pushes_total{host="${host}"}`), 2);
    assert.equal(await metric(`lokirelay_write_queue_bytes{host="${host}"}`), 367);
  } finally {
    await stop();
  }
});

test("a push waiting for room is taken as soon as Loki takes what the queue holds", async () => {
  const { loki, relay, time, stop } = await startHarness({
    endpoints: [{ queue_config: { capacity: "650B" } }],
  });
  loki.delayMs = 200; // Loki takes 200 ms (real time) to answer
  try {
    assert.equal((await push(relay, ["0123456789"])).status, 204);
    assert.equal((await push(relay, ["0123456789"])).status, 204);
    await time.advance(1000); // batch_wait: the full batch goes to Loki
    await loki.waitFor(() => loki.inFlight === 1);
    // The queue is full; the fake clock stands still, so only Loki's answer can make room.
    const res = await push(relay, ["third"]);
    assert.equal(res.status, 204);
    assert.equal(loki.received.length, 1, "taken after Loki took the batch");
    await time.advance(1000);
    await loki.waitFor(() => loki.lines().some((l) => l.endsWith("|third")));
  } finally {
    await stop();
  }
});

test("fan-out: every endpoint gets every entry; a failing one holds only its own queue", async () => {
  const { lokis: [good, bad], time, relay, advanceUntil, stop } = await startHarness({
    endpoints: [{}, { queue_config: { capacity: "700B" } }], // two one-line pushes (325 + 326)
  });
  bad.fallback = { status: 500 };
  try {
    assert.equal((await push(relay, ["first-line"])).status, 204);
    await time.advance(1000);
    await good.waitFor(() => good.received.length === 1);
    await bad.waitFor(() => bad.attempts === 1);
    // The good endpoint keeps receiving while the bad one retries, until the bad queue fills.
    assert.equal((await push(relay, ["second-line"])).status, 204);
    await time.advance(1000);
    await good.waitFor(() => good.received.length === 2);
    const third = await advanceUntil(push(relay, ["third-line-x"]));
    assert.equal(third.status, 429, "the bad endpoint's queue is full");
    assert.deepEqual(good.lines().map((l) => l.split("|")[2]), ["first-line", "second-line"]);
  } finally {
    await stop();
  }
});

test("close() drains what is queued, and counts as lost what Loki never took", async () => {
  const { loki, relay, logs } = await startHarness({
    endpoints: [{
      batch_wait: "1h",
      queue_config: { drain_timeout: "15s" },
    }],
  });
  try {
    await push(relay, ["queued-1", "queued-2"], { tenant: "t" });
    const closing = relay.close();
    await loki.waitFor(() => loki.received.length === 1);
    await closing;
    assert.deepEqual(loki.lines(), ['t|{app="a"}|queued-1', 't|{app="a"}|queued-2']);
    assert.ok(!logs.some((l) => l.includes("entries dropped")));
  } finally {
    await loki.close();
  }

  const hung = await startHarness({ endpoints: [{ queue_config: { drain_timeout: "15s" } }] });
  hung.loki.fallback = { hang: true };
  try {
    await push(hung.relay, ["never-1", "never-2", "never-3"]);
    const closing = hung.relay.close();
    await hung.loki.waitFor(() => hung.loki.attempts === 1);
    await hung.time.waitForSleep(15_000);
    await hung.time.advance(15_000);
    await closing;
    const host = new URL(hung.loki.url).host;
    const series =
      `loki_write_dropped_entries_total{host="${host}",tenant="",reason="drain_timeout"}`;
    assert.equal(await hung.metric(series), 3);
    assert.ok(hung.logs.some((l) => /"entries dropped".*reason=drain_timeout.*entries=3/.test(l)));
  } finally {
    await hung.loki.close();
  }
});

test("every accepted entry is either delivered or counted as dropped, whatever Loki does", async () => {
  const { loki, time, relay } = await startHarness({
    endpoints: [{
      max_backoff_retries: 2,
      batch_size: "16B",
      queue_config: { drain_timeout: "1h" },
    }],
  });
  loki.script = [
    { status: 204 },
    { status: 500 },
    { status: 400 },
    { reset: true },
    { status: 204 },
    { status: 429 },
    { status: 429 },
  ];
  loki.fallback = { status: 204 };
  try {
    let accepted = 0;
    for (let i = 0; i < 6; i++) {
      const lines = [`line-${i}-a`, `line-${i}-b`];
      if ((await push(relay, lines)).status === 204) accepted += lines.length;
    }
    let closed = false;
    const closing = relay.close().then(() => (closed = true));
    // Step through the backoff waits (never reaching the 1 h drain deadline) until all is settled.
    for (let i = 0; i < 500 && !closed; i++) {
      await time.advance(500);
      await new Promise((r) => setTimeout(r, 2));
    }
    await closing;
    const text = await relay.registry.metrics();
    const sum = (name: string) =>
      text.split("\n").filter((l) => l.startsWith(name + "{")).reduce(
        (n, l) => n + Number(l.split(" ").pop()),
        0,
      );
    const delivered = loki.lines().length;
    assert.equal(sum("loki_write_sent_entries_total"), delivered);
    assert.equal(delivered + sum("loki_write_dropped_entries_total"), accepted);
    assert.ok(sum("loki_write_dropped_entries_total") > 0, "some batches were dropped");
  } finally {
    await loki.close();
  }
});

test("connection errors are logged without credentials from the URL", async () => {
  const logs: string[] = [];
  const time = new FakeTime();
  const relay = createRelay({
    forward_to: [{
      url: "http://user:s3cret@127.0.0.1:1/loki/api/v1/push",
      max_backoff_retries: 1,
    }],
  }, {
    now: time.clock,
    sleep: time.sleep,
    logger: createLogger({ write: (l) => logs.push(l) }),
    fetch: (input) => Promise.reject(new TypeError(`error sending request for url (${input})`)),
  });
  await push(relay, ["x"]);
  await time.advance(1000);
  await new Promise((r) => setTimeout(r, 50));
  await relay.close();
  const dropped = logs.find((l) => l.includes("entries dropped"));
  assert.ok(dropped, logs.join(""));
  assert.match(dropped, /<redacted>@127\.0\.0\.1:1/);
  assert.doesNotMatch(logs.join(""), /s3cret/);
});

for (const shards of [1, 4]) {
  test(`min_shards ${shards}: up to ${shards} requests in flight, each stream still in order`, async () => {
    const { loki, time, relay, stop } = await startHarness({
      endpoints: [{ batch_size: "64B", queue_config: { min_shards: shards } }],
    });
    loki.delayMs = 30; // a Loki that takes its time: only parallel requests keep up
    try {
      for (let round = 0; round < 3; round++) {
        assert.equal((await pushStreams(relay, 16, 4)).status, 204);
      }
      await time.advance(1000); // batch_wait: the last, partly filled batches go too
      await loki.waitFor(() => loki.lines().length === 16 * 12, 4000);
      assert.equal(loki.maxInFlight, shards);
      const byStream = new Map<string, number[]>();
      for (const line of loki.lines()) {
        const [s, i] = line.split("|")[2].split(":").map(Number);
        byStream.set(String(s), [...(byStream.get(String(s)) ?? []), i]);
      }
      for (const [s, order] of byStream) {
        assert.deepEqual(order, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], `stream ${s}`);
      }
    } finally {
      await stop();
    }
  });
}

test("block_on_overflow false: a full endpoint drops its copy (counted), the others still get it", async () => {
  const { lokis: [good, slow], time, relay, logs, metric, stop } = await startHarness({
    endpoints: [{}, { name: "slow", queue_config: { capacity: "20B", block_on_overflow: false } }],
  });
  slow.fallback = { hang: true };
  try {
    assert.equal((await push(relay, ["first-line"])).status, 204);
    await time.advance(1000);
    await slow.waitFor(() => slow.attempts === 1); // held: the slow queue stays full
    assert.equal((await push(relay, ["second-line", "third-line"])).status, 204);
    await time.advance(1000);
    await good.waitFor(() => good.lines().length === 3);
    assert.equal(
      await metric(
        'loki_write_dropped_entries_total{host="slow",tenant="",reason="queue_is_full"}',
      ),
      2,
    );
    assert.ok(logs.some((l) => /entries dropped.*reason=queue_is_full/.test(l)), logs.join("\n"));
  } finally {
    await stop();
  }
});

test("the queue counts what entries hold: empty lines and long labels are not free", async () => {
  const { loki, relay, metric, stop } = await startHarness({
    endpoints: [{ queue_config: { capacity: "128KiB" }, batch_wait: "1h" }],
  });
  loki.fallback = { hang: true };
  try {
    const empty = Array.from({ length: 1000 }, () => "");
    assert.equal((await push(relay, empty)).status, 204);
    const host = new URL(loki.url).host;
    // 1,000 entries of 32 bytes, and the stream once: Loki's measure (line bytes) would say 0.
    assert.equal(await metric(`lokirelay_write_queue_bytes{host="${host}"}`), 32_000 + 256 + 27);
    const big = { app: "b", v: "x".repeat(20_000) };
    assert.equal((await push(relay, ["x"], { labels: big })).status, 204);
    assert.ok(await metric(`lokirelay_write_queue_bytes{host="${host}"}`) > 32_000 + 60_000);
  } finally {
    await stop();
  }
});

// The write-ahead log through relay.fetch: real files in a temporary directory, fake Lokis on
// loopback, injected time (batch_wait, backoff, upkeep and fsync intervals run on it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRelay, type Relay } from "../../src/relay.ts";
import { nodeWalFiles } from "../../src/adapters/node_wal_files.ts";
import type { WalFiles } from "../../src/runtime.ts";
import { createLogger } from "../../src/log/logger.ts";
import { type FakeLoki, startFakeLoki } from "../helpers/fake_loki.ts";
import { FakeTime } from "../helpers/fake_time.ts";
import { metric } from "../helpers/relay_harness.ts";
import { pushLines } from "../helpers/push.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "lokirelay-wal-test-"));

interface Started {
  relay: Relay;
  logs: string[];
}

function start(
  dir: string,
  lokis: FakeLoki[],
  time: FakeTime,
  wal: Record<string, unknown> = {},
  files: WalFiles = nodeWalFiles(),
  config: Record<string, unknown> = {},
): Started {
  const logs: string[] = [];
  const relay = createRelay({
    ...config,
    use_incoming_timestamp: true,
    wal: { enabled: true, dir, drain_timeout: "2s", ...wal },
    forward_to: lokis.map((l) => ({
      url: l.url,
      batch_wait: "1s",
      min_backoff_period: "500ms",
      max_backoff_period: "1s",
    })),
  }, {
    now: time.clock,
    sleep: time.sleep,
    random: () => 0,
    walFiles: files,
    logger: createLogger({ level: "debug", write: (l) => logs.push(l) }),
  });
  return { relay, logs };
}

/** Advances fake time in steps until `check` holds. */
async function until(time: FakeTime, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met: ${check}`);
    await time.advance(250);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Advances fake time until `pending` settles. */
async function settle<T>(time: FakeTime, pending: Promise<T>): Promise<T> {
  let done = false;
  pending.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 5));
  await until(time, () => done);
  return await pending;
}

async function stop(relay: Relay, time: FakeTime): Promise<void> {
  let closed = false;
  const closing = relay.close().then(() => (closed = true));
  await until(time, () => closed);
  await closing;
}

const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".wal")).sort();
const lines = (loki: FakeLoki) => loki.lines().map((l) => l.split("|")[2]);

test("WAL: a push is answered once on disk; entries not delivered are replayed after a restart", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  try {
    loki.fallback = { status: 503 }; // Loki is down
    const a = start(dir, [loki], time);
    await a.relay.opened();
    assert.equal((await pushLines(a.relay, ["one", "two"])).status, 204);
    // The record is on disk before the answer.
    assert.ok(statSync(join(dir, segments(dir)[0])).size > 0);
    await until(time, () => loki.attempts >= 2); // retried, never given up
    await stop(a.relay, time);
    assert.ok(
      a.logs.some((l) => l.includes("entries left in the write-ahead log")),
      a.logs.join(""),
    );
    assert.equal(await metric(a.relay, "loki_write_dropped_entries_total"), 0);

    loki.fallback = { status: 204 };
    const b = start(dir, [loki], time);
    await b.relay.opened();
    await until(time, () => lines(loki).length === 2);
    assert.deepEqual(lines(loki), ["one", "two"]);
    const host = new URL(loki.url).host;
    assert.equal(await metric(b.relay, `lokirelay_wal_replayed_entries_total{host="${host}"}`), 2);
    // Delivered: after upkeep the cursor is past segment 1, which is deleted.
    await until(time, () => !segments(dir).includes("00000001.wal"));
    const cursor = () =>
      JSON.stringify(
        Object.values(JSON.parse(readFileSync(join(dir, "cursors.json"), "utf8")).endpoints),
      );
    await until(time, () => cursor() === "[[2,0]]"); // persisted: the next start sends nothing again
    await stop(b.relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: records larger than one file read, read back from disk, are delivered whole", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  try {
    loki.fallback = { status: 503 }; // Loki is down: the reader falls behind what is kept in memory
    const a = start(dir, [loki], time);
    await a.relay.opened();
    const big = (i: number) => `${i}:` + "x".repeat(300 * 1024); // a record over 256 KiB
    // 80 records of 300 KiB: past the 10 MiB queue and the 8 MiB of records kept in memory.
    for (let i = 0; i < 80; i++) assert.equal((await pushLines(a.relay, [big(i)])).status, 204);
    loki.fallback = { status: 204 };
    await until(time, () => lines(loki).length === 80, 20_000);
    assert.deepEqual(
      lines(loki).map((l) => l.slice(0, l.indexOf(":"))),
      [...Array(80).keys()].map(String),
    );
    assert.equal(await metric(a.relay, "lokirelay_wal_corrupt_records_total"), 0);
    assert.ok(!a.logs.some((l) => l.includes("record cut")), a.logs.join(""));
    await stop(a.relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: a push fanned out by __tenant_id__ is logged per tenant and replayed with its tenants", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  const config = {
    relabel_rules: [{ action: "replace", source_labels: ["team"], target_label: "__tenant_id__" }],
  };
  try {
    loki.fallback = { status: 503 };
    const a = start(dir, [loki], time, {}, nodeWalFiles(), config);
    await a.relay.opened();
    const body = JSON.stringify({
      streams: [
        { stream: { app: "a", team: "ops" }, values: [["1700000000000000001", "one"]] },
        { stream: { app: "b", team: "dev" }, values: [["1700000000000000002", "two"]] },
        { stream: { app: "c" }, values: [["1700000000000000003", "three"]] },
      ],
    });
    const res = await a.relay.fetch(
      new Request("http://relay/loki/api/v1/push", {
        method: "POST",
        headers: { "content-type": "application/json", "x-scope-orgid": "own" },
        body,
      }),
    );
    assert.equal(res.status, 204);
    await stop(a.relay, time);

    loki.fallback = { status: 204 };
    const b = start(dir, [loki], time, {}, nodeWalFiles(), config);
    await b.relay.opened();
    await until(time, () => loki.lines().length === 3);
    assert.deepEqual(loki.lines().sort(), [
      'dev|{app="b", team="dev"}|two',
      'ops|{app="a", team="ops"}|one',
      'own|{app="c"}|three',
    ]);
    await stop(b.relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: a healthy endpoint is never held back by a down one, which catches up later", async () => {
  const dir = tmp();
  const good = await startFakeLoki();
  const down = await startFakeLoki();
  const time = new FakeTime();
  try {
    down.fallback = { status: 500 };
    const { relay } = start(dir, [good, down], time, { segment_size: "64KiB", max_size: "64MiB" });
    await relay.opened();
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = [`line-${i}-${"x".repeat(4000)}`];
      assert.equal((await pushLines(relay, batch)).status, 204);
      sent.push(...batch);
    }
    await until(time, () => lines(good).length === 40);
    assert.deepEqual(lines(good), sent);
    assert.equal(lines(down).length, 0);
    // Segments stay while the down endpoint has not delivered them.
    assert.ok(segments(dir).length >= 2, `${segments(dir)}`);
    const host = new URL(down.url).host;
    let lag = 0;
    for (let i = 0; i < 40 && lag === 0; i++) { // upkeep sets the lag gauges every second
      await time.advance(250);
      await new Promise((r) => setTimeout(r, 10));
      lag = await metric(relay, `lokirelay_wal_lag_bytes{host="${host}"}`);
    }
    assert.ok(lag > 100_000, `lag ${lag}`);
    down.fallback = { status: 204 };
    await until(time, () => lines(down).length === 40, 20_000);
    assert.deepEqual(lines(down), sent);
    await until(time, () => segments(dir).length === 1);
    await stop(relay, time);
  } finally {
    await good.close();
    await down.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: at max_size pushes are refused with 429 and Retry-After, and taken again once delivered", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  try {
    loki.fallback = { status: 503 };
    const { relay } = start(dir, [loki], time, { segment_size: "64KiB", max_size: "128KiB" });
    await relay.opened();
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      // A push waits up to a second for room: that second passes on the fake clock.
      const res = await settle(time, pushLines(relay, [`r${i}-${"y".repeat(8000)}`]));
      if (res.status === 204) accepted++;
      else refused = res;
    }
    assert.ok(refused, "the bound was reached");
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.match(await refused.text(), /write-ahead log is at its max_size/);
    assert.ok(await metric(relay, 'lokirelay_wal_refused_pushes_total{reason="disk_bound"}') >= 1);
    loki.fallback = { status: 204 };
    await until(time, () => lines(loki).length === accepted, 20_000);
    await until(time, () => segments(dir).length === 1);
    assert.equal((await pushLines(relay, ["after"])).status, 204);
    await stop(relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: a torn tail is cut at start, counted, and everything before it delivered", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  try {
    loki.fallback = { status: 503 };
    const a = start(dir, [loki], time);
    await a.relay.opened();
    for (const line of ["keep-1", "keep-2", "lost-in-the-tear"]) {
      assert.equal((await pushLines(a.relay, [line])).status, 204);
    }
    await stop(a.relay, time);
    // Cut the last record in half and add garbage, as a crash in the middle of a write would.
    const path = join(dir, segments(dir)[0]);
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes.subarray(0, bytes.length - 20), Buffer.from([1, 2])]));
    loki.fallback = { status: 204 };
    const b = start(dir, [loki], time);
    await b.relay.opened();
    await until(time, () => lines(loki).length === 2);
    assert.deepEqual(lines(loki), ["keep-1", "keep-2"]);
    assert.equal(await metric(b.relay, "lokirelay_wal_corrupt_records_total"), 1);
    assert.ok(b.logs.some((l) => l.includes("write-ahead log tail cut")), b.logs.join(""));
    assert.equal((await pushLines(b.relay, ["new"])).status, 204);
    await until(time, () => lines(loki).length === 3);
    await stop(b.relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: a corrupt record in an older segment costs the rest of that segment only", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  try {
    loki.fallback = { status: 503 };
    const a = start(dir, [loki], time, { segment_size: "64KiB", max_size: "64MiB" });
    await a.relay.opened();
    for (let i = 0; i < 30; i++) {
      assert.equal((await pushLines(a.relay, [`s${i}-${"z".repeat(6000)}`])).status, 204);
    }
    await stop(a.relay, time);
    const names = segments(dir);
    assert.ok(names.length >= 3, `${names}`);
    // Flip a byte in the middle of the first segment.
    const first = join(dir, names[0]);
    const bytes = readFileSync(first);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(first, bytes);
    loki.fallback = { status: 204 };
    const b = start(dir, [loki], time, { segment_size: "64KiB", max_size: "64MiB" });
    await b.relay.opened();
    await until(time, () => segments(dir).length === 1, 20_000);
    const got = lines(loki).map((l) => Number(l.slice(1, l.indexOf("-"))));
    assert.ok(got.length > 20 && got.length < 30, `${got.length} delivered`);
    assert.deepEqual(got, [...got].sort((x, y) => x - y), "in order");
    assert.equal(got[got.length - 1], 29, "the segments after the corrupt one are delivered");
    assert.equal(await metric(b.relay, "lokirelay_wal_corrupt_records_total"), 1);
    await stop(b.relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: a failing disk refuses pushes with 503 and Retry-After, and recovers by itself", async () => {
  const dir = tmp();
  const loki = await startFakeLoki();
  const time = new FakeTime();
  const real = nodeWalFiles();
  let full = false;
  const files: WalFiles = {
    ...real,
    async openAppend(path) {
      const f = await real.openAppend(path);
      return {
        ...f,
        write: (bytes) =>
          full
            ? Promise.reject(new Error("ENOSPC: no space left on device, write"))
            : f.write(bytes),
      };
    },
  };
  try {
    const { relay, logs } = start(dir, [loki], time, {}, files);
    await relay.opened();
    assert.equal((await pushLines(relay, ["before"])).status, 204);
    full = true;
    const refused = await pushLines(relay, ["during"]);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    assert.match(await refused.text(), /ENOSPC/);
    const again = await pushLines(relay, ["during-2"]);
    assert.equal(again.status, 503, "refused at once while the failure is fresh");
    assert.ok(logs.some((l) => l.includes("write-ahead log write failed")));
    full = false;
    await time.advance(5000);
    assert.equal((await pushLines(relay, ["after"])).status, 204);
    await until(time, () => lines(loki).length === 2);
    assert.deepEqual(lines(loki), ["before", "after"]);
    assert.ok(await metric(relay, "lokirelay_wal_write_errors_total") >= 1);
    await stop(relay, time);
  } finally {
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL: concurrent pushes share syncs (group commit) under fsync always; interval acks at the next sync", async () => {
  for (const fsync of ["always", "interval", "never"] as const) {
    const dir = tmp();
    const loki = await startFakeLoki();
    const time = new FakeTime();
    const real = nodeWalFiles();
    let syncs = 0;
    const files: WalFiles = {
      ...real,
      async openAppend(path) {
        const f = await real.openAppend(path);
        return { ...f, sync: () => (syncs++, f.sync()) };
      },
    };
    try {
      const { relay } = start(dir, [loki], time, { fsync, fsync_interval: "100ms" }, files);
      await relay.opened();
      let answered = 0;
      const pushes = Array.from(
        { length: 20 },
        (_, i) => pushLines(relay, [`${fsync}-${i}`]).then((r) => (answered++, r)),
      );
      if (fsync === "interval") {
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(answered, 0, "no answer before the sync");
        await time.advance(100);
      }
      const statuses = (await Promise.all(pushes)).map((r) => r.status);
      assert.deepEqual(new Set(statuses), new Set([204]));
      if (fsync === "always") assert.ok(syncs >= 1 && syncs < 20, `${syncs} syncs for 20 pushes`);
      if (fsync === "interval") assert.ok(syncs >= 1 && syncs <= 2, `${syncs} syncs`);
      if (fsync === "never") assert.equal(syncs, 0);
      await stop(relay, time);
    } finally {
      await loki.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("WAL config: wal.enabled needs forward_to and a max_size of at least two segments", () => {
  assert.throws(
    () => createRelay({ wal: { enabled: true } }),
    /wal\.enabled: true needs forward_to/,
  );
  assert.throws(
    () =>
      createRelay({
        wal: { enabled: true, max_size: "16MiB", segment_size: "16MiB" },
        forward_to: [{ url: "http://loki/push" }],
      }),
    /wal\.max_size: "16MiB" must hold at least two segments/,
  );
});

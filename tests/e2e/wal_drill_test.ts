// Durability drills: real relay processes with the write-ahead log on, a fake Loki on loopback
// that outlives them, clients pushing unique lines. A push answered 204 is a promise: every line
// of it must reach Loki, whatever happens to the relay (kill -9, restarts, a long Loki outage, a
// full disk bound, a torn segment). Lines may arrive twice only as identical entries (a replay),
// and those are counted. Scaled down for CI (LOKIRELAY_DRILL_SECONDS, default 1); the long
// version: `deno task drill:wal`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type FakeLoki, startFakeLoki } from "../helpers/fake_loki.ts";
import { type Child, startRelay } from "../helpers/spawn_relay.ts";

const LONG = process.env.LOKIRELAY_DRILL_LONG === "1";
const SECONDS = Number(process.env.LOKIRELAY_DRILL_SECONDS ?? (LONG ? 10 : 1));
const KILLS = LONG ? 10 : 3;

interface Relay {
  child: Child;
  url: string;
}

async function relay(dir: string, config: Record<string, unknown>): Promise<Relay> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      http: { listen_address: "127.0.0.1", listen_port: 0 },
      use_incoming_timestamp: true,
      ...config,
    }),
  );
  const child = startRelay(["--config", file]);
  const m = await child.waitFor(/msg=listening .*addr=127\.0\.0\.1:(\d+)/, "stderr", 20_000);
  return { child, url: `http://127.0.0.1:${m[1]}` };
}

function walConfig(dir: string, lokis: FakeLoki[], wal: Record<string, unknown> = {}) {
  return {
    wal: { enabled: true, dir: join(dir, "wal"), drain_timeout: "1s", ...wal },
    forward_to: lokis.map((l) => ({
      url: l.url,
      batch_wait: "100ms",
      min_backoff_period: "100ms",
      max_backoff_period: "500ms",
    })),
  };
}

/** What clients pushed and what was answered 204, line by line. */
class Ledger {
  readonly acked = new Set<string>();
  readonly pushed = new Set<string>();
  readonly statuses = new Map<number, number>();
  #n = 0;

  /** One push of `lines` new unique lines on stream `{client="c"}`; records the answer. */
  async push(url: string, client: string, lines = 20, pad = 0): Promise<number> {
    const values = Array.from({ length: lines }, (_, i) => {
      const n = this.#n++;
      return [
        String(1_700_000_000_000_000_000n + BigInt(n)),
        `${client}-${n}-${i}${"p".repeat(pad)}`,
      ];
    });
    for (const [, line] of values) this.pushed.add(line);
    let status = -1;
    try {
      const res = await fetch(`${url}/loki/api/v1/push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ streams: [{ stream: { client }, values }] }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      // the relay was killed or closed the connection: not acknowledged
    }
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status === 204) { for (const [, line] of values) this.acked.add(line); }
    return status;
  }

  /** `clients` loops pushing until `stop()` says so. */
  run(url: string, clients: number, stop: () => boolean, pauseMs = 0): Promise<void> {
    return Promise.all(Array.from({ length: clients }, async (_, c) => {
      while (!stop()) {
        await this.push(url, `c${c}`);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    })).then(() => {});
  }
}

/** Every delivered entry as `labels|ts|line`, and the lines counted. */
function delivered(lokis: FakeLoki[]) {
  const entries = new Map<string, Set<string>>();
  let total = 0;
  for (const loki of lokis) {
    for (const r of loki.received) {
      for (const s of r.streams) {
        for (const e of s.entries) {
          total++;
          const line = e.line ?? "";
          const id = `${s.labels}|${e.timestamp?.seconds}.${e.timestamp?.nanos ?? 0}`;
          if (!entries.has(line)) entries.set(line, new Set());
          entries.get(line)!.add(id);
        }
      }
    }
  }
  return { entries, total };
}

/** Every acknowledged line reached `loki`; duplicates are identical entries. */
function checkDelivery(ledger: Ledger, loki: FakeLoki, name: string): { duplicates: number } {
  const { entries, total } = delivered([loki]);
  const missing = [...ledger.acked].filter((l) => !entries.has(l));
  assert.deepEqual(missing.slice(0, 5), [], `${name}: ${missing.length} acknowledged lines lost`);
  const unknown = [...entries.keys()].filter((l) => !ledger.pushed.has(l));
  assert.deepEqual(unknown, [], `${name}: lines nobody pushed`);
  const changed = [...entries].filter(([, ids]) => ids.size > 1).map(([l]) => l);
  assert.deepEqual(changed.slice(0, 5), [], `${name}: a line arrived twice with different entries`);
  return { duplicates: total - entries.size };
}

async function waitDelivered(ledger: Ledger, loki: FakeLoki, ms = 30_000): Promise<void> {
  await loki.waitFor(() => {
    const { entries } = delivered([loki]);
    for (const l of ledger.acked) if (!entries.has(l)) return false;
    return true;
  }, ms);
}

async function stopAll(...relays: (Relay | undefined)[]): Promise<void> {
  for (const r of relays) {
    if (!r) continue;
    r.child.kill("SIGKILL");
    await r.child.exited;
  }
}

test("WAL drill: kill -9 during sustained pushes loses no acknowledged entry", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-wal-drill-"));
  const loki = await startFakeLoki();
  loki.delayMs = 20; // a Loki that takes its time, so something is always in flight
  const ledger = new Ledger();
  let r: Relay | undefined;
  try {
    for (let round = 0; round < KILLS; round++) {
      r = await relay(dir, walConfig(dir, [loki]));
      let stop = false;
      const pushing = ledger.run(r.url, 4, () => stop);
      // Kill at a different point of each round.
      await new Promise((res) => setTimeout(res, 150 + ((round * 373) % 700) * SECONDS));
      r.child.kill("SIGKILL");
      await r.child.exited;
      stop = true;
      await pushing;
    }
    r = await relay(dir, walConfig(dir, [loki]));
    await waitDelivered(ledger, loki);
    const { duplicates } = checkDelivery(ledger, loki, "kill -9");
    console.log(
      `drill kill -9: ${KILLS} kills, ${ledger.acked.size} lines acknowledged, all delivered; ` +
        `${duplicates} identical duplicates; statuses ${
          JSON.stringify(Object.fromEntries(ledger.statuses))
        }`,
    );
    assert.ok(ledger.acked.size > 200, `${ledger.acked.size} lines acknowledged`);
  } finally {
    await stopAll(r);
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL drill: a long Loki outage with a relay restart in the middle, then everything in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-wal-drill-"));
  const loki = await startFakeLoki();
  loki.fallback = { status: 503 };
  const ledger = new Ledger();
  let r: Relay | undefined;
  try {
    r = await relay(dir, walConfig(dir, [loki]));
    let until = Date.now() + SECONDS * 1000;
    await ledger.run(r.url, 2, () => Date.now() > until, 10);
    r.child.kill("SIGTERM"); // a clean stop while Loki is still down
    assert.equal(await r.child.exited, 0);
    r = await relay(dir, walConfig(dir, [loki]));
    until = Date.now() + SECONDS * 1000;
    await ledger.run(r.url, 2, () => Date.now() > until, 10);
    assert.equal(delivered([loki]).total, 0, "Loki was down all along");
    loki.fallback = { status: 204 };
    await waitDelivered(ledger, loki);
    const { duplicates } = checkDelivery(ledger, loki, "outage");
    // Per stream, lines arrive in the order they were pushed.
    for (const client of ["c0", "c1"]) {
      const order = loki.lines().map((l) => l.split("|")[2]).filter((l) =>
        l.startsWith(`${client}-`)
      )
        .map((l) => Number(l.split("-")[1]));
      const firsts = order.filter((n, i) => order.indexOf(n) === i);
      assert.deepEqual(firsts, [...firsts].sort((a, b) => a - b), `stream ${client} in order`);
    }
    console.log(
      `drill outage: ${ledger.acked.size} lines acknowledged while Loki was down, all delivered ` +
        `in order after it came back; ${duplicates} identical duplicates`,
    );
  } finally {
    await stopAll(r);
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL drill: one endpoint down the whole run never holds back the healthy one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-wal-drill-"));
  const good = await startFakeLoki();
  const down = await startFakeLoki();
  down.fallback = { status: 500 };
  const ledger = new Ledger();
  let r: Relay | undefined;
  try {
    r = await relay(dir, walConfig(dir, [good, down]));
    const until = Date.now() + SECONDS * 1000;
    await ledger.run(r.url, 2, () => Date.now() > until, 10);
    // The healthy endpoint has everything within moments of the last push.
    await waitDelivered(ledger, good, 3000);
    assert.equal(delivered([down]).total, 0);
    down.fallback = { status: 204 };
    await waitDelivered(ledger, down);
    checkDelivery(ledger, good, "healthy endpoint");
    checkDelivery(ledger, down, "endpoint that was down");
    console.log(`drill two endpoints: ${ledger.acked.size} lines, the down one caught up`);
  } finally {
    await stopAll(r);
    await good.close();
    await down.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL drill: the disk bound during an outage refuses with 429; clients retry; nothing is lost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-wal-drill-"));
  const loki = await startFakeLoki();
  loki.fallback = { status: 503 };
  const ledger = new Ledger();
  let r: Relay | undefined;
  try {
    r = await relay(dir, walConfig(dir, [loki], { max_size: "256KiB", segment_size: "64KiB" }));
    // Each client pushes until it has 30 acknowledged pushes, retrying refusals after a pause.
    let refusals = 0;
    setTimeout(() => (loki.fallback = { status: 204 }), 2000 + SECONDS * 500);
    await Promise.all(["c0", "c1"].map(async (client) => {
      let ok = 0;
      while (ok < 30) {
        const status = await ledger.push(r!.url, client, 40, 1000);
        if (status === 204) ok++;
        else if (status === 429 || status === 503) {
          refusals++;
          await new Promise((res) => setTimeout(res, 200));
        } else throw new Error(`push answered ${status}`);
      }
    }));
    assert.ok(refusals > 0, "the bound was reached");
    assert.ok(
      (ledger.statuses.get(429) ?? 0) > 0,
      JSON.stringify(Object.fromEntries(ledger.statuses)),
    );
    await waitDelivered(ledger, loki);
    checkDelivery(ledger, loki, "disk bound");
    console.log(
      `drill disk bound: ${refusals} refusals retried, ${ledger.acked.size} lines delivered`,
    );
  } finally {
    await stopAll(r);
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("WAL drill: a truncated and corrupted segment tail is cut and reported; the rest delivered", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-wal-drill-"));
  const loki = await startFakeLoki();
  loki.fallback = { status: 503 };
  const ledger = new Ledger();
  let r: Relay | undefined;
  try {
    r = await relay(dir, walConfig(dir, [loki]));
    for (let i = 0; i < 10; i++) assert.equal(await ledger.push(r.url, "c0", 5), 204);
    r.child.kill("SIGKILL");
    await r.child.exited;
    const wal = join(dir, "wal");
    const last = readdirSync(wal).filter((n) => n.endsWith(".wal")).sort().pop()!;
    const bytes = readFileSync(join(wal, last));
    writeFileSync(
      join(wal, last),
      Buffer.concat([bytes.subarray(0, bytes.length - 30), Buffer.from("garbage")]),
    );
    loki.fallback = { status: 204 };
    r = await relay(dir, walConfig(dir, [loki]));
    await r.child.waitFor(/write-ahead log tail cut/, "stderr");
    // The last push's record was cut: its five lines are gone, the nine before arrive.
    const kept = [...ledger.acked].slice(0, 45);
    await loki.waitFor(() => kept.every((l) => delivered([loki]).entries.has(l)), 10_000);
    const got = [...delivered([loki]).entries.keys()];
    assert.equal(got.length, 45);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    assert.match(metrics, /^lokirelay_wal_corrupt_records_total 1$/m);
    assert.equal(await ledger.push(r.url, "c1", 5), 204, "the relay takes pushes again");
    console.log("drill torn tail: the cut record reported, 45 of 50 lines delivered");
  } finally {
    await stopAll(r);
    await loki.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

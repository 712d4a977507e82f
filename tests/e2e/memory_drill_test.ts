// Memory drills: a real relay process on loopback, a Loki that never answers, and traffic that is
// legal but unusual. Each drill samples the relay's RSS (and the kernel's high-water mark) and
// asks `/ready` back to back; it fails if RSS passes the bound the README states,
// idle + Σ capacity + max_inflight_bytes + 64 MiB, or if `/ready` ever takes more than 1 s (the
// CI bound: shared machines stretch a quiet 20–200 ms several times; the long version, meant for
// a quiet machine, holds it to 250 ms). Before the bounds were built, drills stalled it 2–8 s.
//
// The relay runs on its defaults (one endpoint of queue_config.capacity 10 MiB, max_inflight_bytes
// 32 MiB), tried as an operator would. Scaled down for CI: the streams of pushes run
// LOKIRELAY_DRILL_SECONDS (default 3) and the gzip bomb inflates to 256 MiB. The long version,
// `deno task drill:memory`, runs them 30 s and inflates 1 GiB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { spawn } from "node:child_process";
import { compress } from "snappyjs";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { startFakeLoki } from "../helpers/fake_loki.ts";
import { startSink } from "../bench/sink_server.ts";
import { startRelay } from "../helpers/spawn_relay.ts";
import { RUNTIME } from "../helpers/serve_runtime.ts";
import { probe, rssOf } from "../helpers/memory_probe.ts";
import { makeBatch } from "../bench/workload.ts";
import { WAL_COPY_BYTES, walHeldBytes } from "../../src/config/memory_bound.ts";

const MiB = 1024 * 1024;
const LONG = process.env.LOKIRELAY_DRILL_LONG === "1";
const SECONDS = Number(process.env.LOKIRELAY_DRILL_SECONDS ?? (LONG ? 30 : 3));
const CAPACITY = 10 * MiB;
const INFLIGHT = 32 * MiB;
const SLACK = 64 * MiB;
/** What the write-ahead log holds beyond the queue, and its copies (README): one endpoint. */
const WAL_HELD = walHeldBytes(1) + WAL_COPY_BYTES;
const READY_MS = Number(process.env.LOKIRELAY_DRILL_READY_MS ?? (LONG ? 250 : 1000));
const LOADER = new URL("../helpers/drill_load.ts", import.meta.url).pathname;

type Traffic = (url: string) => Promise<Map<number, number>>;

interface DrillResult {
  idle: number;
  peak: number;
  bound: number;
  slowestReady: number;
  statuses: Map<number, number>;
}

interface DrillOptions {
  /** The write-ahead log on (its defaults, in a fresh directory). */
  wal?: boolean;
  /** Loki answers 204 at once (a counting sink) instead of hanging after the warm-up. */
  lokiAnswers?: boolean;
}

async function drill(traffic: Traffic, options: DrillOptions = {}): Promise<DrillResult> {
  const fake = options.lokiAnswers ? undefined : await startFakeLoki();
  const sink = options.lokiAnswers ? await startSink() : undefined;
  const lokiUrl = fake?.url ?? sink!.url;
  const dir = mkdtempSync(join(tmpdir(), "lokirelay-drill-"));
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      http: { listen_address: "127.0.0.1", listen_port: 0 },
      forward_to: [{ url: lokiUrl }],
      ...(options.wal ? { wal: { enabled: true, dir: join(dir, "wal") } } : {}),
    }),
  );
  const relay = startRelay(["--config", config, "--log-level", "error"]);
  try {
    const port = await portOf(relay.pid); // --log-level error hides the listening line
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url);
    // Idle is what a relay that has served traffic holds: one push of each kind goes through
    // (codecs, compression worker and buffers warmed up), then Loki stops answering.
    await warmUp(url);
    if (fake) {
      await fake.waitFor(() => fake.received.length > 0, 10_000);
      fake.fallback = { hang: true };
    }
    await new Promise((r) => setTimeout(r, 1500));
    const idle = rssOf(relay.pid);
    const watch = probe(relay.pid, `${url}/ready`);
    const statuses = await traffic(url);
    await new Promise((r) => setTimeout(r, 200));
    await watch.stop();
    return {
      idle,
      peak: watch.peakRss,
      bound: idle + CAPACITY + INFLIGHT + (options.wal ? WAL_HELD : 0) + SLACK,
      slowestReady: watch.slowestReady,
      statuses,
    };
  } finally {
    relay.kill("SIGKILL");
    await relay.exited;
    await (fake ?? sink)!.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The listening port of a process, from /proc/net/tcp and its socket inodes. */
async function portOf(pid: number): Promise<number> {
  const { readdirSync, readlinkSync, readFileSync } = await import("node:fs");
  for (let i = 0; i < 100; i++) {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
    for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9])) return parseInt(f[1].split(":")[1], 16);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no listening socket for pid ${pid}`);
}

async function warmUp(url: string): Promise<void> {
  const proto = new Uint8Array(
    compress(encodePushRequest(makeBatch({ batchBytes: 256 * 1024 }))),
  );
  const json = new TextEncoder().encode(
    JSON.stringify({ streams: [{ stream: { app: "warm" }, values: [["1", "up"]] }] }),
  );
  for (
    const [body, headers] of [[proto, {}], [json, { "content-type": "application/json" }]] as const
  ) {
    const res = await fetch(`${url}/loki/api/v1/push`, {
      method: "POST",
      headers,
      body: body as Uint8Array<ArrayBuffer>,
    });
    await res.arrayBuffer();
    if (res.status !== 204) throw new Error(`warm-up push answered ${res.status}`);
  }
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${url}/ready`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} never became ready`);
}

/**
 * Traffic from a loader process (`tests/helpers/drill_load.ts`, run by this runtime): `clients`
 * connections push bodies of `kind` for SECONDS, or once each when `once`.
 */
function load(kind: string, clients: number, once = false): Traffic {
  return async (url) => {
    const [cmd, pre] = RUNTIME === "deno"
      ? [process.execPath, ["run", "-A"]]
      : [process.execPath, []];
    const child = spawn(cmd, [
      ...pre,
      LOADER,
      url,
      kind,
      String(clients),
      once ? "0" : String(SECONDS),
    ], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, LOKIRELAY_DRILL_GZIP_MIB: LONG ? "1024" : "256" },
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    while (!out.includes("ready\n")) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => child.on("close", r));
    child.stdin.write("go\n");
    await exited;
    const line = out.split("\n").filter((l) => l.startsWith("{")).pop();
    if (!line) throw new Error(`the loader printed no statuses: ${out}`);
    return new Map(Object.entries(JSON.parse(line)).map(([k, v]) => [Number(k), v as number]));
  };
}

function check(name: string, r: DrillResult, allowed: number[]): void {
  const MiBs = (n: number) => (n / MiB).toFixed(0);
  const seen = Object.fromEntries(r.statuses);
  console.log(
    `drill "${name}": idle ${MiBs(r.idle)} MiB, peak ${MiBs(r.peak)} MiB (bound ${
      MiBs(r.bound)
    }), slowest /ready ${r.slowestReady.toFixed(0)} ms, statuses ${JSON.stringify(seen)}`,
  );
  for (const status of r.statuses.keys()) {
    assert.ok(allowed.includes(status), `${name}: status ${status} (${JSON.stringify(seen)})`);
  }
  assert.ok(
    r.peak <= r.bound,
    `${name}: peak RSS ${MiBs(r.peak)} MiB passes idle ${MiBs(r.idle)} + capacity ${
      MiBs(CAPACITY)
    } + max_inflight_bytes ${MiBs(INFLIGHT)} + 64 MiB = ${MiBs(r.bound)} MiB`,
  );
  assert.ok(
    r.slowestReady <= READY_MS,
    `${name}: /ready took ${r.slowestReady.toFixed(0)} ms (at most ${READY_MS})`,
  );
}

test("drill: 4 clients push 1 MiB protobuf bodies into a hanging Loki", async () => {
  const r = await drill(load("protobuf-1mib", 4));
  check("1 MiB protobuf", r, [204, 429]);
  assert.ok((r.statuses.get(429) ?? 0) > 0, "the queue filled and pushed back");
});

test("drill: pushes of 5,000 entries with empty lines into a hanging Loki", async () => {
  const r = await drill(load("empty-lines", 4));
  check("empty lines", r, [204, 429]);
  assert.ok((r.statuses.get(429) ?? 0) > 0, "empty lines are not free to the queue");
});

test("drill: one-byte entries under a new label set with a 1 MiB value each", async () => {
  const r = await drill(load("label-1mib", 2));
  check("1 MiB label values", r, [413]);
});

test("drill: one-byte entries under new label sets of 60 KiB (under max_label_bytes)", async () => {
  const r = await drill(load("label-60kib", 2));
  check("60 KiB label values", r, [204, 429]);
  assert.ok((r.statuses.get(429) ?? 0) > 0, "labels count in the queue");
});

test("drill: one JSON push of a single stream with 1,000,000 labels (13 MiB)", async () => {
  const r = await drill(load("json-million-labels", 1, true));
  check("1,000,000 labels", r, [413]);
});

test("drill: one protobuf push of 100,000 one-entry streams", async () => {
  const r = await drill(load("protobuf-100k-streams", 1, true));
  check("100,000 streams", r, [204, 413, 429]);
});

test("drill: one JSON push whose label value nests 100,000 levels", async () => {
  const r = await drill(load("json-deep-nesting", 1, true));
  check("100,000 levels", r, [413]);
});

test("drill: 20 concurrent snappy bodies declaring 99 MiB each", async () => {
  const r = await drill(load("snappy-99mib-preamble", 20, true));
  check("snappy 99 MiB preambles", r, [400]);
});

test("drill: a gzip body inflating to hundreds of MiB of zeros", async () => {
  const r = await drill(load("gzip-zeros", 1, true));
  check("gzip bomb", r, [413]);
});

test("drill: with the write-ahead log, 4 clients push 1 MiB protobuf bodies into a hanging Loki", async () => {
  const r = await drill(load("protobuf-1mib", 4), { wal: true });
  check("WAL, Loki hanging", r, [204, 429]);
  assert.ok((r.statuses.get(204) ?? 0) > 0, "the log took pushes while Loki hung");
});

test("drill: with the write-ahead log, 4 clients push 1 MiB protobuf bodies as fast as Loki takes them", async () => {
  const r = await drill(load("protobuf-1mib", 4), { wal: true, lokiAnswers: true });
  check("WAL, Loki answering", r, [204, 429]);
  assert.ok((r.statuses.get(204) ?? 0) > 0, "pushes went through");
});

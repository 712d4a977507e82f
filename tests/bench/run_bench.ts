// `deno task bench`: the whole-path benchmark. For each runtime (deno run, bun run, the compiled
// binary) it starts the relay forwarding to a loopback sink, drives it from a separate load
// generator process, and prints entries/s, MB/s, latency, RSS and CPU per scenario, plus the
// codec floor, overload behaviour and start-up time.
//   deno run -A tests/bench/run_bench.ts [--seconds 5] [--runtimes deno,bun,binary] [--smoke]
//     [--scenarios protobuf,json] [--binary path/to/lokirelay] [--quick: scenarios only, no floor,
//     overload or start-up]
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { type Floors, measureFloors } from "./codec_bench.ts";
import { hashPassword } from "../../src/auth/password_hash.ts";
import {
  EDGE_PASSWORD,
  EDGE_TENANT,
  EDGE_TOKEN,
  EDGE_USER,
  isEdge,
  type LoadResult,
  type Scenario,
} from "./loadgen.ts";
import { startSink } from "./sink_server.ts";
import { fmt, median, RUNTIME } from "./stats.ts";

const root = new URL("../../", import.meta.url).pathname;
const bin = (n: string) => join(root, "node_modules/.bin", n);
const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "5" },
    runtimes: { type: "string", default: "deno,bun,binary" },
    smoke: { type: "boolean", default: false },
    scenarios: { type: "string" },
    binary: { type: "string", default: "dist/lokirelay" },
    quick: { type: "boolean", default: false },
  },
});
const SECONDS = args.smoke ? 1 : Number(args.seconds);
const SCENARIOS: Scenario[] = args.scenarios
  ? args.scenarios.split(",") as Scenario[]
  : args.smoke
  ? ["protobuf", "edge"]
  : [
    "protobuf",
    "edge",
    "json",
    "gzip-json",
    "raw",
    "relabel",
    "tenants",
    "shards",
    "wal-always",
    "wal-interval",
    "wal-never",
  ];
const dir = mkdtempSync(join(tmpdir(), "lokirelay-bench-"));
process.once("exit", () => rmSync(dir, { recursive: true, force: true }));

const RULES = [
  { source_labels: ["app"], target_label: "service" },
  { source_labels: ["namespace"], regex: "team-(\\d+)", target_label: "team", replacement: "t$1" },
  { source_labels: ["level"], regex: "debug", action: "drop" },
  { source_labels: ["pod"], regex: "(.+)-[a-z0-9]+", target_label: "workload" },
  { source_labels: ["instance"], regex: "([^:]+):\\d+", target_label: "host" },
  { source_labels: ["cluster", "env"], separator: "/", target_label: "where" },
  { regex: "instance", action: "labeldrop" },
  { source_labels: ["service"], target_label: "shard", modulus: 8, action: "hashmod" },
  { source_labels: ["env"], target_label: "env_upper", action: "uppercase" },
  {
    source_labels: ["app"],
    regex: "api|web|worker|billing|auth|search|gateway|cron",
    action: "keep",
  },
];

/** Rates the edge scenarios set: far above any load the bench makes, so nothing is refused. */
const NEVER_REFUSE = { entries_per_second: 1e12, bytes_per_second: "1TiB" };
let passwordHash: Promise<string> | undefined;

/**
 * The edge blocks of the "edge" scenarios: auth with the loadgen's bearer token and basic-auth
 * user (each bound to its tenant), per-tenant and global rates that never refuse, and Loki's
 * default limits (the loadgen's timestamps are near now for these scenarios).
 */
async function edgeConfig() {
  passwordHash ??= hashPassword(EDGE_PASSWORD); // scrypt ln=15, once a run
  return {
    auth: {
      bearer_tokens: [{
        name: "loadgen",
        token_sha256: createHash("sha256").update(EDGE_TOKEN).digest("hex"),
        tenants: [EDGE_TENANT],
      }],
      basic_users: [{
        username: EDGE_USER,
        password_hash: await passwordHash,
        tenants: [EDGE_TENANT],
      }],
    },
    rate_limits: { per_tenant: NEVER_REFUSE, global: NEVER_REFUSE },
    limits: { loki_defaults: true },
  };
}

/** The V8 flags `npm start` and the Deno tasks run the relay with (see deno.json). */
const DENO_V8_FLAGS = "--max-old-space-size=512,--max-semi-space-size=2";

function relayCommand(runtime: string, config: string): [string, string[]] {
  const main = join(root, "src/main.ts");
  if (runtime === "deno") {
    return [bin("deno"), [
      "run",
      "-A",
      `--v8-flags=${process.env.LOKIRELAY_DENO_V8_FLAGS ?? DENO_V8_FLAGS}`,
      main,
      "--config",
      config,
    ]];
  }
  if (runtime === "bun") return [bin("bun"), [main, "--config", config]];
  return [resolve(root, args.binary), ["--config", config]];
}

interface Proc {
  pid: number;
  port: Promise<number>;
  stop(): Promise<void>;
}

function startRelay(runtime: string, config: unknown): Proc {
  const path = join(dir, `${runtime}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(config));
  const [cmd, cmdArgs] = relayCommand(runtime, path);
  const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const port = new Promise<number>((resolve, reject) => {
    child.stderr.on("data", (c) => {
      stderr += c;
      const m = /msg=listening .*addr=[^ ]+:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.on("close", () => reject(new Error(`relay exited:\n${stderr}`)));
  });
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  return {
    pid: child.pid!,
    port,
    async stop() {
      if (child.exitCode === null) process.kill(child.pid!, "SIGTERM");
      await exited;
    },
  };
}

/** The sum of each named counter over its series, from the relay's /metrics. */
async function counters<K extends string>(base: string, names: K[]): Promise<Record<K, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const sums = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  for (const line of text.split("\n")) {
    const name = /^[a-z_]+/.exec(line)?.[0] as K | undefined;
    if (name && name in sums) sums[name] += Number(line.split(" ").pop());
  }
  return sums;
}

/** Entries the relay skipped on purpose (relabel drops, no labels), from its /metrics. */
async function skippedEntries(base: string): Promise<number> {
  return (await counters(base, ["lokirelay_receive_skipped_entries_total"]))
    .lokirelay_receive_skipped_entries_total;
}

/** What the edge features refused or changed (all must stay 0) and the pushes authenticated. */
const EDGE_COUNTERS = [
  "lokirelay_auth_requests_total",
  "lokirelay_auth_failures_total",
  "lokirelay_rate_limited_pushes_total",
  "lokirelay_discarded_entries_total",
  "lokirelay_mutated_entries_total",
];

/** RSS in MiB and CPU seconds (user+system) of a process, from /proc. */
function sample(pid: number): { rss: number; cpu: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const cpu = (Number(stat[11]) + Number(stat[12])) / 100;
    return { rss, cpu };
  } catch {
    return { rss: 0, cpu: 0 };
  }
}

function runLoadgen(
  url: string,
  scenario: Scenario,
  seconds: number,
  concurrency: number,
  rate = 0,
) {
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(bin("bun"), [
      join(root, "tests/bench/loadgen.ts"),
      url,
      scenario,
      String(seconds),
      String(concurrency),
      String(rate),
    ], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on(
      "close",
      (code) => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`loadgen exit ${code}`)),
    );
  });
}

interface Row {
  scenario: string;
  entriesPerSec: number;
  mbPerSec: number;
  p50: number;
  p99: number;
  halfP50: number;
  halfP99: number;
  peakRss: number;
  steadyRss: number;
  cpuPerMillion: number;
  delivered: number;
  /** Entries delivered per second from the start of the full load until the sink had them all. */
  deliveredPerSec: number;
  /** Seconds from the end of the load until the sink had every accepted entry. */
  catchUpSeconds: number;
  skipped: number;
  accepted: number;
  refusedShare: number;
}

async function benchScenario(runtime: string, scenario: Scenario): Promise<Row> {
  const sink = await startSink();
  const relay = startRelay(runtime, {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    labels: { job: "bench" },
    relabel_rules: scenario === "relabel" ? RULES : [],
    // "wal-<fsync>": the protobuf load with the write-ahead log on, in a fresh directory.
    // (No `wal` key otherwise, so that builds from before the log existed can be measured too.)
    ...(scenario.startsWith("wal-")
      ? {
        wal: {
          enabled: true,
          dir: join(dir, `wal-${runtime}-${scenario}`),
          fsync: scenario.slice("wal-".length),
        },
      }
      : {}),
    // "shards": the protobuf load with four requests in flight (min_shards 4); else Alloy's 1.
    forward_to: [{
      url: sink.url,
      batch_wait: "200ms",
      queue_config: { min_shards: scenario === "shards" ? 4 : 1 },
    }],
    // "edge", "edge-basic": the protobuf load through auth, rate limits and Loki's limits.
    ...(isEdge(scenario) ? await edgeConfig() : {}),
  });
  const port = await relay.port;
  const base = `http://127.0.0.1:${port}`;
  const rss: number[] = [];
  const timer = setInterval(() => rss.push(sample(relay.pid).rss), 100);
  try {
    const warm = await runLoadgen(base, scenario, Math.min(1, SECONDS), 4);
    await new Promise((r) => setTimeout(r, 1000)); // let the warm-up batches reach the sink
    const before = { ...sink.stats };
    const skippedBefore = await skippedEntries(base);
    const cpu0 = sample(relay.pid).cpu;
    const loadStart = performance.now();
    const full = await runLoadgen(base, scenario, SECONDS, 4);
    const cpu1 = sample(relay.pid).cpu;
    const rate = full.requests / full.seconds / 2;
    const half = await runLoadgen(base, scenario, SECONDS, 4, rate);
    const loadEnd = performance.now();
    const skipped = (await skippedEntries(base)) - skippedBefore;
    // With the WAL a push is answered once it is on disk, so the log may run ahead of Loki: wait
    // (up to two minutes) until the sink has every accepted entry, and say how long it took.
    const target = full.entries + half.entries - skipped;
    const waitUntil = loadEnd + (scenario.startsWith("wal-") ? 120_000 : 1000);
    while (sink.stats.entries - before.entries < target && performance.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const caughtUp = performance.now();
    await new Promise((r) => setTimeout(r, 200)); // nothing more arrives
    const delivered = sink.stats.entries - before.entries;
    for (const [what, r] of [["warm-up", warm], ["full", full], ["half", half]] as const) {
      const odd = Object.entries(r.status).filter(([code]) => code !== "204" && code !== "429");
      if (odd.length > 0) {
        problems.push(`${runtime} ${scenario} ${what}: answers ${JSON.stringify(r.status)}`);
      }
    }
    if (isEdge(scenario)) {
      const c = await counters(base, EDGE_COUNTERS);
      const { lokirelay_auth_requests_total: authenticated, ...refusals } = c;
      const pushes = [warm, full, half].reduce((n, r) => n + (r.status["204"] ?? 0), 0);
      if (authenticated < pushes || Object.values(refusals).some((n) => n > 0)) {
        problems.push(`${runtime} ${scenario}: edge counters ${JSON.stringify(c)}`);
      }
    }
    if (sink.stats.errors > 0 || sink.stats.verified === 0) {
      problems.push(
        `${runtime} ${scenario}: sink saw ${sink.stats.errors} bad requests, verified ${sink.stats.verified}`,
      );
    }
    return {
      scenario,
      entriesPerSec: full.entries / full.seconds,
      mbPerSec: full.rawBytes / 1e6 / full.seconds,
      p50: full.p50,
      p99: full.p99,
      halfP50: half.p50,
      halfP99: half.p99,
      peakRss: Math.max(...rss),
      steadyRss: median(rss.slice(-Math.max(1, rss.length >> 2))),
      cpuPerMillion: (cpu1 - cpu0) / (full.entries / 1e6),
      delivered,
      deliveredPerSec: delivered / ((caughtUp - loadStart) / 1000),
      catchUpSeconds: (caughtUp - loadEnd) / 1000,
      skipped,
      accepted: full.entries + half.entries,
      refusedShare: (full.status["429"] ?? 0) /
        Object.values(full.status).reduce((a, b) => a + b, 0),
    };
  } finally {
    clearInterval(timer);
    await relay.stop();
    await sink.close();
  }
}

async function overload(runtime: string) {
  const sink = await startSink();
  sink.delayMs = 400; // Loki that answers slowly: the relay's queue fills
  const relay = startRelay(runtime, {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    forward_to: [{ url: sink.url, batch_wait: "200ms", queue_config: { capacity: "32MiB" } }],
  });
  const port = await relay.port;
  const rss: number[] = [];
  const timer = setInterval(() => rss.push(sample(relay.pid).rss), 100);
  try {
    const result = await runLoadgen(`http://127.0.0.1:${port}`, "protobuf", SECONDS * 2, 8);
    const half = rss.length >> 1;
    return {
      status: result.status,
      peakRss: Math.max(...rss),
      firstHalfRss: median(rss.slice(0, half)),
      secondHalfRss: median(rss.slice(half)),
    };
  } finally {
    clearInterval(timer);
    await relay.stop();
    await sink.close();
  }
}

async function startup(runtime: string, runs = args.smoke ? 3 : 10): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const relay = startRelay(runtime, { http: { listen_address: "127.0.0.1", listen_port: 0 } });
    const port = await relay.port;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
    }
    times.push(performance.now() - t);
    await relay.stop();
  }
  return median(times);
}

const problems: string[] = [];
const FORMATS = [...new Set(["protobuf", ...SCENARIOS.map(formatOf)])];
const FLOOR_MS = args.smoke ? 300 : 1500;
/** `--quick` measures no floor: its columns print as NaN. */
const QUICK_FLOORS = {
  runtime: RUNTIME,
  codec: {},
  formats: Object.fromEntries(FORMATS.map((f) => [f, NaN])),
} as Floors;

/** The input format whose decode a scenario pays for. */
function formatOf(scenario: Scenario): string {
  return ["json", "gzip-json", "raw"].includes(scenario) ? scenario : "protobuf";
}

/** The floors in the relay's own process kind: here for Deno, a Bun process for Bun and the binary. */
const floorCache = new Map<string, Promise<Floors>>();
function floorsFor(runtime: string): Promise<Floors> {
  const kind = runtime === "deno" ? "deno" : "bun";
  if (!floorCache.has(kind)) {
    floorCache.set(
      kind,
      kind === RUNTIME
        ? Promise.resolve(measureFloors(FORMATS, FLOOR_MS))
        : new Promise((resolve, reject) => {
          const child = spawn(bin("bun"), [
            join(root, "tests/bench/codec_bench.ts"),
            "--json",
            String(FLOOR_MS),
            FORMATS.join(","),
          ], { stdio: ["ignore", "pipe", "inherit"] });
          let out = "";
          child.stdout.on("data", (c) => (out += c));
          child.on("close", (code) => (code === 0
            ? resolve(JSON.parse(out))
            : reject(new Error(`floors: exit ${code}`))));
        }),
    );
  }
  return floorCache.get(kind)!;
}

function printFloors(f: Floors) {
  const c = f.codec;
  console.log(
    `codec floor on ${f.runtime} (snappy uncompress + decode + encode + snappy compress, best of 3): ${
      fmt(f.formats.protobuf / 1e6)
    } M entries/s; parts: decode ${fmt(c.decodeEntriesPerSec / 1e6)} M/s, encode ${
      fmt(c.encodeEntriesPerSec / 1e6)
    } M/s (from strings), snappy un ${fmt(c.uncompressMBps)} MB/s, comp ${
      fmt(c.compressMBps)
    } MB/s; other formats: ${
      Object.entries(f.formats).filter(([k]) => k !== "protobuf").map(([k, v]) =>
        `${k} ${fmt(v / 1e6)} M/s`
      ).join(", ") || "none"
    }`,
  );
}

for (const runtime of args.runtimes.split(",")) {
  if (runtime === "binary" && !existsSync(resolve(root, args.binary))) {
    console.log("\n(binary: dist/lokirelay not built; run `npm run build`)");
    continue;
  }
  console.log(`\n## ${runtime}`);
  const floors = args.quick ? QUICK_FLOORS : await floorsFor(runtime);
  if (!args.quick) printFloors(floors);
  console.log(
    "| scenario | entries/s | MB/s | p50 ms | p99 ms | p50 @½ | p99 @½ | peak RSS MiB | steady RSS MiB | CPU s / M entries | % of floor | % of format floor | 429s at max |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  const rows = new Map<string, Row>();
  for (const scenario of SCENARIOS) {
    const r = await benchScenario(runtime, scenario);
    rows.set(scenario, r);
    console.log(
      `| ${r.scenario} | ${fmt(r.entriesPerSec, 0)} | ${fmt(r.mbPerSec)} | ${fmt(r.p50)} | ${
        fmt(r.p99)
      } | ` +
        `${fmt(r.halfP50)} | ${fmt(r.halfP99)} | ${fmt(r.peakRss, 0)} | ${fmt(r.steadyRss, 0)} | ` +
        `${fmt(r.cpuPerMillion)} | ${
          fmt((100 * r.entriesPerSec) / floors.formats.protobuf, 0)
        } % | ${fmt((100 * r.entriesPerSec) / floors.formats[formatOf(scenario)], 0)} % | ${
          fmt(100 * r.refusedShare, 0)
        } % |`,
    );
    if (r.skipped > 0) {
      console.log(`  (${r.skipped} entries dropped by the relabel rules, as configured)`);
    }
    if (scenario.startsWith("wal-")) {
      console.log(
        `  (${scenario}: the sink had every accepted entry ${fmt(r.catchUpSeconds)} s after the ` +
          `load ended: ${fmt(r.deliveredPerSec, 0)} entries/s delivered over the whole run)`,
      );
    }
    if (r.delivered + r.skipped !== r.accepted) {
      problems.push(
        `${runtime} ${scenario}: delivered ${r.delivered} of ${r.accepted} accepted entries`,
      );
    }
  }
  const plain = rows.get("protobuf");
  for (const edge of [rows.get("edge"), rows.get("edge-basic")]) {
    if (!plain || !edge) continue;
    console.log(
      `${edge.scenario} / protobuf on ${runtime}: entries/s ×${
        (edge.entriesPerSec / plain.entriesPerSec).toFixed(3)
      } (${fmt(edge.entriesPerSec, 0)} / ${fmt(plain.entriesPerSec, 0)}), CPU per entry ×${
        (edge.cpuPerMillion / plain.cpuPerMillion).toFixed(3)
      } (${fmt(edge.cpuPerMillion)} / ${fmt(plain.cpuPerMillion)} s per M entries)`,
    );
  }
  if (args.quick) continue;
  const o = await overload(runtime);
  console.log(
    `overload (sink 400 ms per request, queue 32 MiB): statuses ${JSON.stringify(o.status)}, ` +
      `RSS peak ${fmt(o.peakRss, 0)} MiB, median first half ${
        fmt(o.firstHalfRss, 0)
      } / second half ${fmt(o.secondHalfRss, 0)} MiB`,
  );
  console.log(`start-up to first 200 on /ready: ${fmt(await startup(runtime))} ms (median)`);
}
if (existsSync(join(root, "dist/lokirelay"))) {
  console.log(
    `\nbinary size: ${fmt(readFileSync(join(root, "dist/lokirelay")).byteLength / 1e6)} MB`,
  );
}
for (const p of problems) console.log(`(!) ${p}`);
process.exit(problems.length === 0 ? 0 : 1);

// Realistic push batches for the benchmarks: what loki.write sends (about 1 MiB of lines per
// batch, ~200-byte lines, 10-100 streams with realistic labels, some structured metadata).
import type { PushRequest } from "../../src/types.ts";

/** A small deterministic PRNG (mulberry32) so every run sends the same bytes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = ["api", "web", "worker", "billing", "auth", "search", "gateway", "cron"];
const LEVELS = ["info", "info", "info", "warn", "error", "debug"];
const WORDS =
  ("GET POST PUT /api/v1/orders /api/v1/users /healthz status=200 status=404 status=500 " +
    "duration_ms=12 duration_ms=340 user_id=8812 region=eu-west-1 retry=0 cache=hit cache=miss " +
    'msg="request completed" msg="upstream timeout" bytes=5123 trace=ok').split(" ");

export interface WorkloadOptions {
  /** Uncompressed line bytes per batch. @default 1 MiB */
  batchBytes?: number;
  /** Streams per batch. @default 40 */
  streams?: number;
  /** Share of entries with structured metadata. @default 0.3 */
  metadataShare?: number;
  seed?: number;
}

/** Makes one push request as a Loki client would batch it. */
export function makeBatch(options: WorkloadOptions = {}, start = 1_795_500_000): PushRequest {
  const rand = rng(options.seed ?? 42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const nStreams = options.streams ?? 40;
  const target = options.batchBytes ?? 1 << 20;
  const mdShare = options.metadataShare ?? 0.3;
  const streams = Array.from({ length: nStreams }, (_, i) => ({
    labels: `{app="${APPS[i % APPS.length]}", cluster="prod-eu-1", env="production", ` +
      `instance="10.0.${i % 16}.${(i * 7) % 250}:9090", level="${LEVELS[i % LEVELS.length]}", ` +
      `namespace="team-${i % 5}", pod="${APPS[i % APPS.length]}-${
        (i * 2654435761 % 1e6).toString(36)
      }"}`,
    entries: [] as PushRequest["streams"][0]["entries"],
  }));
  let bytes = 0;
  let n = 0;
  while (bytes < target) {
    let line = `ts=2026-11-24T10:00:00.${String(n % 1000).padStart(3, "0")}Z`;
    while (line.length < 190 + rand() * 20) line += " " + pick(WORDS);
    const e: PushRequest["streams"][0]["entries"][0] = {
      seconds: start + Math.floor(n / 1000),
      nanos: (n % 1000) * 1_000_000,
      line,
    };
    if (rand() < mdShare) {
      e.metadata = [
        { name: "trace_id", value: Math.floor(rand() * 2 ** 52).toString(16).padStart(16, "0") },
        { name: "span_id", value: Math.floor(rand() * 2 ** 32).toString(16) },
      ];
    }
    streams[n % nStreams].entries.push(e);
    bytes += line.length;
    n++;
  }
  return { streams };
}

/** Entries in a push request. */
export function countEntries(req: PushRequest): number {
  let n = 0;
  for (const s of req.streams) n += s.entries.length;
  return n;
}

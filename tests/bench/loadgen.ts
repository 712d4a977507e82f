// The load generator, run as its own process: sends one scenario's bodies to the relay with
// `concurrency` workers for `seconds`, optionally paced to `rate` requests/s, and prints one JSON
// line with the counts and latencies.
import process from "node:process";
import { gzipSync } from "node:zlib";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { snappyCompress } from "../../src/codec/snappy_block.ts";
import { toNanoString } from "../../src/codec/timestamp.ts";
import { countEntries, makeBatch } from "./workload.ts";
import { median, percentile } from "./stats.ts";

export type Scenario =
  | "protobuf"
  | "json"
  | "gzip-json"
  | "raw"
  | "relabel"
  | "tenants"
  | "shards"
  | "small"
  | "wal-always"
  | "wal-interval"
  | "wal-never"
  | "edge"
  | "edge-basic";

/**
 * The credentials of the edge scenarios: "edge" pushes with a bearer token, "edge-basic" as a
 * basic-auth user (the relay checks the scrypt hash once, then remembers the header).
 */
export const EDGE_TOKEN = "lokirelay-bench-token-6d2b79f5e1a3c4b7";
export const EDGE_USER = "bench";
export const EDGE_PASSWORD = "lokirelay-bench-password";
/** The tenant the edge scenarios push for (the credentials are bound to it). */
export const EDGE_TENANT = "bench";

/** Whether a scenario pushes through the edge features (auth, rate limits, Loki's limits). */
export function isEdge(scenario: string): boolean {
  return scenario === "edge" || scenario === "edge-basic";
}

export interface LoadResult {
  requests: number;
  entries: number;
  bodyBytes: number;
  rawBytes: number;
  status: Record<string, number>;
  p50: number;
  p99: number;
  seconds: number;
}

interface Body {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
  entries: number;
  rawBytes: number;
}

export function bodiesFor(scenario: Scenario, variants = 8): Body[] {
  // The edge scenarios check Loki's limits, whose reject_old_samples (7d) and
  // creation_grace_period (10m) the fixed timestamps of the workload could trip: their entries
  // start two minutes ago (a batch spans a few seconds), the same bytes otherwise.
  const start = isEdge(scenario) ? Math.floor(Date.now() / 1000) - 120 : undefined;
  return Array.from({ length: variants }, (_, i): Body => {
    const req = makeBatch({ seed: 1000 + i }, start);
    const entries = countEntries(req);
    const rawBytes = req.streams.reduce(
      (n, s) => n + s.entries.reduce((m, e) => m + e.line.length, 0),
      0,
    );
    if (scenario === "small") {
      const text = req.streams[0].entries.slice(0, 10).map((e) => e.line).join("\n");
      const body = new Uint8Array(new TextEncoder().encode(text));
      return { path: "/loki/api/v1/raw", headers: {}, body, entries: 10, rawBytes: text.length };
    }
    if (scenario === "raw") {
      const text = req.streams.flatMap((s) => s.entries.map((e) => e.line)).join("\n");
      return {
        path: "/loki/api/v1/raw",
        headers: {},
        body: new TextEncoder().encode(text),
        entries,
        rawBytes,
      };
    }
    if (scenario === "json" || scenario === "gzip-json") {
      const json = JSON.stringify({
        streams: req.streams.map((s) => ({
          stream: Object.fromEntries(
            [...s.labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
          ),
          values: s.entries.map((e) => {
            const v: unknown[] = [toNanoString(e.seconds, e.nanos), e.line];
            if (e.metadata) v.push(Object.fromEntries(e.metadata.map((p) => [p.name, p.value])));
            return v;
          }),
        })),
      });
      const bytes = new Uint8Array(new TextEncoder().encode(json));
      return scenario === "json"
        ? {
          path: "/loki/api/v1/push",
          headers: { "content-type": "application/json" },
          body: bytes,
          entries,
          rawBytes,
        }
        : {
          path: "/loki/api/v1/push",
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          body: new Uint8Array(gzipSync(bytes)),
          entries,
          rawBytes,
        };
    }
    const headers: Record<string, string> = { "content-type": "application/x-protobuf" };
    if (scenario === "edge") headers["authorization"] = `Bearer ${EDGE_TOKEN}`;
    if (scenario === "edge-basic") {
      headers["authorization"] = `Basic ${btoa(`${EDGE_USER}:${EDGE_PASSWORD}`)}`;
    }
    if (isEdge(scenario)) headers["x-scope-orgid"] = EDGE_TENANT;
    return {
      path: "/loki/api/v1/push",
      headers,
      body: new Uint8Array(snappyCompress(encodePushRequest(req))),
      entries,
      rawBytes,
    };
  });
}

export async function runLoad(
  base: string,
  scenario: Scenario,
  seconds: number,
  concurrency: number,
  rate = 0,
): Promise<LoadResult> {
  const bodies = bodiesFor(scenario);
  const latencies: number[] = [];
  const status: Record<string, number> = {};
  let requests = 0;
  let entries = 0;
  let bodyBytes = 0;
  let rawBytes = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let next = start;
  const interval = rate > 0 ? 1000 / rate : 0;
  async function worker(w: number) {
    let i = w;
    while (performance.now() < end) {
      if (interval > 0) {
        const slot = next;
        next += interval;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= end) break;
      }
      const b = bodies[i++ % bodies.length];
      const headers = { ...b.headers };
      if (scenario === "tenants") headers["x-scope-orgid"] = `tenant-${i % 100}`;
      const t = performance.now();
      let code = "error";
      try {
        const res = await fetch(base + b.path, { method: "POST", headers, body: b.body });
        await res.arrayBuffer();
        code = String(res.status);
      } catch {
        // counted as "error"
      }
      latencies.push(performance.now() - t);
      status[code] = (status[code] ?? 0) + 1;
      if (code === "204") {
        requests++;
        entries += b.entries;
        bodyBytes += b.body.byteLength;
        rawBytes += b.rawBytes;
      } else if (code === "429") await new Promise((r) => setTimeout(r, 50));
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return {
    requests,
    entries,
    bodyBytes,
    rawBytes,
    status,
    p50: latencies.length ? median(latencies) : NaN,
    p99: latencies.length ? percentile(latencies, 99) : NaN,
    seconds: (performance.now() - start) / 1000,
  };
}

if (import.meta.main) {
  const [base, scenario, seconds, concurrency, rate] = process.argv.slice(2);
  const result = await runLoad(
    base,
    scenario as Scenario,
    Number(seconds),
    Number(concurrency),
    Number(rate ?? 0),
  );
  process.stdout.write(JSON.stringify(result) + "\n");
}

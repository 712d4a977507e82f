// A Loki stand-in for the benchmarks: answers 204, counts entries and bytes, decodes a sample of
// requests fully (the rest only counted from the protobuf), and can be told to be slow.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { snappyUncompress } from "../../src/codec/snappy_block.ts";
import protobuf from "protobufjs/minimal.js";
import { decodePushRequest } from "../../src/codec/decode_proto.ts";

/** Counts entries of a PushRequest by walking its tags, without decoding strings. */
function countEntries(bytes: Uint8Array): number {
  const r = protobuf.Reader.create(bytes);
  let n = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag !== 0x0a) {
      r.skipType(tag & 7);
      continue;
    }
    const end = r.uint32() + r.pos;
    while (r.pos < end) {
      const t = r.uint32();
      if (t === 0x12) n++;
      r.skipType(t & 7);
    }
  }
  return n;
}

export interface SinkStats {
  requests: number;
  entries: number;
  bytes: number;
  verified: number;
  errors: number;
}

export interface Sink {
  url: string;
  stats: SinkStats;
  /** Milliseconds each request is held before its answer (overload scenario). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startSink(verifyEvery = 50): Promise<Sink> {
  const stats: SinkStats = { requests: 0, entries: 0, bytes: 0, verified: 0, errors: 0 };
  const sink = { stats, delayMs: 0 } as Sink;
  const server = http.createServer((req, res) => {
    const chunks: Uint8Array[] = [];
    req.on("data", (c: Uint8Array) => chunks.push(c));
    req.on("end", () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      stats.requests++;
      stats.bytes += body.byteLength;
      const un = snappyUncompress(body, 64 << 20);
      if (!un.ok) {
        stats.errors++;
        res.writeHead(400).end(un.error);
        return;
      }
      try {
        const n = countEntries(un.bytes);
        stats.entries += n;
        if (stats.requests % verifyEvery === 1) {
          const req = decodePushRequest(un.bytes);
          const full = req.streams.reduce((m, s) => m + s.entries.length, 0);
          const ok = full === n &&
            req.streams.every((s) =>
              s.labels.startsWith("{") && s.entries.every((e) => e.line.length > 0)
            );
          if (ok) stats.verified++;
          else stats.errors++;
        }
      } catch {
        stats.errors++;
      }
      const answer = () => res.writeHead(204).end();
      if (sink.delayMs > 0) setTimeout(answer, sink.delayMs);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/loki/api/v1/push`;
  sink.close = () => {
    server.closeAllConnections?.();
    return new Promise((r) => server.close(() => r()));
  };
  return sink;
}

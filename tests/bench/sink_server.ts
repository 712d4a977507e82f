// A Loki stand-in for the benchmarks: answers 204, counts entries and bytes, decodes a sample of
// requests fully (the rest only counted from the protobuf), and can be told to be slow.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { snappyUncompress } from "../../src/push/snappy_block.ts";
import { decodePushRequest } from "../../src/push/proto_codec.ts";

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
        const req = decodePushRequest(un.bytes);
        for (const s of req.streams) stats.entries += s.entries.length;
        if (stats.requests % verifyEvery === 1) {
          const ok = req.streams.every((s) =>
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

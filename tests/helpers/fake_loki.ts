// A fake Loki on 127.0.0.1: decodes pushes with protobufjs reflection (not the project's codec),
// records them, and answers as scripted: a status with headers, a hang, or a reset connection.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { decodeRefSnappy, type RefStream } from "./reference_proto.ts";
import { uncompress } from "snappyjs";
import { waitFor } from "./serve_runtime.ts";

export type Reply =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { hang: true }
  | { reset: true };

export interface Received {
  headers: http.IncomingHttpHeaders;
  /** Header names and values as sent, in order (Bun's `headers` object loses a `__proto__`). */
  rawHeaders: string[];
  streams: RefStream[];
  bytes: number;
  /** The request body with snappy undone: the protobuf exactly as sent. */
  protobuf: Uint8Array;
}

export interface FakeLoki {
  url: string;
  received: Received[];
  /** Replies used in order, one per request; when empty, `fallback` answers. */
  script: Reply[];
  fallback: Reply;
  /** Number of requests seen, whatever the answer. */
  attempts: number;
  /** Milliseconds (real time) each answer waits; 0 answers at once. */
  delayMs: number;
  /** Requests received and not yet answered, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
  /** Every entry received as `tenant|labels|line`, in arrival order. */
  lines(): string[];
  waitFor(check: () => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reflection follows proto3 and refuses invalid UTF-8 in strings; Loki's gogo decoder does not,
 * so such a push is recorded with no decoded streams (`protobuf` still has its bytes).
 */
function decodeOrEmpty(body: Uint8Array): RefStream[] {
  try {
    return decodeRefSnappy(body).streams ?? [];
  } catch {
    return [];
  }
}

export async function startFakeLoki(): Promise<FakeLoki> {
  const sockets = new Set<Socket>();
  const hung: http.ServerResponse[] = [];
  const fake = {
    received: [] as Received[],
    script: [] as Reply[],
    fallback: { status: 204 } as Reply,
    attempts: 0,
    delayMs: 0,
    inFlight: 0,
    maxInFlight: 0,
  } as FakeLoki;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    fake.inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    res.once("close", () => fake.inFlight--);
    req.on("end", () => {
      if (fake.delayMs > 0) setTimeout(answer, fake.delayMs);
      else answer();
    });
    const answer = () => {
      fake.attempts++;
      const reply = fake.script.shift() ?? fake.fallback;
      if ("hang" in reply) {
        hung.push(res);
        return;
      }
      if ("reset" in reply) {
        req.socket.destroy();
        return;
      }
      if (reply.status >= 200 && reply.status < 300) {
        const body = new Uint8Array(Buffer.concat(chunks));
        fake.received.push({
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          streams: decodeOrEmpty(body),
          bytes: body.byteLength,
          protobuf: new Uint8Array(uncompress(body)),
        });
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? "");
    };
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/loki/api/v1/push`;
  fake.lines = () =>
    fake.received.flatMap((r) =>
      r.streams.flatMap((s) =>
        s.entries.map((e) => `${r.headers["x-scope-orgid"] ?? ""}|${s.labels}|${e.line ?? ""}`)
      )
    );
  fake.waitFor = waitFor;
  fake.close = () => {
    for (const res of hung) res.destroy();
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r()));
  };
  return fake;
}

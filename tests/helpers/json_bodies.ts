// JSON push bodies of ~1 MiB for the decoder's tests and benchmark: typical lines, lines full of
// escapes, non-ASCII lines, and many small streams.
import { rng } from "../bench/workload.ts";

/** The kinds of body. */
export type BodyKind = "typical" | "escapes" | "non-ascii" | "small-streams";

const WORDS = [
  "level=info",
  "msg=request",
  "path=/api/v1/items",
  "status=200",
  "duration=12ms",
  "user=alice",
  "component=http",
  "caller=server.go:118",
  "method=GET",
  "bytes=5120",
];
const NON_ASCII = ["Grüße", "été", "日本語", "😀", "ошибка", "naïve", "€100"];

function line(rnd: () => number, kind: BodyKind, size: number): string {
  let s = `ts=2024-05-0${1 + Math.floor(rnd() * 9)}T12:00:00Z`;
  while (s.length < size) {
    const r = rnd();
    if (kind === "escapes" && r < 0.3) {
      s += r < 0.1 ? ' "quoted"' : r < 0.2 ? "\n\tat x.y" : " a\\b";
    } else if (kind === "non-ascii" && r < 0.3) s += " " + NON_ASCII[Math.floor(r * 100) % 7];
    else if (kind === "typical" && r < 0.02) s += ' msg="quoted"';
    else s += " " + WORDS[Math.floor(r * WORDS.length)];
  }
  return s;
}

/**
 * A JSON push body of about `bytes` bytes, the same for the same seed; returns it with its entry
 * count. Lines are ~200 bytes with two structured-metadata pairs per entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeBody } from "./json_bodies.ts";
 *
 * const { body, entries } = makeBody("typical", 64 * 1024);
 * assert.ok(body.length >= 64 * 1024 && entries > 100);
 * assert.equal(JSON.parse(new TextDecoder().decode(body)).streams[0].values[0].length, 3);
 * ```
 */
export function makeBody(
  kind: BodyKind,
  bytes = 1 << 20,
  seed = 1,
): { body: Uint8Array; entries: number } {
  const rnd = rng(seed);
  const streams: { stream: Record<string, string>; values: unknown[][] }[] = [];
  let size = 20;
  let entries = 0;
  let ns = 1700000000000000000n;
  while (size < bytes) {
    const stream: Record<string, string> = {
      app: `app-${Math.floor(rnd() * 50)}`,
      env: "prod",
      namespace: "default",
    };
    if (kind === "small-streams") stream.pod = `pod-${Math.floor(rnd() * 1e6)}`;
    const values: unknown[][] = [];
    const count = kind === "small-streams" ? 1 + Math.floor(rnd() * 3) : 250;
    for (let k = 0; k < count && size < bytes; k++) {
      ns += BigInt(Math.floor(rnd() * 1e6));
      const v = [
        ns.toString(),
        line(rnd, kind, 150 + Math.floor(rnd() * 100)),
        { trace_id: Math.floor(rnd() * 2 ** 52).toString(16), level: "info" },
      ];
      size += JSON.stringify(v).length + 1;
      values.push(v);
      entries++;
    }
    size += JSON.stringify(stream).length + 24;
    streams.push({ stream, values });
  }
  return { body: new TextEncoder().encode(JSON.stringify({ streams })), entries };
}

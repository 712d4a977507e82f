// Valid inputs the mutators start from, built by the project's own encoders and test helpers:
// protobuf pushes (src's encoder, the reflection-based reference encoder, well-framed odd ones),
// JSON push bodies (written here in several styles, and json_bodies.ts's), raw bodies, label
// strings, and the snappy, gzip and deflate forms of any of them.
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import type { Entry, LabelPair, PushRequest } from "../../src/types.ts";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { snappyCompress } from "../../src/codec/snappy_block.ts";
import { encodeRef, type RefStream } from "../helpers/reference_proto.ts";
import { makeBody } from "../helpers/json_bodies.ts";
import { Prng } from "./prng.ts";
import { randomLabels, randomText } from "./label_mutators.ts";
import { oddProtoPush } from "./proto_mutators.ts";

const utf8 = new TextEncoder();

/** A stream of a generated push: its label set as an object and as a label string. */
interface SeedStream {
  labels: Record<string, string>;
  labelString: string;
  entries: Entry[];
}

function metadata(rnd: Prng): LabelPair[] | undefined {
  if (rnd.chance(0.6)) return undefined;
  return Array.from({ length: rnd.size(5) }, () => ({
    name: rnd.chance(0.7) ? rnd.pick(["trace_id", "user", "level", ""]) : randomText(rnd),
    value: rnd.chance(0.7) ? `v${rnd.int(1000)}` : randomText(rnd),
  }));
}

function entry(rnd: Prng): Entry {
  const e: Entry = {
    // within what both formats carry: int64 nanoseconds (JSON), years 1–9999 (protobuf)
    seconds: rnd.chance(0.9) ? 1700000000 + rnd.int(1e6) : rnd.range(-9e9, 9e9),
    nanos: rnd.int(1e9),
    line: rnd.chance(0.5) ? `line ${rnd.int(1e6)} level=info` : randomText(rnd),
  };
  const md = metadata(rnd);
  if (md) e.metadata = md;
  return e;
}

function labelObject(rnd: Prng): Record<string, string> {
  const out: Record<string, string> = {};
  const n = rnd.size(6);
  for (let i = 0; i < n; i++) {
    const name = rnd.chance(0.8)
      ? rnd.pick(["app", "env", "job", "pod", "__name__"])
      : randomText(rnd);
    out[name] = rnd.chance(0.8) ? `v${rnd.int(20)}` : randomText(rnd);
  }
  return out;
}

/** A random push of a few streams. */
export function randomStreams(rnd: Prng): SeedStream[] {
  return Array.from({ length: rnd.size(6) }, () => {
    const labels = labelObject(rnd);
    return {
      labels,
      labelString: rnd.chance(0.5) ? randomLabels(rnd) : JSON.stringify(labels).replace(/:/g, "="),
      entries: Array.from({ length: rnd.size(12) }, () => entry(rnd)),
    };
  });
}

function asPush(streams: SeedStream[]): PushRequest {
  return { streams: streams.map((s) => ({ labels: s.labelString, entries: s.entries })) };
}

function asRef(streams: SeedStream[], rnd: Prng): RefStream[] {
  return streams.map((s) => ({
    labels: s.labelString,
    hash: rnd.chance(0.3) ? rnd.u32() : undefined,
    entries: s.entries.map((e) => ({
      timestamp: { seconds: e.seconds, nanos: e.nanos },
      line: e.line,
      structuredMetadata: e.metadata,
    })),
  }));
}

/** A protobuf push (not compressed): from src's encoder, the reference encoder, or odd framing. */
export function protoSeed(rnd: Prng): Uint8Array {
  const r = rnd.float();
  if (r < 0.35) return encodePushRequest(asPush(randomStreams(rnd)));
  if (r < 0.6) return encodeRef(asRef(randomStreams(rnd), rnd));
  return oddProtoPush(rnd, () => randomLabels(rnd), () => randomText(rnd));
}

/** A JSON string literal: JSON.stringify's, or with every non-ASCII character `\u`-escaped. */
function jsonString(rnd: Prng, s: string): string {
  const plain = JSON.stringify(s);
  if (rnd.chance(0.8)) return plain;
  return plain.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function nanoString(e: Entry): string {
  return (BigInt(e.seconds) * 1_000_000_000n + BigInt(e.nanos)).toString();
}

const ODD_LABEL_VALUES = ["1.50", "true", "null", "-0", '{ "a": "b" }', "[1,2]", "1e3"];

function jsonSpace(rnd: Prng): string {
  return rnd.chance(0.8) ? "" : rnd.pick([" ", "\n", "\t", "\r\n  "]);
}

/** A JSON push body's text, written in one of several styles. */
export function jsonSeed(rnd: Prng): string {
  if (rnd.chance(0.05)) {
    return new TextDecoder().decode(
      makeBody(
        rnd.pick(["typical", "escapes", "non-ascii", "small-streams"]),
        rnd.range(200, 8192),
        rnd.u32(),
      ).body,
    );
  }
  const sp = () => jsonSpace(rnd);
  const streams = randomStreams(rnd).map((s) => {
    const labels = Object.entries(s.labels).map(([k, v]) =>
      `${jsonString(rnd, k)}${sp()}:${sp()}${
        rnd.chance(0.05) ? rnd.pick(ODD_LABEL_VALUES) : jsonString(rnd, v)
      }`
    );
    const values = s.entries.map((e) => {
      const parts = [`"${nanoString(e)}"`, jsonString(rnd, e.line)];
      if (e.metadata) {
        parts.push(
          `{${
            e.metadata.map((p) => `${jsonString(rnd, p.name)}:${jsonString(rnd, p.value)}`).join(
              ",",
            )
          }}`,
        );
      }
      return `[${parts.join(`,${sp()}`)}]`;
    });
    const fields = [
      `"stream":${sp()}{${labels.join(",")}}`,
      `"values":${sp()}[${values.join(`,${sp()}`)}]`,
    ];
    if (rnd.chance(0.1)) fields.reverse();
    if (rnd.chance(0.05)) fields.push(`"extra":${sp()}{"x":[1,2,{"y":null}]}`);
    return `{${sp()}${fields.join(`,${sp()}`)}${sp()}}`;
  });
  return `${sp()}{${sp()}"streams"${sp()}:${sp()}[${streams.join(",")}]${sp()}}${sp()}`;
}

/** A raw body: lines joined by `\n` or `\r\n`, empty lines and odd bytes included. */
export function rawSeed(rnd: Prng): Uint8Array {
  const lines = Array.from(
    { length: rnd.size(40) },
    () => (rnd.chance(0.1) ? "" : randomText(rnd)),
  );
  const body = utf8.encode(
    lines.join(rnd.chance(0.7) ? "\n" : "\r\n") + (rnd.chance(0.5) ? "\n" : ""),
  );
  if (rnd.chance(0.1)) body[rnd.int(body.length)] = 0xff; // not UTF-8
  return body;
}

/** The encodings a body can be sent in. */
export type BodyEncoding = "identity" | "gzip" | "deflate" | "deflate-raw" | "snappy";

/** `bytes` in `encoding` (deflate: zlib-wrapped; deflate-raw: raw DEFLATE). */
export function encodeBody(bytes: Uint8Array, encoding: BodyEncoding): Uint8Array {
  switch (encoding) {
    case "gzip":
      return new Uint8Array(gzipSync(bytes));
    case "deflate":
      return new Uint8Array(deflateSync(bytes));
    case "deflate-raw":
      return new Uint8Array(deflateRawSync(bytes));
    case "snappy":
      return snappyCompress(bytes);
    default:
      return bytes;
  }
}

/** Inputs kept for splicing into others: a fixed sample of every kind of seed. */
export const SPLICE_POOL: readonly Uint8Array[] = (() => {
  const rnd = new Prng(0x5eed);
  const pool: Uint8Array[] = [];
  for (let i = 0; i < 16; i++) {
    pool.push(protoSeed(rnd), utf8.encode(jsonSeed(rnd)), rawSeed(rnd));
    pool.push(snappyCompress(protoSeed(rnd)));
  }
  return pool;
})();

let largeBlock: Uint8Array | undefined;

/**
 * A snappy block of a valid push that decodes to more than the WebAssembly codec takes (8 MiB):
 * the only way to reach the sliced JavaScript decoder. Made once (a push repeated: protobuf
 * concatenation is a valid push); cases mutate a copy.
 */
export function largeSnappy(): Uint8Array {
  if (largeBlock === undefined) {
    const one = encodePushRequest({
      streams: [{
        labels: '{app="big"}',
        entries: [{ seconds: 1, nanos: 2, line: "x".repeat(200) }],
      }],
    });
    const times = Math.ceil((8 * 1024 * 1024 + 4096) / one.length);
    const whole = new Uint8Array(one.length * times);
    for (let i = 0; i < times; i++) whole.set(one, i * one.length);
    largeBlock = snappyCompress(whole);
  }
  return largeBlock;
}

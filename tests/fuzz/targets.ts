// The fuzz targets: each makes one input (a valid seed, mutated most of the time), calls the
// decoders on it directly, then sends it through the real pipeline (`relay.fetch`) to the push and
// raw endpoints of one of the relays. Case i of a run uses target i mod TARGETS.length.
import type { Prng } from "./prng.ts";
import { CREDENTIALS, type Fleet, type FuzzRelay, GUARDED } from "./fuzz_relays.ts";
import { check, sendChecked, type Tally } from "./oracles.ts";
import { mutateBytes } from "./byte_mutators.ts";
import { mutateProto } from "./proto_mutators.ts";
import { mutateJson } from "./json_mutators.ts";
import { mutateLabels, randomLabels, randomText } from "./label_mutators.ts";
import {
  authorization,
  contentEncoding,
  contentType,
  headerValue,
  tenant,
} from "./header_mutators.ts";
import {
  type BodyEncoding,
  encodeBody,
  jsonSeed,
  largeSnappy,
  protoSeed,
  rawSeed,
  SPLICE_POOL,
} from "./corpus.ts";
import {
  directAuth,
  directJson,
  directLabels,
  directProto,
  directRaw,
  directReadBody,
  directSnappy,
  directTenant,
} from "./direct_checks.ts";
import type { Relay } from "../../src/relay.ts";
import { parseAuthorization } from "../../src/auth/authorization.ts";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { snappyCompress } from "../../src/codec/snappy_block.ts";
import { constants, crc32, deflateRawSync, gzipSync } from "node:zlib";

/** What a case runs against. */
export interface CaseContext {
  fleet: Fleet;
  tally: Tally;
}

/** A fuzz target: makes one input from `rnd` and checks everything it goes through. */
export interface Target {
  name: string;
  run(rnd: Prng, ctx: CaseContext): Promise<void>;
}

const utf8 = new TextEncoder();
const PUSH_PATHS = ["/loki/api/v1/push", "/api/v1/push"];
const RAW_PATHS = ["/loki/api/v1/raw", "/api/v1/raw"];
const JSON_TYPE = "application/json";
const PROTO_TYPE = "application/x-protobuf";
const GOOD_JSON = utf8.encode(
  '{"streams":[{"stream":{"app":"fuzz"},"values":[["1700000000000000000","ok"]]}]}',
);

const other = (rnd: Prng) => () => rnd.pick(SPLICE_POOL);

function headers(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * An Authorization header for a request to `relay`: to the guarded relay mostly one of its
 * credentials (scheme in any case), else junk or none; to the others (which have no auth) now
 * and then junk they must ignore.
 */
function credentialsFor(rnd: Prng, relay: FuzzRelay): string | undefined {
  const guarded = relay.name === GUARDED;
  if (!guarded || rnd.chance(0.15)) {
    return rnd.chance(guarded ? 0.7 : 0.1)
      ? headerValue(authorization(rnd).header ?? "")
      : undefined;
  }
  const scheme = (name: string) => rnd.pick([name, name.toLowerCase(), name.toUpperCase()]);
  switch (rnd.int(3)) {
    case 0:
      return `${scheme("Bearer")} ${CREDENTIALS.token}`;
    case 1:
      return `${scheme("Bearer")} ${CREDENTIALS.pinnedToken}`;
    default:
      return `${scheme("Basic")} ${btoa(`${CREDENTIALS.user}:${CREDENTIALS.password}`)}`;
  }
}

/** A random relay, and the Authorization header to send it. */
function pickRelay(rnd: Prng, ctx: CaseContext): { relay: Relay; authorization?: string } {
  const chosen = rnd.pick(ctx.fleet.relays);
  return { relay: chosen.relay, authorization: credentialsFor(rnd, chosen) };
}

/** Sends `body` to a random relay's push endpoint with plausible, sometimes junk, headers. */
async function push(
  rnd: Prng,
  ctx: CaseContext,
  body: Uint8Array,
  type: string | undefined,
  encoding?: string,
): Promise<number> {
  const { relay, authorization } = pickRelay(rnd, ctx);
  const h = headers({
    authorization,
    "content-type": contentType(rnd, type),
    "content-encoding": contentEncoding(rnd, encoding),
    "x-scope-orgid": tenant(rnd),
  });
  return await sendChecked(relay, { path: rnd.pick(PUSH_PATHS), headers: h, body }, ctx.tally);
}

let bomb: Uint8Array | undefined;
/**
 * gzip of 120 MiB of zeros: more than any relay here lets a body inflate to. Made without
 * compressing 120 MiB (over a second of held event loop, which the engine blamed on the case):
 * one fully flushed raw DEFLATE block of 1 MiB of zeros, repeated, between a gzip header and an
 * empty final block with the trailer (CRC-32 and size of the 120 MiB).
 */
function gzipBomb(): Uint8Array {
  if (bomb) return bomb;
  const mib = 120;
  const zeros = new Uint8Array(1 << 20);
  const block = deflateRawSync(zeros, { level: 1, finishFlush: constants.Z_FULL_FLUSH });
  const out = new Uint8Array(10 + block.length * mib + 2 + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  let at = 10;
  let crc = 0;
  for (let i = 0; i < mib; i++, at += block.length) {
    out.set(block, at);
    crc = crc32(zeros, crc);
  }
  out.set([0x03, 0x00], at); // final fixed-Huffman block holding only end-of-block
  const view = new DataView(out.buffer);
  view.setUint32(at + 2, crc >>> 0, true);
  view.setUint32(at + 6, (mib << 20) >>> 0, true);
  bomb = out;
  return bomb;
}

/** Protobuf pushes: framing and bytes mutated, then snappy, as Loki clients send them. */
const protoTarget: Target = {
  name: "protobuf",
  async run(rnd, ctx) {
    const seed = protoSeed(rnd);
    let bytes = seed;
    if (rnd.chance(0.5)) bytes = mutateProto(rnd, bytes);
    if (rnd.chance(0.5)) bytes = mutateBytes(rnd, bytes, other(rnd));
    directProto(rnd, bytes, ctx.tally);
    const block = rnd.chance(0.95) ? snappyCompress(bytes) : bytes; // sometimes not snappy at all
    await push(rnd, ctx, block, rnd.chance(0.5) ? PROTO_TYPE : undefined);
  },
};

/** Snappy blocks mutated (the decoded protobuf stays valid until the block breaks). */
const snappyTarget: Target = {
  name: "snappy",
  async run(rnd, ctx) {
    const large = rnd.chance(0.002);
    const plain = large ? undefined : protoSeed(rnd);
    const block = large ? largeSnappy() : snappyCompress(plain!);
    const mutated = rnd.chance(0.8) ? mutateBytes(rnd, block, other(rnd)) : block;
    directSnappy(rnd, mutated, ctx.tally, mutated === block ? plain : undefined);
    await push(rnd, ctx, mutated, PROTO_TYPE);
  },
};

/** JSON pushes: structural mutations of the text, sometimes bytes too (invalid UTF-8). */
const jsonTarget: Target = {
  name: "json",
  async run(rnd, ctx) {
    const text = jsonSeed(rnd);
    const textMutated = rnd.chance(0.8);
    const bytesMutated = rnd.chance(0.15);
    let bytes: Uint8Array = utf8.encode(textMutated ? mutateJson(rnd, text) : text);
    if (bytesMutated) bytes = mutateBytes(rnd, bytes, other(rnd));
    // Valid as written, unless a lone surrogate was escaped (`"\ud800"`: refused, as Alloy does)
    // or a label name is not one Alloy reads (it unescapes names twice: a backslash left by the
    // first that starts no escape, e.g. "\\`", is refused, as the relay refuses it).
    const valid = !textMutated && !bytesMutated && !/\\ud[89a-f]/i.test(text) &&
      !refusableLabelName(text);
    directJson(rnd, bytes, ctx.tally, valid);
    const snappy = rnd.chance(0.05);
    await push(
      rnd,
      ctx,
      snappy ? snappyCompress(bytes) : bytes,
      JSON_TYPE,
      snappy ? "snappy" : undefined,
    );
  },
};

/**
 * Whether Alloy may refuse a label name of a JSON push on its second unescape (jsonparser's
 * ObjectEach unescapes a key, then ParseString again): a backslash, once JSON-decoded, that does
 * not start an escape (a backslash then a backtick, say), or an escaped surrogate (not judged).
 */
function nameMayBeRefused(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    if (name[i] !== "\\") continue;
    const x = name[i + 1];
    if (x !== undefined && '"\\/bfnrt'.includes(x)) {
      i++;
      continue;
    }
    const hex = name.slice(i + 2, i + 6);
    if (x !== "u" || !/^[0-9a-fA-F]{4}$/.test(hex)) return true;
    const cp = parseInt(hex, 16);
    if (cp >= 0xd800 && cp <= 0xdfff) return true;
    i += 5;
  }
  return false;
}

/** Whether a stream of a JSON push has a label name Alloy may refuse (see nameMayBeRefused). */
function refusableLabelName(text: string): boolean {
  let push: { streams?: { stream?: Record<string, unknown> }[] };
  try {
    push = JSON.parse(text);
  } catch {
    return true; // not judged: not taken as valid
  }
  return (push.streams ?? []).some((s) => Object.keys(s?.stream ?? {}).some(nameMayBeRefused));
}

const COMPRESSIONS: BodyEncoding[] = ["gzip", "deflate", "deflate-raw"];

/** gzip and deflate bodies: valid, with the compressed bytes mutated, or bombs. */
const compressedTarget: Target = {
  name: "gzip/deflate",
  async run(rnd, ctx) {
    const json = rnd.chance(0.5);
    const plain = json ? utf8.encode(jsonSeed(rnd)) : snappyCompress(protoSeed(rnd));
    const format = rnd.pick(COMPRESSIONS);
    let body = encodeBody(plain, format);
    let original: Uint8Array | undefined = plain;
    if (rnd.chance(0.002)) {
      body = gzipBomb();
      original = undefined;
    } else if (rnd.chance(0.6)) {
      body = mutateBytes(rnd, body, other(rnd));
      original = undefined;
    }
    const header = format === "gzip" ? "gzip" : "deflate";
    await directReadBody(rnd, body, header, ctx.tally, original);
    await push(rnd, ctx, body, json ? JSON_TYPE : PROTO_TYPE, header);
  },
};

/** Raw bodies: lines mutated, sent plain, gzip, deflate or snappy. */
const rawTarget: Target = {
  name: "raw",
  async run(rnd, ctx) {
    let bytes = rawSeed(rnd);
    if (rnd.chance(0.5)) bytes = mutateBytes(rnd, bytes, other(rnd));
    directRaw(bytes, ctx.tally);
    const encoding = rnd.pick([undefined, undefined, "gzip", "deflate", "snappy"] as const);
    const body = encoding === "gzip"
      ? new Uint8Array(gzipSync(bytes))
      : encoding === "deflate"
      ? new Uint8Array(deflateRawSync(bytes))
      : encoding === "snappy"
      ? snappyCompress(bytes)
      : bytes;
    const { relay, authorization } = pickRelay(rnd, ctx);
    const h = headers({
      authorization,
      "content-encoding": contentEncoding(rnd, encoding),
      "x-scope-orgid": tenant(rnd),
      "content-type": rnd.chance(0.1) ? contentType(rnd, undefined) : undefined,
    });
    await sendChecked(relay, { path: rnd.pick(RAW_PATHS), headers: h, body }, ctx.tally);
  },
};

/** Label strings: parsed directly, then pushed as a stream's labels (protobuf) or keys (JSON). */
const labelsTarget: Target = {
  name: "labels",
  async run(rnd, ctx) {
    const text = rnd.chance(0.85) ? mutateLabels(rnd, randomLabels(rnd)) : randomText(rnd);
    directLabels(text, ctx.tally);
    const entries = [{ seconds: 1700000000, nanos: rnd.int(1e9), line: randomText(rnd) }];
    if (rnd.chance(0.6)) {
      const bytes = encodePushRequest({ streams: [{ labels: text, entries }] });
      await push(rnd, ctx, snappyCompress(bytes), PROTO_TYPE);
      return;
    }
    const stream: Record<string, string> = {};
    for (let i = rnd.size(8); i > 0; i--) {
      stream[rnd.chance(0.5) ? randomText(rnd) : `l${i}`] = rnd.chance(0.5)
        ? text
        : randomText(rnd);
    }
    const body = JSON.stringify({ streams: [{ stream, values: [["1700000000000000000", text]] }] });
    await push(rnd, ctx, utf8.encode(body), JSON_TYPE);
  },
};

/**
 * Authorization headers: parsed directly (shape, and the exact parse of valid ones), then sent on
 * a valid push: a relay without auth must take it whatever the header says, the guarded relay
 * must refuse it 401 (random credentials are never its own), and must take its own credentials
 * however the header spaces and cases them.
 */
const authTarget: Target = {
  name: "authorization",
  async run(rnd, ctx) {
    const { header, expect } = authorization(rnd);
    directAuth(header, expect, ctx.tally);
    const guarded = ctx.fleet.relays.find((r) => r.name === GUARDED)!.relay;
    const sendGood = (relay: Relay, authorization: string) =>
      sendChecked(relay, {
        path: PUSH_PATHS[0],
        headers: { "content-type": JSON_TYPE, authorization },
        body: GOOD_JSON,
      }, ctx.tally);
    if (rnd.chance(0.1)) {
      const own = credentialsFor(rnd, { name: GUARDED, relay: guarded, maxBytes: 0 });
      if (own === undefined) return;
      const [scheme, secret] = own.split(" ");
      const spaced = (rnd.chance(0.5) ? " " : "") + scheme + rnd.pick([" ", "  ", "\t", " \t "]) +
        (secret ?? "") + (rnd.chance(0.5) ? " \t" : "");
      const status = await sendGood(guarded, spaced);
      // Junk from credentialsFor (its 15%) is refused; the relay's own credentials are taken.
      const ownParsed = parseAuthorization(own);
      if (ownParsed.scheme === "bearer" || ownParsed.scheme === "basic") {
        const known = ownParsed.scheme === "bearer"
          ? (ownParsed.token === CREDENTIALS.token || ownParsed.token === CREDENTIALS.pinnedToken)
          : ownParsed.username === CREDENTIALS.user && ownParsed.password === CREDENTIALS.password;
        if (known) {
          check(
            status === 204 || status === 429, // 429: other cases spent the tenant's rate
            () => `a push with the relay's own ${JSON.stringify(spaced)} got ${status}`,
          );
        }
      }
      return;
    }
    if (header === null || rnd.chance(0.5)) return;
    const value = headerValue(header);
    directAuth(value, undefined, ctx.tally); // as a server hands non-UTF-8 header bytes over
    const open = await sendGood(ctx.fleet.relays[0].relay, value);
    check(open === 0 || open === 204, () => `a valid push with Authorization junk got ${open}`);
    const refused = await sendGood(guarded, value);
    check(
      refused === 0 || refused === 401,
      () =>
        `the guarded relay answered ${refused} (not 401) to Authorization ${
          JSON.stringify(value.slice(0, 80))
        }`,
    );
  },
};

const METHODS = ["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const PATHS = [
  ...PUSH_PATHS,
  ...RAW_PATHS,
  "/loki/api/v1/push/",
  "//loki/api/v1/push",
  "/loki/api/v1/push?x=1&y",
  "/loki/api/v1/%70ush",
  "/ready",
  "/metrics",
  "/-/reload",
  "/nope",
];

/** Junk headers, methods and paths on otherwise valid bodies; Content-Length that lies. */
const headersTarget: Target = {
  name: "headers",
  async run(rnd, ctx) {
    const org = tenant(rnd) ?? null;
    directTenant(org, ctx.tally);
    const json = rnd.chance(0.5);
    const body = json ? utf8.encode(jsonSeed(rnd)) : snappyCompress(protoSeed(rnd));
    const method = rnd.pick(METHODS);
    const h = headers({
      "content-type": rnd.chance(0.5)
        ? headerValue(randomText(rnd))
        : contentType(rnd, json ? JSON_TYPE : undefined),
      "content-encoding": rnd.chance(0.3)
        ? headerValue(randomText(rnd))
        : contentEncoding(rnd, undefined),
      "x-scope-orgid": org === null ? undefined : headerValue(org),
      "content-length": rnd.chance(0.3)
        ? rnd.pick([
          "0",
          "1",
          "-1",
          "1e3",
          "0x10",
          " 5 ",
          "99999999999",
          "NaN",
          String(body.length + 1),
        ])
        : undefined,
    });
    const path = rnd.pick(PATHS);
    const { relay, authorization } = pickRelay(rnd, ctx);
    if (authorization !== undefined) h.authorization = authorization;
    const withBody = method !== "GET" && method !== "HEAD";
    await sendChecked(relay, { path, method, headers: h, body: withBody ? body : null }, ctx.tally);
  },
};

/** Bodies streamed in random chunks, some that break off with an error mid-way. */
const streamedTarget: Target = {
  name: "streamed",
  async run(rnd, ctx) {
    const kind = rnd.int(3);
    let bytes = kind === 0
      ? utf8.encode(jsonSeed(rnd))
      : kind === 1
      ? snappyCompress(protoSeed(rnd))
      : rawSeed(rnd);
    if (rnd.chance(0.3)) bytes = mutateBytes(rnd, bytes, other(rnd));
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const n = rnd.chance(0.1) ? 0 : 1 + rnd.size(bytes.length);
      chunks.push(bytes.slice(at, at + n));
      at += n;
    }
    const breaks = rnd.chance(0.2);
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]);
        else if (breaks) controller.error(new Error("client went away"));
        else controller.close();
      },
    });
    const { relay, authorization } = pickRelay(rnd, ctx);
    const h = headers({
      authorization,
      "content-type": kind === 0 ? JSON_TYPE : kind === 1 ? PROTO_TYPE : undefined,
      "content-length": rnd.chance(0.2) ? String(rnd.int(bytes.length * 2 + 1)) : undefined,
    });
    const path = kind === 2 ? rnd.pick(RAW_PATHS) : rnd.pick(PUSH_PATHS);
    await sendChecked(relay, { path, headers: h, body }, ctx.tally);
  },
};

/** Pure random bytes, to every decoder and both endpoints. */
const randomTarget: Target = {
  name: "random",
  async run(rnd, ctx) {
    const bytes = rnd.bytes(rnd.chance(0.05) ? rnd.int(1 << 18) : rnd.size(2048));
    directProto(rnd, bytes, ctx.tally);
    directJson(rnd, bytes, ctx.tally);
    directSnappy(rnd, bytes, ctx.tally);
    directRaw(bytes, ctx.tally);
    const text = String.fromCharCode(...bytes.subarray(0, 4096));
    directLabels(text, ctx.tally);
    directAuth(text, undefined, ctx.tally);
    directTenant(text, ctx.tally);
    if (rnd.chance(0.7)) {
      const type = rnd.pick([undefined, JSON_TYPE, PROTO_TYPE]);
      await push(rnd, ctx, bytes, type, rnd.pick([undefined, "snappy", "gzip", "deflate"]));
    } else {
      const { relay, authorization } = pickRelay(rnd, ctx);
      const h = headers({ authorization });
      await sendChecked(relay, { path: rnd.pick(RAW_PATHS), headers: h, body: bytes }, ctx.tally);
    }
  },
};

/** Every target, in the order cases cycle through them. */
export const TARGETS: readonly Target[] = [
  protoTarget,
  snappyTarget,
  jsonTarget,
  compressedTarget,
  rawTarget,
  labelsTarget,
  authTarget,
  headersTarget,
  streamedTarget,
  randomTarget,
];

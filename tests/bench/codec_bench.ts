// The codec floor: snappy uncompress + decode + encode + snappy compress of realistic batches,
// in this process, on this runtime. Everything else is measured as a ratio of it.
import { decodePushRequest } from "../../src/codec/decode_proto.ts";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import { snappyCompress, snappyUncompress } from "../../src/codec/snappy_block.ts";
import { countEntries, makeBatch } from "./workload.ts";
import process from "node:process";
import { fmt, RUNTIME, timeIt } from "./stats.ts";
import { gunzipSync } from "node:zlib";
import { decodePushJson } from "../../src/codec/decode_json.ts";
import { splitLines } from "../../src/codec/decode_raw.ts";
import type { PushRequest } from "../../src/types.ts";
import { bodiesFor, type Scenario } from "./loadgen.ts";

export interface CodecFigures {
  entries: number;
  wireBytes: number;
  rawBytes: number;
  decodeEntriesPerSec: number;
  encodeEntriesPerSec: number;
  uncompressMBps: number;
  compressMBps: number;
  floorEntriesPerSec: number;
}

export function measureCodec(ms = 1500): CodecFigures {
  const req = makeBatch();
  const raw = encodePushRequest(req);
  const wire = snappyCompress(raw);
  const entries = countEntries(req);
  const max = 100 << 20;
  const tDecode = timeIt(() => decodePushRequest(raw), ms);
  const tEncode = timeIt(() => encodePushRequest(req), ms);
  const tUn = timeIt(() => snappyUncompress(wire, max), ms);
  const tCo = timeIt(() => snappyCompress(raw), ms);
  const tFloor = timeIt(() => {
    const un = snappyUncompress(wire, max);
    if (!un.ok) throw new Error(un.error);
    snappyCompress(encodePushRequest(decodePushRequest(un.bytes)));
  }, ms);
  return {
    entries,
    wireBytes: wire.byteLength,
    rawBytes: raw.byteLength,
    decodeEntriesPerSec: entries / (tDecode / 1000),
    encodeEntriesPerSec: entries / (tEncode / 1000),
    uncompressMBps: raw.byteLength / 1e6 / (tUn / 1000),
    compressMBps: raw.byteLength / 1e6 / (tCo / 1000),
    floorEntriesPerSec: entries / (tFloor / 1000),
  };
}

/**
 * The floor of one input format, in entries/s: decode the scenario's own request bodies (gunzip,
 * JSON, line split or snappy + protobuf), then encode + snappy compress, as the relay must. For
 * protobuf this is the codec floor: snappy uncompress + decode + encode + snappy compress.
 */
export function measureFormatFloor(scenario: Scenario, ms = 1000): number {
  const bodies = bodiesFor(scenario, 2);
  const decode = (b: (typeof bodies)[number]): PushRequest => {
    if (scenario === "raw") {
      return { streams: [{ labels: '{job="bench"}', entries: splitLines(b.body) }] };
    }
    if (scenario === "json") return decodePushJson(new TextDecoder().decode(b.body));
    if (scenario === "gzip-json") {
      return decodePushJson(new TextDecoder().decode(gunzipSync(b.body)));
    }
    const un = snappyUncompress(b.body, 100 << 20);
    if (!un.ok) throw new Error(un.error);
    return decodePushRequest(un.bytes);
  };
  let i = 0;
  // Best of three rounds: a floor is the fastest the work can go, and the machine is shared.
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    best = Math.min(
      best,
      timeIt(() => {
        snappyCompress(encodePushRequest(decode(bodies[i++ % bodies.length])));
      }, ms / 3),
    );
  }
  return bodies[0].entries / (best / 1000);
}

/** Every floor of this runtime: the codec's and each input format's. */
export interface Floors {
  runtime: string;
  codec: CodecFigures;
  /** Entries/s of decode + encode + compress per input format (protobuf, json, gzip-json, raw). */
  formats: Record<string, number>;
}

export function measureFloors(formats: string[], ms: number): Floors {
  const codec = measureCodec(ms);
  const out: Record<string, number> = {};
  for (const f of formats) out[f] = measureFormatFloor(f as Scenario, ms);
  return { runtime: RUNTIME, codec, formats: out };
}

if (import.meta.main && process.argv.includes("--json")) {
  // Used by run_bench.ts to measure the floors on Bun: `bun codec_bench.ts --json <ms> <formats>`.
  const [ms, formats] = process.argv.slice(process.argv.indexOf("--json") + 1);
  console.log(JSON.stringify(measureFloors(formats.split(","), Number(ms))));
} else if (import.meta.main) {
  const f = measureCodec();
  console.log(
    `codec on ${RUNTIME}: batch of ${f.entries} entries, ${f.rawBytes} B protobuf, ${f.wireBytes} B snappy`,
  );
  console.log(`  decode            ${fmt(f.decodeEntriesPerSec / 1e6)} M entries/s`);
  console.log(`  encode            ${fmt(f.encodeEntriesPerSec / 1e6)} M entries/s`);
  console.log(`  snappy uncompress ${fmt(f.uncompressMBps)} MB/s`);
  console.log(`  snappy compress   ${fmt(f.compressMBps)} MB/s`);
  console.log(`  floor (un+dec+enc+comp) ${fmt(f.floorEntriesPerSec / 1e6)} M entries/s`);
}

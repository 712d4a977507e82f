// The traffic of the memory drills, run as its own process so that the test process (which
// watches the relay's memory and `/ready`) is not the one busy pushing.
//   <runtime> drill_load.ts <url> <kind> <clients> <seconds>
// Prints the statuses it got as JSON: {"204": n, "429": m, ...} (-1: the connection broke).
import process from "node:process";
import { createGzip } from "node:zlib";
import { compress } from "snappyjs";
import { encodePushRequest } from "../../src/codec/encode_proto.ts";
import type { PushRequest } from "../../src/types.ts";
import { makeBatch } from "../bench/workload.ts";

const MiB = 1024 * 1024;
const [url, kind, clients, seconds] = process.argv.slice(2);
const JSON_HEADERS = { "content-type": "application/json" };

const snappyProto = (req: PushRequest) => new Uint8Array(compress(encodePushRequest(req)));

/** For each kind: a body per push (`i` counts pushes), the headers, and whether it repeats. */
type Kind = () =>
  | [(i: number) => Uint8Array, Record<string, string>]
  | Promise<[(i: number) => Uint8Array, Record<string, string>]>;

const kinds: Record<string, Kind> = {
  "protobuf-1mib"() {
    const body = snappyProto(makeBatch());
    return [() => body, {}];
  },
  "empty-lines"() {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ seconds: 1, nanos: i, line: "" }));
    const body = snappyProto({ streams: [{ labels: '{app="empty"}', entries }] });
    return [() => body, {}];
  },
  "label-1mib"() {
    const value = "v".repeat(MiB);
    return [(i) => oneEntry(`{app="a${i}", big="${value}"}`), {}];
  },
  "label-60kib"() {
    const value = "v".repeat(60 * 1024);
    return [(i) => oneEntry(`{app="a${i}", big="${value}"}`), {}];
  },
  "json-million-labels"() {
    const labels: string[] = [];
    for (let i = 0; i < 1_000_000; i++) labels.push(`"l${i}":"v"`);
    const json = `{"streams":[{"stream":{${labels.join(",")}},"values":[["1","x"]]}]}`;
    const body = new TextEncoder().encode(json);
    return [() => body, JSON_HEADERS];
  },
  "protobuf-100k-streams"() {
    const streams = Array.from({ length: 100_000 }, (_, i) => ({
      labels: `{app="a", n="${i}"}`,
      entries: [{ seconds: 1, nanos: 0, line: "x" }],
    }));
    const body = snappyProto({ streams });
    return [() => body, {}];
  },
  "json-deep-nesting"() {
    const n = 100_000;
    const json = `{"streams":[{"stream":{"a":${"[".repeat(n)}${"]".repeat(n)}},` +
      `"values":[["1","x"]]}]}`;
    const body = new TextEncoder().encode(json);
    return [() => body, JSON_HEADERS];
  },
  "snappy-99mib-preamble"() {
    const body = new Uint8Array(4096);
    body.set([0x80, 0x80, 0xc0, 0x31]); // uvarint 99 MiB, then zeros
    return [() => body, {}];
  },
  async "gzip-zeros"() {
    const inflated = Number(process.env.LOKIRELAY_DRILL_GZIP_MIB ?? 256) * MiB;
    const body = await gzipZeros(inflated);
    return [() => body, { ...JSON_HEADERS, "content-encoding": "gzip" }];
  },
};

function oneEntry(labels: string): Uint8Array {
  return snappyProto({ streams: [{ labels, entries: [{ seconds: 1, nanos: 0, line: "x" }] }] });
}

/** A gzip stream of `bytes` zeros (about 1/1000 of that in size), made without holding them. */
function gzipZeros(bytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const gz = createGzip({ level: 9 });
    const out: Uint8Array[] = [];
    gz.on("data", (c: Uint8Array) => out.push(c));
    gz.on("end", () => resolve(new Uint8Array(Buffer.concat(out))));
    gz.on("error", reject);
    const chunk = new Uint8Array(MiB);
    let left = bytes / MiB;
    const write = () => {
      while (left > 0) {
        left--;
        if (!gz.write(chunk)) return gz.once("drain", write);
      }
      gz.end();
    };
    write();
  });
}

async function post(body: Uint8Array, headers: Record<string, string>): Promise<number> {
  try {
    const res = await fetch(`${url}/loki/api/v1/push`, {
      method: "POST",
      headers,
      body: body as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return -1;
  }
}

const [body, headers] = await kinds[kind]();
process.stdout.write("ready\n");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
const statuses: Record<string, number> = {};
const count = (s: number) => (statuses[s] = (statuses[s] ?? 0) + 1);
const once = Number(seconds) === 0;
const deadline = Date.now() + Number(seconds) * 1000;
let n = 0;
await Promise.all(Array.from({ length: Number(clients) }, async () => {
  do count(await post(body(n++), headers)); while (!once && Date.now() < deadline);
}));
process.stdout.write(JSON.stringify(statuses) + "\n");
process.exit(0);

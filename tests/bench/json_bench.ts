// Compares the byte-level JSON push decoder (src/codec/decode_json.ts) with the JSON.parse one
// it replaced (tests/helpers/json_reference.ts, fed text as the route used to) on ~1 MiB bodies.
// Run: `npx deno run -A tests/bench/json_bench.ts` or `npx bun tests/bench/json_bench.ts`.
import process from "node:process";
import { decodePushJson as decodeOld } from "../helpers/json_reference.ts";
import { decodePushJson as decodeNew, decodePushJsonSteps } from "../../src/codec/decode_json.ts";
import { makeBody } from "../helpers/json_bodies.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Milliseconds per call of `fn`, calling it for about `ms`. */
function timeOnce(fn: () => unknown, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    calls++;
    now = performance.now();
  }
  return (now - start) / calls;
}

/**
 * Median milliseconds per call of each function, over `rounds` rounds in which every function
 * runs for about `ms` in turn (interleaved, so that load on a shared machine falls on all alike).
 */
function timeAll(fns: (() => unknown)[], rounds: number, ms: number): number[] {
  for (const fn of fns) for (let k = 0; k < 5; k++) fn();
  const results: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => results[k].push(timeOnce(fn, ms)));
  }
  return results.map(median);
}

function runToEnd(body: Uint8Array): void {
  const steps = decodePushJsonSteps(body);
  let step = steps.next();
  while (!step.done) step = steps.next();
  if (!step.value.ok) throw new Error(step.value.error);
}

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const textDecoder = new TextDecoder();

if (import.meta.main) {
  const rounds = Number(process.env.ROUNDS ?? 15);
  const ms = Number(process.env.ROUND_MS ?? 200);
  console.log(`runtime ${runtime}; medians of ${rounds} interleaved rounds of ${ms} ms each`);
  console.log(
    "body           MiB  entries |  old MB/s  old entries/s |  new MB/s  new entries/s | new/old" +
      " | sliced MB/s",
  );
  for (const kind of ["typical", "escapes", "non-ascii", "small-streams"] as const) {
    const { body, entries } = makeBody(kind);
    const a = JSON.stringify(decodeOld(textDecoder.decode(body)));
    const b = JSON.stringify(decodeNew(body));
    if (a !== b) throw new Error(`${kind}: the decoders disagree`);
    const [tOld, tNew, tSliced] = timeAll(
      [
        () => decodeOld(textDecoder.decode(body)),
        () => decodeNew(body),
        () => runToEnd(body),
      ],
      rounds,
      ms,
    );
    const mbps = (t: number) => (body.length / 1e6 / (t / 1000)).toFixed(0).padStart(9);
    const eps = (t: number) => (entries / (t / 1000)).toExponential(2).padStart(14);
    console.log(
      `${kind.padEnd(13)} ${(body.length / 2 ** 20).toFixed(2)} ${String(entries).padStart(8)} |` +
        `${mbps(tOld)} ${eps(tOld)} |${mbps(tNew)} ${eps(tNew)} | ${
          (tOld / tNew).toFixed(2).padStart(7)
        } |${mbps(tSliced).padStart(12)}`,
    );
  }
}

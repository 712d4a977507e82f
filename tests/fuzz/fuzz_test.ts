// Ten thousand fuzz cases, split evenly over every target (protobuf, snappy, JSON, gzip/deflate,
// raw, label strings, Authorization, headers, streamed bodies, random bytes), each through the
// decoders and the real `relay.fetch` of four relays (default, tight, forwarding, and one with
// auth, tenants, rate limits and Loki's limits on): every case answered 2xx or 4xx, no throw, crash
// or hang, memory bounded, the event loop never held. The seed is fixed so CI is repeatable; set
// LOKIRELAY_FUZZ_SEED to try another. The long run is `deno task fuzz` (a million cases).
// About 20 s on Deno and 30 s on Bun: the test sets its own timeout, past Bun's 30 s default.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { fuzzInWorker } from "./fuzz_in_worker.ts";
import { mib } from "./fuzz_engine.ts";
import { TARGETS } from "./targets.ts";

const SEED = Number(process.env.LOKIRELAY_FUZZ_SEED ?? 1);
const CASES = 10_000;
const TIMEOUT_MS = 180_000;

test(
  `fuzz: ${CASES} cases (seed ${SEED}) answered 2xx or 4xx, no crash, hang or 5xx, memory bounded`,
  {
    timeout: TIMEOUT_MS,
  },
  async () => {
    const names = TARGETS.map((t) => t.name);
    const report = await fuzzInWorker({ seed: SEED, cases: CASES, targetNames: names });
    console.log(
      `fuzz: ${report.cases} cases in ${(report.elapsedMs / 1000).toFixed(1)} s, ` +
        `heap ${mib(report.memory.baselineHeap)} → peak ${mib(report.memory.peakHeap)} MiB, ` +
        `event loop at most ${Math.round(report.maxLagMs)} ms late`,
    );
    assert.deepEqual(
      report.failures.map((f) =>
        `case ${f.index} (${f.target}): ${f.message}; replay: deno task fuzz --seed ${SEED} --case ${f.index}`
      ),
      [],
    );
    assert.equal(report.cases, CASES);
    for (const name of names) assert.equal(report.targets[name], CASES / names.length, name);
    // The inputs reach past the first checks: pushes are taken, and every decoder decodes some.
    // The guarded relay is reached: refused without credentials (401), for a tenant (403), taken.
    const outcomes = [
      "http 204",
      "http 401",
      "http 403",
      "decodeProto ok",
      "decodeJson ok",
      "snappy ok",
      "readBody ok",
    ];
    for (const outcome of outcomes) {
      assert.ok(
        (report.histogram[outcome] ?? 0) > 0,
        `no "${outcome}" in ${JSON.stringify(report.histogram)}`,
      );
    }
    assert.ok(report.batches > 0, "the forwarding relay sent nothing to the fake Loki");
  },
);

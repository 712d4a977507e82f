// The fuzzer catches each kind of failure it is meant to, and pins it to its case: a 5xx, a throw,
// a wrong result shape, a hang (async, or an event loop blocked for good), a stalled event loop,
// memory that grows without bound, an error that escapes (a crash), an error the relay logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzInWorker, type WorkerFuzzOptions } from "./fuzz_in_worker.ts";
import { TARGETS } from "./broken_targets.ts";

const names = TARGETS.map((t) => t.name);
const ROUNDS = 2;

/** Runs `only`'s targets for `rounds` rounds in a worker; the report. */
function run(only: string[], options: Partial<WorkerFuzzOptions> = {}, rounds = ROUNDS) {
  return fuzzInWorker({
    seed: 1,
    cases: rounds * names.length,
    only,
    targets: new URL("./broken_targets.ts", import.meta.url).href,
    targetNames: names,
    caseTimeoutMs: 200,
    lagLimitMs: 200,
    ...options,
  });
}

// One run for every failure a run survives; those that end a run get their own (an unhandled
// rejection ends a worker under `bun test`, whatever handler it has).
let shared: ReturnType<typeof run> | undefined;
const survivable = [
  "fine",
  "answers 500",
  "fetch throws",
  "decoder throws",
  "wrong auth shape",
  "never settles",
  "stalls the event loop",
  "logs an error",
];

/** The failures of target `name` in the shared run, as "index: message". */
async function failuresOf(name: string): Promise<string[]> {
  shared ??= run(survivable);
  const report = await shared;
  return report.failures.filter((f) => f.target === name).map((f) => `${f.index}: ${f.message}`);
}

/** The index of round `k`'s case of target `name`. */
const at = (name: string, k = 0) => names.indexOf(name) + k * names.length;

test("a target that breaks nothing fails no case", async () => {
  assert.deepEqual(await failuresOf("fine"), []);
  assert.equal((await shared!).targets.fine, ROUNDS);
});

test("a 5xx answer fails its case, with the status and the body", async () => {
  assert.deepEqual(
    await failuresOf("answers 500"),
    [0, 1].map((k) => `${at("answers 500", k)}: status 500 for POST /loki/api/v1/push: boom`),
  );
});

test("a fetch that throws fails its case", async () => {
  const [failure] = await failuresOf("fetch throws");
  assert.match(
    failure,
    new RegExp(`^${at("fetch throws")}: relay.fetch threw TypeError: exploded`),
  );
});

test("a decoder that throws fails its case", async () => {
  const [failure] = await failuresOf("decoder throws");
  assert.match(failure, new RegExp(`^${at("decoder throws")}: decodeSomething threw SyntaxError`));
});

test("parseAuthorization results out of shape fail their case", async () => {
  const [failure] = await failuresOf("wrong auth shape");
  assert.match(failure, /parseAuthorization\("Basic x"\) gave \{"scheme":"basic","username":"a:b"/);
});

test("a case that never settles is a hang, and the run goes on", async () => {
  assert.deepEqual(
    await failuresOf("never settles"),
    [0, 1].map((k) => `${at("never settles", k)}: hang: not settled within 200 ms`),
  );
});

test("a case that holds the event loop past the lag limit fails", async () => {
  const [failure] = await failuresOf("stalls the event loop");
  assert.match(
    failure,
    new RegExp(
      `^${at("stalls the event loop")}: event loop stalled: a 50 ms timer fired \\d+ ms late`,
    ),
  );
});

test("an error the relays log fails the case", async () => {
  const [failure] = await failuresOf("logs an error");
  assert.match(failure, new RegExp(`^${at("logs an error")}: logged error: request failed`));
});

test("an error that escapes a case (a crash) fails that case", async () => {
  const report = await run(["rejects in the background"]);
  const [failure] = report.failures;
  assert.equal(failure.index, at("rejects in the background"));
  // Deno's worker survives it (the engine's handler records it); Bun's test runner ends the worker.
  assert.match(
    failure.message,
    /^crash: (unhandled rejection Error|the worker died).*nobody listens/s,
  );
});

test("a case that blocks the event loop for good is a hang, caught by the watchdog", async () => {
  const report = await run(["blocks the event loop"], { blockedMs: 1000 });
  assert.deepEqual(report.failures, [{
    index: at("blocks the event loop"),
    target: "blocks the event loop",
    message: "hang: the worker's event loop has been blocked for over 1000 ms",
  }]);
});

test("memory held past the bound fails the run, with the heap it reached", async () => {
  // 8 MiB held per case, sampled every 4 cases: the bound (64 MiB) is passed by the 12th case.
  const report = await run(["leaks"], { heapGrowthBytes: 64 << 20, memoryEvery: 4 }, 40);
  assert.equal(report.failures.length, 1);
  assert.equal(report.failures[0].target, "leaks");
  assert.match(
    report.failures[0].message,
    /^memory: heap \d+\.\d MiB, more than \d+\.\d \+ 64\.0 MiB$/,
  );
  assert.ok(report.cases < 20, `stopped after ${report.cases} cases`);
});

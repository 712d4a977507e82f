// Runs fuzz cases one after another and judges the run: a case fails when a target's oracle does,
// when it throws, when it does not settle within the case timeout (a hang), when the relays log an
// error or send Loki a batch it cannot read, when an error escapes (unhandled rejection, uncaught
// exception: a crash), when the event loop stalls, or when memory grows past its bound.
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";
import { setImmediate } from "node:timers";
import { caseSeed, Prng } from "./prng.ts";
import { createFleet, type Fleet } from "./fuzz_relays.ts";
import { describe, FuzzFailure } from "./oracles.ts";
import type { Target } from "./targets.ts";

/** How a run goes. */
export interface FuzzOptions {
  /** The run's seed: case i runs with `caseSeed(seed, i)`. */
  seed: number;
  /** Cases to run. */
  cases: number;
  /** Index of the first case (to replay one case: `first: i, cases: 1`). @default 0 */
  first?: number;
  /** Only cases of these targets run (the others are skipped, indices unchanged). */
  only?: string[];
  /** A case that has not settled after this long is a hang. @default 5000 */
  caseTimeoutMs?: number;
  /** Heap (+ external memory) may grow this much over its baseline. @default 256 MiB */
  heapGrowthBytes?: number;
  /** Memory is sampled every this many cases. @default 128 */
  memoryEvery?: number;
  /** A 50 ms timer may fire this late at most (the event loop stalled). @default 1000 */
  lagLimitMs?: number;
  /** The run stops (reporting the cases it ran) once it has run this long. @default no limit */
  maxMs?: number;
  /** The run stops after this many failures. @default 20 */
  maxFailures?: number;
  /** Where the index of the running case is written, for a watchdog on another thread. */
  progress?: Int32Array;
  /** Called about every `progressEveryMs` with the run so far. */
  onProgress?: (report: FuzzReport) => void;
  /** @default 10000 */
  progressEveryMs?: number;
}

/** A failed case: replay it with the run's seed and `first: index, cases: 1`. */
export interface CaseFailure {
  index: number;
  target: string;
  message: string;
}

/** What a run found and measured. */
export interface FuzzReport {
  seed: number;
  /** Cases run. */
  cases: number;
  elapsedMs: number;
  failures: CaseFailure[];
  /** Outcomes by name: `http 204`, `decodeProto invalid`, `parseLabels error`, … */
  histogram: Record<string, number>;
  /** Cases by target. */
  targets: Record<string, number>;
  memory: { baselineHeap: number; peakHeap: number; peakRss: number };
  /** Latest a 50 ms timer fired, and the case it fired after. */
  maxLagMs: number;
  maxLagCase: number;
  /** Batches the fake Loki received. */
  batches: number;
}

const LAG_TICK_MS = 50;

/** Heap in use plus memory outside it (array buffers), and the process's RSS. */
function memory(): { heap: number; rss: number } {
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

let v8gc: (() => void) | undefined;

/**
 * A full collection, so that what is measured is what is held, not garbage not yet collected:
 * Bun's, or V8's (exposed at run time where the process was not started with --expose-gc).
 */
function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun;
  if (bun) return bun.gc(true);
  if (!v8gc) {
    v8.setFlagsFromString("--expose-gc");
    v8gc = vm.runInNewContext("gc") as () => void;
  }
  v8gc();
}

function settleWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FuzzFailure(`hang: not settled within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the cases of `targets` and reports; it never throws for what a case does. */
export async function runFuzz(
  targets: readonly Target[],
  options: FuzzOptions,
  fleetOf: () => Fleet = createFleet,
): Promise<FuzzReport> {
  const first = options.first ?? 0;
  const timeoutMs = options.caseTimeoutMs ?? 5000;
  const lagLimit = options.lagLimitMs ?? 1000;
  const maxFailures = options.maxFailures ?? 20;
  const growth = options.heapGrowthBytes ?? 256 * 1024 * 1024;
  const everyMs = options.progressEveryMs ?? 10_000;
  const memoryEvery = options.memoryEvery ?? 128;
  const started = performance.now();
  const report: FuzzReport = {
    seed: options.seed,
    cases: 0,
    elapsedMs: 0,
    failures: [],
    histogram: {},
    targets: {},
    memory: { baselineHeap: 0, peakHeap: 0, peakRss: 0 },
    maxLagMs: 0,
    maxLagCase: -1,
    batches: 0,
  };
  const tally = (key: string) => {
    report.histogram[key] = (report.histogram[key] ?? 0) + 1;
  };
  let current = { index: -1, target: "(none)" };
  const fail = (message: string, at = current) => {
    report.failures.push({ index: at.index, target: at.target, message });
  };

  // Errors that escape a case: a crash in a real server.
  const onRejection = (reason: unknown) => fail(`crash: unhandled rejection ${describe(reason)}`);
  const onException = (err: unknown) => fail(`crash: uncaught exception ${describe(err)}`);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);

  const fleet = fleetOf();
  const ctx = { fleet, tally };
  // The event loop's health: how late a 50 ms timer fires.
  let lastTick = performance.now();
  let worstLag = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worstLag = Math.max(worstLag, now - lastTick - LAG_TICK_MS);
    lastTick = now;
  }, LAG_TICK_MS);
  const base = memory();
  report.memory = { baselineHeap: base.heap, peakHeap: base.heap, peakRss: base.rss };
  let lastProgress = started;

  try {
    for (let i = first; i < first + options.cases; i++) {
      if (report.failures.length >= maxFailures) break;
      if (options.maxMs !== undefined && performance.now() - started >= options.maxMs) break;
      const target = targets[i % targets.length];
      if (options.only && !options.only.includes(target.name)) continue;
      current = { index: i, target: target.name };
      if (options.progress) Atomics.store(options.progress, 0, i);
      report.targets[target.name] = (report.targets[target.name] ?? 0) + 1;
      report.cases++;
      const rnd = new Prng(caseSeed(options.seed, i));
      try {
        await settleWithin(target.run(rnd, ctx), timeoutMs);
      } catch (err) {
        fail(err instanceof FuzzFailure ? err.message : `the case threw ${describe(err)}`);
      }
      await yieldToLoop(); // timers (the lag ticker, batch timers) get their turn
      if (fleet.problems.length > 0) {
        for (const p of fleet.problems.splice(0)) {
          fail(`${p} (seen after this case; it may come from the few cases before)`);
        }
      }
      // A timer not yet fired counts as late as it is now (and as fired, not to count it twice).
      const now = performance.now();
      worstLag = Math.max(worstLag, now - lastTick - LAG_TICK_MS);
      lastTick = Math.max(lastTick, now - LAG_TICK_MS);
      if (worstLag > report.maxLagMs) {
        report.maxLagMs = worstLag;
        report.maxLagCase = i;
      }
      if (worstLag > lagLimit) {
        fail(`event loop stalled: a 50 ms timer fired ${Math.round(worstLag)} ms late`);
      }
      worstLag = 0;
      if (report.cases % memoryEvery === 0) {
        let m = memory();
        if (m.heap > base.heap + growth) {
          collectGarbage();
          m = memory();
        }
        report.memory.peakHeap = Math.max(report.memory.peakHeap, m.heap);
        report.memory.peakRss = Math.max(report.memory.peakRss, m.rss);
        if (m.heap > base.heap + growth) {
          fail(
            `memory: heap ${mib(m.heap)} MiB, more than ${mib(base.heap)} + ${mib(growth)} MiB`,
          );
          break;
        }
      }
      if (options.onProgress && now - lastProgress >= everyMs) {
        lastProgress = now;
        report.elapsedMs = now - started;
        report.batches = fleet.batches;
        options.onProgress(report);
      }
    }
    current = { index: -1, target: "(closing the relays)" };
    try {
      await settleWithin(fleet.close(), 10_000);
    } catch (err) {
      fail(`closing the relays: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const p of fleet.problems.splice(0)) fail(p);
  } finally {
    clearInterval(ticker);
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  }
  const end = memory();
  report.memory.peakHeap = Math.max(report.memory.peakHeap, end.heap);
  report.memory.peakRss = Math.max(report.memory.peakRss, end.rss);
  report.elapsedMs = performance.now() - started;
  report.batches = fleet.batches;
  return report;
}

/** Bytes in MiB, one decimal. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

// Runs a fuzz run on a worker thread under a watchdog, so that even a case that blocks the event
// loop for good (a synchronous infinite loop) or kills its thread is caught and reported with its
// seed and index instead of hanging or ending the run without a word.
import type { FuzzOptions, FuzzReport } from "./fuzz_engine.ts";
import type { WorkerStart } from "./fuzz_worker.ts";

/** Options of a run in a worker. */
export interface WorkerFuzzOptions extends Omit<FuzzOptions, "progress" | "onProgress"> {
  /** URL of the module exporting `TARGETS`. @default ./targets.ts */
  targets?: string;
  /** Names of the targets, in order (to name the case a hang happened in). */
  targetNames: readonly string[];
  /** A case that holds the worker's event loop this long is a hang. @default 15000 */
  blockedMs?: number;
  onProgress?: (report: FuzzReport) => void;
}

/** Runs `options.cases` cases in a worker; resolves to its report, or to a hang or crash report. */
export function fuzzInWorker(options: WorkerFuzzOptions): Promise<FuzzReport> {
  const { targets, targetNames, blockedMs = 15_000, onProgress, ...run } = options;
  const progress = new SharedArrayBuffer(4);
  const running = new Int32Array(progress);
  running[0] = -1;
  const worker = new Worker(new URL("./fuzz_worker.ts", import.meta.url).href, { type: "module" });
  let last: FuzzReport | undefined;
  const started = performance.now();

  return new Promise((resolve) => {
    const finish = (report: FuzzReport) => {
      clearInterval(watchdog);
      worker.terminate();
      resolve(report);
    };
    /** The last report the worker sent, with the failure that ended it. */
    const ended = (message: string): FuzzReport => {
      const index = Atomics.load(running, 0);
      const report: FuzzReport = last ?? {
        seed: run.seed,
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
      report.elapsedMs = performance.now() - started;
      const target = index < 0 ? "(starting)" : targetNames[index % targetNames.length];
      report.failures.push({ index, target, message });
      return report;
    };

    let seen = -2;
    let since = performance.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(running, 0);
      if (now !== seen) {
        seen = now;
        since = performance.now();
      } else if (performance.now() - since > (now < 0 ? 4 * blockedMs : blockedMs)) {
        finish(ended(`hang: the worker's event loop has been blocked for over ${blockedMs} ms`));
      }
    }, 250);

    worker.onmessage = (event: MessageEvent<{ kind: string; report: FuzzReport }>) => {
      if (event.data.kind === "report") finish(event.data.report);
      else {
        last = event.data.report;
        onProgress?.(last);
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      finish(ended(`crash: the worker died: ${event.message}`));
    };
    const start: WorkerStart = {
      options: run,
      targets: targets ?? new URL("./targets.ts", import.meta.url).href,
      progress,
    };
    worker.postMessage(start);
  });
}

// The worker a fuzz run goes in (see fuzz_in_worker.ts): it loads the targets, runs the cases, and
// writes the index of the running case where the watchdog on the other thread can read it.
import { type FuzzOptions, runFuzz } from "./fuzz_engine.ts";
import type { Target } from "./targets.ts";

/** What the watchdog sends to start a run. */
export interface WorkerStart {
  options: Omit<FuzzOptions, "progress" | "onProgress">;
  /** URL of a module exporting `TARGETS`. */
  targets: string;
  /** An Int32Array's buffer: [0] is the index of the running case. */
  progress: SharedArrayBuffer;
}

const worker = self as unknown as {
  onmessage: (event: MessageEvent<WorkerStart>) => void;
  postMessage(message: unknown): void;
};

worker.onmessage = async (event) => {
  const { options, targets, progress } = event.data;
  const { TARGETS } = await import(targets) as { TARGETS: readonly Target[] };
  const report = await runFuzz(TARGETS, {
    ...options,
    progress: new Int32Array(progress),
    onProgress: (report) => worker.postMessage({ kind: "progress", report }),
  });
  worker.postMessage({ kind: "report", report });
};

// Watches a relay process from the outside, as an operator would: its resident memory (sampled
// from /proc, and the kernel's own high-water mark) and how long `/ready` takes to answer while
// other requests are being handled.
import { readFileSync } from "node:fs";

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export interface Probe {
  /** Highest RSS sampled, in bytes. */
  peakRss: number;
  /** Slowest `/ready` answer, in ms. */
  slowestReady: number;
  /** `/ready` answers seen. */
  readyAnswers: number;
  stop(): Promise<void>;
}

/** Samples RSS every `everyMs` and asks `/ready` back to back, until stopped. */
export function probe(pid: number, readyUrl: string, everyMs = 50): Probe {
  let running = true;
  const result = { peakRss: 0, slowestReady: 0, readyAnswers: 0 };
  const sample = setInterval(() => {
    try {
      result.peakRss = Math.max(result.peakRss, rssOf(pid));
    } catch {
      // the process is gone; the test says why
    }
  }, everyMs);
  const asking = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(readyUrl, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
      } catch {
        // no answer within 10 s: counted as that slow
      }
      result.slowestReady = Math.max(result.slowestReady, performance.now() - started);
      result.readyAnswers++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return Object.assign(result, {
    async stop() {
      running = false;
      clearInterval(sample);
      await asking;
      try {
        result.peakRss = Math.max(result.peakRss, rssOf(pid, "VmHWM"));
      } catch {
        // gone
      }
    },
  });
}

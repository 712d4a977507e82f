// Small helpers shared by the benchmarks: timing, medians, printing.
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Runs `fn` for about `ms` after a warm-up, in rounds; returns the median ms per call. */
export function timeIt(fn: () => void, ms = 1500): number {
  const warm = performance.now() + Math.min(300, ms / 4);
  while (performance.now() < warm) fn();
  const rounds: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    fn();
    rounds.push(performance.now() - t);
  }
  return median(rounds);
}

export const RUNTIME = "Bun" in globalThis ? "bun" : "deno";

export function fmt(n: number, digits = 2): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(digits);
}

// Injected time for the writer: sleeps resolve only when the test advances the clock, so retry
// and batching timing is asserted exactly, without real waiting.
export interface Sleeper {
  ms: number;
  due: number;
  resolve: () => void;
}

export class FakeTime {
  now = 1_795_500_000_000;
  sleepers: Sleeper[] = [];
  /** Every sleep asked for, in order (ms). */
  asked: number[] = [];

  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      this.asked.push(ms);
      const s: Sleeper = { ms, due: this.now + ms, resolve };
      this.sleepers.push(s);
      signal.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        resolve();
      }, { once: true });
    });

  clock = (): number => this.now;

  /** Moves the clock and wakes every sleeper now due. */
  async advance(ms: number): Promise<void> {
    this.now += ms;
    const due = this.sleepers.filter((s) => s.due <= this.now);
    this.sleepers = this.sleepers.filter((s) => s.due > this.now);
    for (const s of due) s.resolve();
    await new Promise((r) => setTimeout(r, 0));
  }

  /** Waits (really) until someone sleeps for `ms` (or any when omitted). */
  async waitForSleep(ms?: number, timeout = 5000): Promise<Sleeper> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const s = this.sleepers.find((x) => ms === undefined || x.ms === ms);
      if (s) return s;
      if (Date.now() > deadline) {
        throw new Error(
          `no sleep of ${ms ?? "any"} ms; sleeping: ${this.sleepers.map((x) => x.ms)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

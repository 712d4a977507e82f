// The executable's process metrics are measurements on both runtimes, or absent: never a 0 that
// stands for "could not read /proc" (Deno refuses /proc/self without --allow-all).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { collectProcessMetrics, PROC_METRICS } from "../../src/adapters/process_metrics.ts";

const MiB = 1024 * 1024;

async function processValues(registry: Registry): Promise<Map<string, number>> {
  const text = await registry.metrics();
  return new Map(
    text.split("\n").filter((l) => l.startsWith("process_")).map((l) => {
      const [name, value] = l.split(" ");
      return [name, Number(value)];
    }),
  );
}

test("where /proc/self cannot be read: resident memory from the runtime, the rest left out", async () => {
  const registry = new Registry();
  collectProcessMetrics(registry, () => false);
  const values = await processValues(registry);
  const rss = values.get("process_resident_memory_bytes")!;
  assert.ok(rss > 10 * MiB && rss < 4096 * MiB, `rss ${rss}`);
  for (const name of PROC_METRICS.slice(1)) assert.equal(values.has(name), false, name);
  for (const [name, value] of values) {
    // CPU counters count from registration, so they may still be 0 here.
    if (!name.startsWith("process_cpu_")) assert.ok(value > 0, `${name} ${value}`);
  }
});

test("in this test process every process metric is a plausible measurement", async () => {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const values = await processValues(registry);
  const rss = values.get("process_resident_memory_bytes")!;
  assert.ok(rss > 10 * MiB && rss < 4096 * MiB, `rss ${rss}`);
  assert.ok(values.get("process_start_time_seconds")! > 1_600_000_000);
  for (const [name, value] of values) {
    // CPU counters count from registration, so they may still be 0 here.
    if (!name.startsWith("process_cpu_")) assert.ok(value > 0, `${name} ${value}`);
  }
});

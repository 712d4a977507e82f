// The long fuzz run: `deno task fuzz [--cases N] [--minutes M] [--seed S] [--case I] [--only a,b]`
// (on Bun: `bun tests/fuzz/fuzz_main.ts …`). A million cases by default, a random seed unless given
// (it is printed, so a failing run can be replayed); `--case I` replays case I of seed S alone.
// Prints the rate, the outcomes, peak memory and every failure; exits 1 on any failure.
import process from "node:process";
import { parseArgs } from "node:util";
import { type FuzzReport, mib } from "./fuzz_engine.ts";
import { fuzzInWorker } from "./fuzz_in_worker.ts";
import { TARGETS } from "./targets.ts";

const HELP = `Usage: deno task fuzz [options]

Options:
  --cases N    cases to run (default 1000000)
  --minutes M  stop after M minutes, whatever cases are left (default: no limit)
  --seed S     the run's seed, a 32-bit integer (default: random, printed)
  --case I     replay case I of seed S alone (needs --seed)
  --only LIST  only these targets, comma-separated: ${TARGETS.map((t) => t.name).join(", ")}
  --help       show this help`;

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}

function rate(report: FuzzReport): string {
  return (report.cases / Math.max(report.elapsedMs, 1) * 1000).toFixed(0);
}

function summary(report: FuzzReport): string {
  const lines = [
    `cases:       ${report.cases} in ${(report.elapsedMs / 1000).toFixed(1)} s (${
      rate(report)
    } cases/s)`,
    `by target:   ${Object.entries(report.targets).map(([t, n]) => `${t} ${n}`).join(", ")}`,
    `memory:      heap (with external) ${mib(report.memory.baselineHeap)} MiB at start, ` +
    `peak ${mib(report.memory.peakHeap)} MiB; peak RSS ${mib(report.memory.peakRss)} MiB`,
    `event loop:  a 50 ms timer fired at most ${Math.round(report.maxLagMs)} ms late ` +
    `(after case ${report.maxLagCase})`,
    `fake Loki:   ${report.batches} batches received`,
    "outcomes:",
    ...Object.entries(report.histogram).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) =>
      `  ${k.padEnd(32)} ${n}`
    ),
  ];
  return lines.join("\n");
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    cases: { type: "string" },
    minutes: { type: "string" },
    seed: { type: "string" },
    case: { type: "string" },
    only: { type: "string" },
    help: { type: "boolean" },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const names = TARGETS.map((t) => t.name);
const only = values.only?.split(",").map((s) => s.trim());
for (const name of only ?? []) if (!names.includes(name)) fail(`unknown target ${name}`);
if (values.case !== undefined && values.seed === undefined) fail("--case needs --seed");
const seed = integer(values.seed, "seed", Math.floor(Math.random() * 2 ** 32)) >>> 0;
const replay = values.case === undefined ? undefined : integer(values.case, "case", 0);
const cases = replay === undefined ? integer(values.cases, "cases", 1_000_000) : 1;
const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
if (minutes !== undefined && !(minutes > 0)) fail("--minutes must be a positive number");

console.log(
  replay === undefined
    ? `fuzz: seed ${seed}, ${cases} cases over ${names.length} targets (${names.join(", ")})`
    : `fuzz: replaying case ${replay} of seed ${seed} (target ${names[replay % names.length]})`,
);
const report = await fuzzInWorker({
  seed,
  cases,
  first: replay ?? 0,
  maxMs: minutes === undefined ? undefined : minutes * 60_000,
  only,
  targetNames: names,
  onProgress: (r) =>
    console.log(
      `  ${r.cases} cases, ${rate(r)}/s, ${r.failures.length} failures, ` +
        `heap peak ${mib(r.memory.peakHeap)} MiB, RSS peak ${mib(r.memory.peakRss)} MiB`,
    ),
});
console.log(summary(report));
if (report.failures.length === 0) {
  console.log(`\nno failure: 0 crashes, 0 hangs, 0 5xx (seed ${seed})`);
  process.exit(0);
}
console.log(`\n${report.failures.length} failures:`);
for (const f of report.failures) {
  console.log(`  case ${f.index} (${f.target}): ${f.message}`);
  if (f.index >= 0) console.log(`    replay: deno task fuzz --seed ${seed} --case ${f.index}`);
}
process.exit(1);

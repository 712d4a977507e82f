// Runs every test on Deno (tests + doc examples) and on Bun, shows their output, and ends with
// one line `N passed, N failed` summed over the runs. Exit code 0 only when all of them passed.
import { spawn } from "node:child_process";

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const runs = [
  {
    name: "deno test",
    cmd: bin("deno"),
    args: ["test", "-A", "--v8-flags=--max-old-space-size=512", "tests/"],
    parse: denoCounts,
  },
  {
    name: "deno test --doc",
    cmd: bin("deno"),
    args: ["test", "-A", "--doc", "mod.ts", "src/"],
    parse: denoCounts,
  },
  {
    name: "bun test",
    cmd: bin("bun"),
    args: ["test", "--timeout", "30000", "./tests/"],
    parse: bunCounts,
  },
  {
    name: "bun build --compile",
    cmd: "npm",
    args: ["run", "--silent", "build"],
    parse: (_out, code) => ({ passed: 0, failed: code === 0 ? 0 : 1 }),
  },
  {
    name: "bench smoke (seconds; the figures are not checked, delivery is)",
    cmd: bin("deno"),
    args: ["run", "-A", "tests/bench/run_bench.ts", "--smoke", "--runtimes", "bun,binary"],
    parse: (_out, code) => ({ passed: 0, failed: code === 0 ? 0 : 1 }),
  },
  {
    name: "executable tests against dist/lokirelay",
    cmd: bin("bun"),
    args: [
      "test",
      "--timeout",
      "30000",
      "tests/cli_test.ts",
      "tests/main_test.ts",
      "tests/e2e/forward_test.ts",
      "tests/e2e/memory_drill_test.ts",
      "tests/e2e/wal_drill_test.ts",
    ],
    env: { LOKIRELAY_BIN: new URL("../dist/lokirelay", import.meta.url).pathname },
    parse: bunCounts,
  },
  {
    // Bun, not Deno: playwright-core runs on both, but Bun starts it without type-checking its
    // large typings, and the executable under test is Bun's. Screenshot: the path below.
    name: "browser test: status page in headless Chromium (playwright-core on Bun, dist/lokirelay)",
    cmd: bin("bun"),
    args: ["test", "--timeout", "60000", "./tests/status/status_page_browser.ts"],
    env: {
      LOKIRELAY_BIN: new URL("../dist/lokirelay", import.meta.url).pathname,
      LOKIRELAY_SCREENSHOT: "/tmp/lokirelay-status-page.png",
    },
    parse: bunCounts,
  },
];

function denoCounts(out) {
  const m = /\| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(out);
  return m && { passed: +m[1], failed: +m[2] };
}

function bunCounts(out) {
  const p = /^\s*(\d+) pass$/m.exec(out);
  const f = /^\s*(\d+) fail$/m.exec(out);
  return p && f && { passed: +p[1], failed: +f[1] };
}

function run({ name, cmd, args, env = {} }) {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${name}\n`);
    const child = spawn(cmd, args, { env: { ...process.env, NO_COLOR: "1", ...env } });
    let out = "";
    const keep = (chunk, stream) => {
      out += chunk;
      stream.write(chunk);
    };
    child.stdout.on("data", (c) => keep(c, process.stdout));
    child.stderr.on("data", (c) => keep(c, process.stderr));
    child.on("close", (code) => resolve({ code, out }));
  });
}

let passed = 0;
let failed = 0;
let ok = true;
const only = process.argv[2];
for (const r of runs) {
  if (only && !r.name.startsWith(only)) continue;
  const { code, out } = await run(r);
  const counts = r.parse(out, code);
  if (!counts) {
    process.stdout.write(`\n${r.name}: no test summary found (exit ${code})\n`);
    failed += 1;
    ok = false;
    continue;
  }
  process.stdout.write(`\n${r.name}: ${counts.passed} passed, ${counts.failed} failed\n`);
  passed += counts.passed;
  failed += counts.failed;
  if (code !== 0 || counts.failed > 0) ok = false;
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(ok && failed === 0 ? 0 : 1);

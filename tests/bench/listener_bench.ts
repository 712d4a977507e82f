// What the executable's listener costs: the same relay behind the runtime's native server
// (Deno.serve / Bun.serve) and behind node:http, under small pushes (10 lines) from a separate
// load generator, so per-request overhead dominates. Prints requests/s and latency for each.
import { spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { createRelay } from "../../src/relay.ts";
import { serveNode } from "../../src/adapters/node_server.ts";
import type { Served } from "../../src/adapters/serve_types.ts";
import type { LoadResult } from "./loadgen.ts";
import { fmt, RUNTIME } from "./stats.ts";

const root = new URL("../../", import.meta.url).pathname;
const seconds = Number(process.argv[2] ?? 3);

async function native(app: { fetch(r: Request): Promise<Response> }): Promise<Served> {
  const { serve } = RUNTIME === "bun"
    ? await import("../../src/adapters/bun.ts")
    : await import("../../src/adapters/deno.ts");
  return serve(app, { hostname: "127.0.0.1", port: 0 });
}

function load(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, "node_modules/.bin/bun"), [
      join(root, "tests/bench/loadgen.ts"),
      url,
      "small",
      String(seconds),
      "16",
    ], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on(
      "close",
      (code) => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${code}`)),
    );
  });
}

console.log(`listener cost on ${RUNTIME}: 10-line raw pushes, 16 connections, ${seconds} s`);
for (
  const [name, start] of [["native", native], [
    "node:http",
    (app: never) => serveNode(app, { hostname: "127.0.0.1", port: 0 }),
  ]] as const
) {
  const relay = createRelay({ labels: { job: "bench" } }, { stdout: () => {} });
  const served = await start(relay as never);
  const r = await load(`http://127.0.0.1:${served.port}`);
  console.log(
    `  ${name.padEnd(9)} ${fmt(r.requests / r.seconds, 0)} req/s  p50 ${fmt(r.p50)} ms  p99 ${
      fmt(r.p99)
    } ms`,
  );
  await served.shutdown();
  await relay.close();
}
process.exit(0);

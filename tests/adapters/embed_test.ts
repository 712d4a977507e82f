// A tiny Deno project and a tiny Bun project mount the relay in their own servers, next to their
// own routes; each is started with its runtime and receives a push.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";

const here = (p: string) => new URL(p, import.meta.url).pathname;
const bin = (name: string) => here(`../../node_modules/.bin/${name}`);

function startApp(cmd: string, args: string[], cwd: string) {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise((resolve) => child.on("close", resolve));
  return {
    get stdout() {
      return stdout;
    },
    async port(): Promise<number> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const m = /listening on (\d+)/.exec(stderr);
        if (m) return Number(m[1]);
        if (Date.now() > deadline) throw new Error(`app did not start:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGTERM");
      await exited;
    },
  };
}

const apps = [
  ["Deno.serve", bin("deno"), ["run", "-A", "server.ts"], here("./deno_app")],
  ["Bun.serve", bin("bun"), ["server.ts"], here("./bun_app")],
] as const;

for (const [name, cmd, args, cwd] of apps) {
  test(`the relay mounted in a ${name} app serves pushes next to the app's own routes`, async () => {
    const app = startApp(cmd, [...args], cwd);
    try {
      const port = await app.port();
      const base = `http://127.0.0.1:${port}`;
      assert.equal(await (await fetch(`${base}/hello`)).text(), "hello from my app");
      const ready = await fetch(`${base}/logs/ready`);
      assert.deepEqual([ready.status, await ready.text()], [200, "ready"]);
      const res = await fetch(`${base}/logs/loki/api/v1/push`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-scope-orgid": "t" },
        body: JSON.stringify({
          streams: [{ stream: { svc: "x" }, values: [["1795500000000000001", "embedded line"]] }],
        }),
      });
      assert.equal(res.status, 204);
      const deadline = Date.now() + 5000;
      while (!app.stdout.includes("embedded line") && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const line = JSON.parse(app.stdout.trim().split("\n")[0]);
      assert.deepEqual(line.stream, { svc: "x", app: "embedded" });
      assert.equal(line.values[0][1], "embedded line");
      assert.equal(line.tenant, "t");
    } finally {
      await app.stop();
    }
  });
}

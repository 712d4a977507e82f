// Runs the lokirelay executable (src/main.ts) as a child process of the runtime under test.
import { spawn } from "node:child_process";
import process from "node:process";
import { RUNTIME } from "./serve_runtime.ts";

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

export interface Child {
  pid: number;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr", ms?: number): Promise<RegExpExecArray>;
}

/** The command that runs the relay: an explicit binary, or the runtime running the tests. */
export function relayCommand(): [string, string[]] {
  const binary = process.env.LOKIRELAY_BIN;
  if (binary) return [binary, []];
  return RUNTIME === "deno"
    ? [process.execPath, [
      "run",
      // The permissions of `deno task start` and `deno task compile`, not -A: what the relay
      // can and cannot read then is what an operator's relay can.
      "--allow-net",
      "--allow-read",
      "--allow-write", // the write-ahead log
      "--allow-env",
      "--allow-sys",
      "--v8-flags=--max-old-space-size=512,--max-semi-space-size=2",
      MAIN,
    ]]
    : [process.execPath, [MAIN]];
}

export function startRelay(
  args: string[],
  input?: string,
  /** Variables to set, or to unset (`undefined`), in the relay's environment. */
  env?: Record<string, string | undefined>,
): Child {
  const [cmd, pre] = relayCommand();
  const proc = spawn(cmd, [...pre, ...args], {
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    env: env && withEnv(env),
  });
  if (input !== undefined) proc.stdin!.end(input);
  const child: Child = {
    pid: proc.pid ?? -1,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => proc.on("close", (code) => resolve(code))),
    // process.kill, not proc.kill: Deno's ChildProcess reports a child it signalled itself as
    // killed (code null) even when the child handled the signal and exited 0.
    kill: (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.pid !== undefined) process.kill(proc.pid, signal);
    },
    async waitFor(pattern, stream = "stderr", ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = pattern.exec(child[stream]);
        if (m) return m;
        if (Date.now() > deadline) {
          throw new Error(`no ${pattern} in ${stream} within ${ms} ms:\n${child[stream]}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  proc.stdout!.on("data", (c) => (child.stdout += c));
  proc.stderr!.on("data", (c) => (child.stderr += c));
  return child;
}

function withEnv(changes: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...changes })) {
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** Runs the relay to completion (`input` on its stdin) and returns its exit code and output. */
export async function runRelay(
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startRelay(args, input);
  const code = await child.exited;
  return { code, stdout: child.stdout, stderr: child.stderr };
}

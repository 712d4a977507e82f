/**
 * The memory target under Bun (the executable, `bun src/main.ts`): Bun's engine (JavaScriptCore)
 * sizes its heap and how often it collects by the machine's RAM, so on a 24 GiB machine it lets
 * garbage run to well over 100 MiB before it collects. The program tells it, once at start, that
 * RAM is what the relay's memory bound allows (idle + Σ `queue_config.capacity` +
 * `max_inflight_bytes`, + the write-ahead log's part): the engine then collects as it nears that
 * figure (`config/memory_bound.ts`). JavaScriptCore reads its options only as it starts, from
 * `BUN_JSC_*` variables, so the process replaces itself (`execve`: same PID, same arguments) with
 * `BUN_JSC_forceRAMSize` set, before anything else loads (see `memory_target_start.ts`). An
 * operator who sets that variable keeps their value.
 *
 * @module
 */
import process from "node:process";

/** The variable JavaScriptCore reads its RAM size from. */
export const RAM_SIZE_VARIABLE = "BUN_JSC_forceRAMSize";

/** What {@link applyMemoryTarget} needs from the process. */
export interface TargetProcess {
  env: Record<string, string | undefined>;
  /** The program and its arguments, to start it again with (the first is the file run). */
  command: string[];
  /** Replaces the process; returns only when it could not. */
  execve(file: string, args: string[], env: Record<string, string | undefined>): void;
}

/**
 * Replaces the process with itself, `BUN_JSC_forceRAMSize` set to `targetBytes`, unless the
 * variable is set already (by the operator, or by this function before the replacement): then it
 * returns `"already set"`. When `execve` fails it returns why; on success it does not return.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyMemoryTarget } from "./memory_target.ts";
 *
 * const calls: unknown[] = [];
 * const proc = {
 *   env: { HOME: "/root" } as Record<string, string | undefined>,
 *   command: ["/usr/bin/lokirelay", "--config", "c.json"],
 *   execve: (file: string, args: string[], env: Record<string, string | undefined>) => {
 *     calls.push([file, args, env.BUN_JSC_forceRAMSize]);
 *   },
 * };
 * assert.equal(applyMemoryTarget(111, proc), "execve returned");
 * assert.deepEqual(calls, [["/usr/bin/lokirelay", ["/usr/bin/lokirelay", "--config", "c.json"], "111"]]);
 * proc.env.BUN_JSC_forceRAMSize = "999";
 * assert.equal(applyMemoryTarget(111, proc), "already set");
 * ```
 */
export function applyMemoryTarget(targetBytes: number, proc: TargetProcess): string {
  const set = proc.env[RAM_SIZE_VARIABLE];
  if (set !== undefined && set !== "") return "already set";
  const env = { ...proc.env, [RAM_SIZE_VARIABLE]: String(Math.round(targetBytes)) };
  try {
    proc.execve(proc.command[0], proc.command, env);
  } catch (err) {
    return `execve failed: ${(err as Error).message}`;
  }
  return "execve returned";
}

/**
 * True under Bun: the executable `bun build --compile` makes, or `bun src/main.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runsOnBun } from "./memory_target.ts";
 *
 * assert.equal(runsOnBun(), "Bun" in globalThis);
 * ```
 */
export function runsOnBun(): boolean {
  return "Bun" in globalThis;
}

/** True in the executable `bun build --compile` makes (its modules live under `/$bunfs/`). */
function compiled(): boolean {
  return import.meta.url.startsWith("file:///$bunfs/");
}

type Execve = (file: string, args: string[], env: Record<string, string | undefined>) => void;

/**
 * This process, as {@link applyMemoryTarget} takes it, with `args` the arguments after the
 * program (and, under `bun src/main.ts`, the script).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { processForTarget } from "./memory_target.ts";
 *
 * const proc = processForTarget(["--config", "c.json"]);
 * assert.equal(proc.command[0], process.execPath);
 * assert.deepEqual(proc.command.slice(-2), ["--config", "c.json"]);
 * ```
 */
export function processForTarget(args: string[]): TargetProcess {
  return {
    env: process.env,
    // The executable is started with the arguments alone; `bun src/main.ts` with Bun's own
    // flags and the script first.
    command: compiled()
      ? [process.execPath, ...args]
      : [process.execPath, ...process.execArgv, process.argv[1], ...args],
    execve: (file, argv, env) => {
      const execve = (process as unknown as { execve?: Execve }).execve;
      if (typeof execve !== "function") throw new Error("this runtime has no process.execve");
      execve.call(process, file, argv, env);
    },
  };
}

/**
 * The program's first step under Bun, imported first by `main.ts` so that it runs before the rest
 * of the program loads: when `lokirelay` (the executable, or `bun src/main.ts`) is asked to serve
 * and its config's JSON can be read, it replaces itself at once with the memory target set (see
 * `memory_target.ts`); a second start this early costs 40–70 ms. When the config cannot be read
 * here, `main.ts` reports why, or applies the target itself once the config is resolved. Does
 * nothing on Deno, or when `BUN_JSC_forceRAMSize` is set.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseCommand } from "../cli.ts";
import { readConfigInput } from "../config/read_config_input.ts";
import { inputMemoryTargetBytes } from "../config/memory_bound.ts";
import {
  applyMemoryTarget,
  processForTarget,
  RAM_SIZE_VARIABLE,
  runsOnBun,
} from "./memory_target.ts";

// Once set (by the operator, or by this step before it replaced the process) there is nothing to do.
if (runsOnBun() && !process.env[RAM_SIZE_VARIABLE]) {
  const args = process.argv.slice(2);
  const cmd = parseCommand(args);
  if (cmd.kind === "run") {
    const env = cmd.expandEnv ? process.env : undefined;
    const read = readConfigInput(cmd.configPath, cmd.lokiUrl, (p) => readFileSync(p, "utf8"), env);
    const target = read.ok ? inputMemoryTargetBytes(read.input) : undefined;
    if (target !== undefined) applyMemoryTarget(target, processForTarget(args));
  }
}

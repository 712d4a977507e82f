/**
 * Reads a config file's JSON as it is, before any schema: the text, `${VAR}` expansion when asked,
 * the JSON parse, and `--loki-url`. Light on purpose (no schema library): the executable reads it
 * before the rest of the program loads (see `adapters/memory_target_start.ts`).
 *
 * @module
 */
import { expandEnv } from "./expand_env.ts";

/** The config's JSON, or the errors that stop it being read. */
export type ConfigInputResult = { ok: true; input: unknown } | { ok: false; errors: string[] };

/**
 * The JSON of the config file at `path` (the built-in default `{}` without one), with `--loki-url`
 * applied. With `env` (`--config-expand-env`), `${VAR}`, `${VAR:-default}` and `$$` in the file's
 * text are expanded first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readConfigInput } from "./read_config_input.ts";
 *
 * assert.deepEqual(readConfigInput(undefined, undefined, () => ""), { ok: true, input: {} });
 * const file = () => '{"max_inflight_bytes": "${SIZE}"}';
 * assert.deepEqual(readConfigInput("c.json", "http://l/p", file, { SIZE: "1MiB" }), {
 *   ok: true,
 *   input: { max_inflight_bytes: "1MiB", forward_to: [{ url: "http://l/p" }] },
 * });
 * assert.equal(readConfigInput("c.json", undefined, () => "{nope").ok, false);
 * ```
 */
export function readConfigInput(
  path: string | undefined,
  lokiUrl: string | undefined,
  readFile: (path: string) => string,
  env?: Record<string, string | undefined>,
): ConfigInputResult {
  let input: unknown = {};
  if (path !== undefined) {
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      return { ok: false, errors: [`${path}: cannot read: ${(err as Error).message}`] };
    }
    if (env !== undefined) {
      const expanded = expandEnv(text, env, { json: true });
      if (!expanded.ok) return { ok: false, errors: expanded.errors.map((e) => `${path}: ${e}`) };
      text = expanded.text;
    }
    try {
      input = JSON.parse(text);
    } catch (err) {
      return { ok: false, errors: [`${path}: invalid JSON: ${(err as Error).message}`] };
    }
  }
  if (lokiUrl !== undefined && input !== null && typeof input === "object") {
    input = { ...input, forward_to: [{ url: lokiUrl }] };
  }
  return { ok: true, input };
}

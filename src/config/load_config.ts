/**
 * Loads the settings from the command line's config file (see `read_config_input.ts`) and resolves
 * them (see `resolve_settings.ts`).
 *
 * @module
 */
import { resolveSettings, type SettingsResult } from "./resolve_settings.ts";
import { readConfigInput } from "./read_config_input.ts";

/**
 * Loads the settings: the config file's JSON (or the built-in default `{}`), with `--loki-url`
 * applied, resolved with every file it names read through `readFile`. With `env`
 * (`--config-expand-env`), `${VAR}`, `${VAR:-default}` and `$$` in the file's text are expanded
 * first (values are escaped for the JSON strings they land in); an unset variable is an error
 * naming it and its line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "./load_config.ts";
 *
 * const r = loadConfig(undefined, "http://loki:3100/loki/api/v1/push", () => "");
 * assert.equal(r.ok && r.settings.forward?.endpoints[0].url, "http://loki:3100/loki/api/v1/push");
 * const bad = loadConfig("c.json", undefined, () => "{nope");
 * assert.equal(bad.ok, false);
 *
 * const file = () => '{"labels": {"env": "${ENV}", "cost": "$$5"}}';
 * const expanded = loadConfig("c.json", undefined, file, { ENV: "prod" });
 * assert.deepEqual(expanded.ok && expanded.settings.receive.labels, { env: "prod", cost: "$5" });
 * assert.deepEqual(loadConfig("c.json", undefined, file, {}), {
 *   ok: false,
 *   errors: ['c.json: line 1: environment variable "ENV" is not set (give a default with ${ENV:-default})'],
 * });
 * ```
 */
export function loadConfig(
  path: string | undefined,
  lokiUrl: string | undefined,
  readFile: (path: string) => string,
  env?: Record<string, string | undefined>,
): SettingsResult {
  const read = readConfigInput(path, lokiUrl, readFile, env);
  return read.ok ? resolveSettings(read.input, readFile) : read;
}

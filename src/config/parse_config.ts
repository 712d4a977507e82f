/**
 * Validates a configuration and reports every error with its JSON path and the bad value.
 *
 * @module
 */
import { describeIssue } from "../config_issues.ts";
import { type Config, configSchema } from "./config_schema.ts";

/** A valid config with defaults filled in, or every error found. */
export type ParseConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/**
 * Parses a configuration object (for example `JSON.parse` of the config file).
 * Unknown keys, wrong types and bad values are errors such as
 * `forward_to[0].url: "htp:/x" is not a valid URL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./parse_config.ts";
 *
 * const good = parseConfig({ http: { listen_port: 9999 } });
 * assert.equal(good.ok && good.config.http.listen_port, 9999);
 *
 * const bad = parseConfig({ forward_to: [{ url: "htp:/x" }], lables: {} });
 * assert.deepEqual(!bad.ok && bad.errors, [
 *   'forward_to[0].url: "htp:/x" is not a valid URL',
 *   "lables: unknown field",
 * ]);
 * ```
 */
export function parseConfig(input: unknown): ParseConfigResult {
  const result = configSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: result.error.issues.flatMap((issue) => describeIssue(issue)) };
}

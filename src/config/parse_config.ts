/**
 * Validates a configuration and reports every error with its JSON path and the bad value.
 *
 * @module
 */
import type { z } from "zod";
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
  return { ok: false, errors: result.error.issues.flatMap(formatIssue) };
}

/**
 * Formats a JSON path as `a.b[0].c`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./parse_config.ts";
 *
 * assert.equal(formatPath(["forward_to", 0, "url"]), "forward_to[0].url");
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const path = formatPath(issue.path);
  const shown = "input" in issue ? show(issue.input) : "";
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown field`);
    case "invalid_type":
      return [
        issue.input === undefined
          ? `${path}: required`
          : `${path}: expected ${issue.expected}, got ${shown}`,
      ];
    case "invalid_union":
      return [`${path}: ${shown} has the wrong type`];
    case "too_small":
    case "too_big":
      return [`${path}: ${shown} is out of range (${issue.message})`];
    case "invalid_value":
      return [`${path}: ${shown} is not one of ${issue.values.map(show).join(", ")}`];
    default:
      return [`${path}: ${issue.message}`];
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

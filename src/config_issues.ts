/**
 * How a configuration problem found by a zod schema is worded for people: the field's path
 * (`forward_to[0].url`), then what is wrong, quoting the value. The config loader and
 * `compileRules()` (which checks rules given through the module API) word them the same way.
 *
 * @module
 */
import type { z } from "zod";

/**
 * Formats a JSON path as `a.b[0].c`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./config_issues.ts";
 *
 * assert.equal(formatPath(["forward_to", 0, "url"]), "forward_to[0].url");
 * assert.equal(formatPath([]), "(top level)");
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

/**
 * One line per problem of a zod issue, each naming its path (under `prefix`) and the bad value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { describeIssue } from "./config_issues.ts";
 *
 * const r = z.strictObject({ port: z.int() }).safeParse({ port: "80", x: 1 }, { reportInput: true });
 * assert.deepEqual(r.error!.issues.flatMap((i) => describeIssue(i, ["http"])), [
 *   'http.port: expected number, got "80"',
 *   "http.x: unknown field",
 * ]);
 * ```
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[] = [],
): string[] {
  const full = [...prefix, ...issue.path];
  const path = formatPath(full);
  const shown = "input" in issue ? show(issue.input) : "";
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => `${formatPath([...full, k])}: unknown field`);
    case "invalid_type":
      return [
        issue.input === undefined
          ? `${path}: required`
          : `${path}: expected ${issue.expected}, got ${shown}`,
      ];
    case "invalid_key":
      // A record's key (a tenant in `rate_limits.overrides`): what is wrong with it, not zod's
      // "Invalid key in record".
      return issue.issues.length > 0
        ? issue.issues.flatMap((i) => describeIssue(i, full))
        : [`${path}: ${issue.message}`];
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

/** A value as it is quoted in a message: JSON, cut at 80 characters. */
function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return value.toString();
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return Object.prototype.toString.call(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * PromQL-style label matchers for the live tail: `{app="api", env!~"dev|test"}`, with `=`, `!=`,
 * `=~` and `!~`. Regexes are RE2 anchored at both ends, run by re2js as the relabel rules are, so
 * a matcher costs linear time on any label value. A missing label reads as `""`, as in PromQL.
 *
 * @module
 */
import type { RE2JS } from "re2js";
import type { Labels } from "../types.ts";
import { compileAnchored } from "../rules/regex.ts";

/** A label set test built from matchers. */
export type LabelFilter = (labels: Labels) => boolean;

/** A filter, or why the text is not a matcher list (quoting it). */
export type MatchersResult = { ok: true; filter: LabelFilter } | { ok: false; error: string };

const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*(,|$)/y;

/**
 * Parses a matcher list. `""` and `{}` match every stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatchers } from "./label_matchers.ts";
 *
 * const m = parseMatchers('{app="api", env!~"dev|test", pod=~"api-.*"}');
 * assert.ok(m.ok);
 * assert.equal(m.filter({ app: "api", env: "prod", pod: "api-1" }), true);
 * assert.equal(m.filter({ app: "api", env: "dev", pod: "api-1" }), false);
 * assert.equal(m.filter({ app: "api", pod: "web-1" }), false);
 * assert.equal(parseMatchers("").ok, true);
 * assert.deepEqual(parseMatchers('{app=api}'), {
 *   ok: false,
 *   error: 'match "{app=api}": expected {name="value", …} with =, !=, =~ or !~',
 * });
 * ```
 */
export function parseMatchers(text: string): MatchersResult {
  const bad = (why: string): MatchersResult => ({
    ok: false,
    error: `match ${JSON.stringify(text)}: ${why}`,
  });
  const trimmed = text.trim();
  if (trimmed === "" || /^\{\s*\}$/.test(trimmed)) return { ok: true, filter: () => true };
  if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) {
    return bad('expected {name="value", …} with =, !=, =~ or !~');
  }
  const body = trimmed.slice(1, -1);
  const tests: LabelFilter[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < body.length) {
    const m = MATCHER.exec(body);
    if (!m) return bad('expected {name="value", …} with =, !=, =~ or !~');
    const [, name, op, quoted] = m;
    let value: string;
    try {
      value = JSON.parse(quoted);
    } catch {
      return bad(`bad escape in ${quoted}`);
    }
    if (op === "=") tests.push((l) => (l[name] ?? "") === value);
    else if (op === "!=") tests.push((l) => (l[name] ?? "") !== value);
    else {
      const compiled = compileAnchored(value);
      if (!compiled.ok) return bad(`${quoted} is not a valid RE2 regex: ${compiled.reason}`);
      const re: RE2JS = compiled.re;
      const want = op === "=~";
      tests.push((l) => re.testExact(l[name] ?? "") === want);
    }
    if (m[4] === "") break;
  }
  return { ok: true, filter: (labels) => tests.every((t) => t(labels)) };
}

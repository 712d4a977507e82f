/**
 * Go's `regexp.Expand` for `$`-templates (`replacement`, a templated `target_label`):
 * `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest run of letters, digits and `_`,
 * so `$1x` means the group named "1x" (empty), not group 1 then "x" as in JavaScript.
 *
 * @module
 */

/**
 * A match: group values by number (`undefined` when a group did not take part) and the group
 * names. A name maps to its group's number or, when several groups share it (Go allows
 * `(?P<x>a)|(?P<x>b)`), to their numbers in order.
 */
export interface MatchGroups {
  groups: readonly (string | undefined)[];
  names: Readonly<Record<string, number | readonly number[]>>;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Expands `template` against a match, exactly as Go does. A name shared by several groups
 * stands for the first of them that took part in the match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expand } from "./expand.ts";
 *
 * const m = { groups: ["foo", "f"], names: {} };
 * assert.equal(expand("${1}x", m), "fx");
 * assert.equal(expand("$1x", m), "");
 * assert.equal(expand("$0-$$", m), "foo-$");
 * assert.equal(expand("<$01>", m), "<>");
 *
 * // (?P<x>a)|(?P<x>b) matched "b": the second x took part, the first did not.
 * const dup = { groups: ["b", undefined, "b"], names: { x: [1, 2] } };
 * assert.equal(expand("${x}-$x", dup), "b-b");
 * assert.equal(expand("$x_y", dup), ""); // the name is "x_y"
 * ```
 */
export function expand(template: string, match: MatchGroups): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    const braced = template[i] === "{";
    const start = braced ? i + 1 : i;
    let end = start;
    while (end < template.length) {
      const cp = template.codePointAt(end)!;
      const ch = String.fromCodePoint(cp);
      if (!NAME_CHAR.test(ch)) break;
      end += ch.length;
    }
    const name = template.slice(start, end);
    if (name === "" || (braced && template[end] !== "}")) {
      out += "$"; // malformed: a literal $, scanning goes on after it
      continue;
    }
    i = braced ? end + 1 : end;
    out += group(name, match);
  }
  return out;
}

function group(name: string, match: MatchGroups): string {
  let num = -1;
  if (/^[0-9]+$/.test(name) && name.length <= 8 && !(name.length > 1 && name[0] === "0")) {
    num = Number(name);
  }
  if (num >= 0) return match.groups[num] ?? "";
  if (!Object.hasOwn(match.names, name)) return "";
  const index = match.names[name];
  if (typeof index === "number") return match.groups[index] ?? "";
  for (const i of index) {
    const value = match.groups[i];
    if (value !== undefined) return value;
  }
  return "";
}

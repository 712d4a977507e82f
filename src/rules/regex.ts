/**
 * Compiles a relabel regex as Prometheus and Alloy do (`^(?s:…)$`, RE2 syntax) with re2js, and
 * accepts what Go's `regexp` accepts but re2js refuses: several capture groups with one name,
 * as in `(?P<x>a)|(?P<x>b)`. re2js gets a copy of the pattern in which every repeat of a name
 * is renamed to a fresh one; the groups are then mapped back to the names they had.
 *
 * @module
 */
import { RE2JS } from "re2js";

/**
 * The named groups of a pattern: a name's group number or, when several groups share the name,
 * their numbers in order. Go's `Expand` uses the first of them that took part in the match.
 */
export type GroupNames = Readonly<Record<string, number | readonly number[]>>;

/** A compiled pattern, or why it is not valid RE2 (the reason as Go words it, no prefix). */
export type RegexOutcome =
  | { ok: true; re: RE2JS; names: GroupNames }
  | { ok: false; reason: string };

const DUPLICATE = "duplicate capture group name";

/**
 * Compiles `^(?s:regex)$`. Never throws: a bad pattern is an outcome with Go's reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileAnchored } from "./regex.ts";
 *
 * const dup = compileAnchored("(?P<x>a)|(?P<x>b)");
 * assert.ok(dup.ok);
 * assert.deepEqual({ ...dup.names }, { x: [1, 2] });
 * assert.equal(dup.re.testExact("b"), true);
 *
 * assert.deepEqual(compileAnchored("(?P<x>a)|(?P<x>b"), {
 *   ok: false,
 *   reason: "missing closing )",
 * });
 * ```
 */
export function compileAnchored(regex: string): RegexOutcome {
  const pattern = `^(?s:${regex})$`;
  try {
    const re = RE2JS.compile(pattern);
    return { ok: true, re, names: re.namedGroups() };
  } catch (err) {
    const reason = reasonOf(err);
    if (reason !== DUPLICATE) return { ok: false, reason };
  }
  return compileRenamed(pattern);
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^error parsing regexp: /, "").replace(/: `.*`$/s, "");
}

/** A capture group found by {@link captureGroups}: its name's place in the pattern, if named. */
export interface CaptureGroup {
  /** The group's number (1 for the first `(`). */
  index: number;
  /** The name, or `undefined` for a plain `(`. */
  name?: string;
  /** Where the name starts in the pattern (for a plain group: where its `(` is). */
  nameStart: number;
  /** Where the name ends (the index of its `>`; for a plain group: where its `(` is). */
  nameEnd: number;
}

/**
 * Lists the capture groups of an RE2 pattern in order, reading it as re2js's parser does:
 * `\Q…\E` literals, escapes (`\(`, `\x{…}`, octal, `\p{…}`), character classes (`[(]`, `[]a]`,
 * `[[:alpha:]]`, ranges such as `A-[`) and `(?flags` groups are skipped. Scanning stops at the
 * first point where the pattern is certainly invalid; what follows is not listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { captureGroups } from "./regex.ts";
 *
 * const groups = captureGroups(String.raw`\((a)[(](?:b)(?P<x>c)\Q(d\E(?<y>e)`);
 * assert.deepEqual(groups.map((g) => [g.index, g.name]), [[1, undefined], [2, "x"], [3, "y"]]);
 * ```
 */
export function captureGroups(pattern: string): CaptureGroup[] {
  const groups: CaptureGroup[] = [];
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i];
    if (c === "\\") {
      if (pattern[i + 1] === "Q") {
        const end = pattern.indexOf("\\E", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        i = skipEscape(pattern, i);
      }
    } else if (c === "[") {
      i = skipClass(pattern, i);
    } else if (c === "(") {
      const p = pattern.startsWith("(?P<", i);
      if (p || pattern.startsWith("(?<", i)) {
        const end = pattern.indexOf(">", i);
        if (end < 0) break; // invalid named capture: re2js stops here
        const nameStart = i + (p ? 4 : 3);
        groups.push({
          index: groups.length + 1,
          name: pattern.slice(nameStart, end),
          nameStart,
          nameEnd: end,
        });
        i = end + 1;
      } else if (pattern[i + 1] === "?") {
        i += 2; // flags or a non-capturing group: what follows are letters, '-', ':' or ')'
      } else {
        groups.push({ index: groups.length + 1, nameStart: i, nameEnd: i });
        i++;
      }
    } else {
      i++;
    }
  }
  return groups;
}

const isOctal = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "7";

/** Skips an escape at `i` (a backslash), outside or inside a class; returns where it ends. */
function skipEscape(s: string, i: number): number {
  if (i + 1 >= s.length) return s.length; // trailing backslash: an error
  const c = s[i + 1];
  if (c === "p" || c === "P") {
    // Unicode class: \pL or \p{Name}
    if (i + 2 >= s.length) return s.length;
    if (s[i + 2] !== "{") return i + 2 + codePointLength(s, i + 2);
    const close = s.indexOf("}", i + 3);
    return close < 0 ? s.length : close + 1;
  }
  if (c === "x") {
    if (s[i + 2] === "{") {
      const close = s.indexOf("}", i + 3);
      return close < 0 ? s.length : close + 1;
    }
    return Math.min(i + 4, s.length);
  }
  if (c === "0" || (c >= "1" && c <= "7" && isOctal(s[i + 2]))) {
    let j = i + 2;
    for (let k = 1; k < 3 && isOctal(s[j]); k++) j++;
    return j;
  }
  return i + 1 + codePointLength(s, i + 1);
}

/** Skips one character of a class (an escape or a code point) at `j`. */
function skipClassChar(s: string, j: number): number {
  return s[j] === "\\" ? skipEscape(s, j) : j + codePointLength(s, j);
}

/** Skips a character class starting at `i` (a `[`); returns the index after its `]`. */
function skipClass(s: string, i: number): number {
  const n = s.length;
  let j = i + 1;
  if (s[j] === "^") j++;
  let first = true;
  while (j < n) {
    if (s[j] === "]" && !first) return j + 1;
    first = false;
    if (s.startsWith("[:", j)) {
      // A POSIX class runs to the next ":]" (re2js searches from the "[:"); if it is not a known
      // name the pattern is invalid anyway.
      const close = s.indexOf(":]", j);
      if (close >= 0) {
        j = close + 2;
        continue;
      }
    }
    const escape = s[j] === "\\" ? s[j + 1] : undefined;
    if (escape !== undefined && "pPdDsSwW".includes(escape)) {
      j = skipEscape(s, j); // a class such as \d or \p{Greek}: never the start of a range
      continue;
    }
    j = skipClassChar(s, j);
    if (s[j] === "-" && j + 1 < n && s[j + 1] !== "]") j = skipClassChar(s, j + 1);
  }
  return n; // missing closing ]: an error
}

function codePointLength(s: string, i: number): number {
  const cp = s.codePointAt(i);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

function compileRenamed(pattern: string): RegexOutcome {
  const groups = captureGroups(pattern);
  const taken = new Set(groups.map((g) => g.name).filter((n) => n !== undefined));
  const seen = new Set<string>();
  const given: (string | undefined)[] = []; // the name re2js gets, per group
  let copy = "";
  let from = 0;
  let counter = 0;
  for (const g of groups) {
    if (g.name === undefined || !seen.has(g.name)) {
      if (g.name !== undefined) seen.add(g.name);
      given.push(g.name);
      continue;
    }
    let fresh: string;
    do fresh = `${g.name}_${++counter}`; while (taken.has(fresh));
    taken.add(fresh);
    given.push(fresh);
    copy += pattern.slice(from, g.nameStart) + fresh;
    from = g.nameEnd;
  }
  copy += pattern.slice(from);
  let re: RE2JS;
  try {
    re = RE2JS.compile(copy);
  } catch (err) {
    // The copy differs from the pattern only in names, so its first error is Go's.
    return { ok: false, reason: reasonOf(err) };
  }
  // The scan must have read the pattern as re2js did: the same groups, numbered the same.
  const byRe2js = re.namedGroups();
  const namedCount = given.filter((n) => n !== undefined).length;
  const agree = re.groupCount() === groups.length &&
    Object.keys(byRe2js).length === namedCount &&
    groups.every((g, k) => given[k] === undefined || byRe2js[given[k]!] === g.index);
  if (!agree) return { ok: false, reason: DUPLICATE };
  const names: Record<string, number | number[]> = Object.create(null);
  for (const g of groups) {
    if (g.name === undefined) continue;
    const have = names[g.name];
    if (have === undefined) names[g.name] = g.index;
    else if (typeof have === "number") names[g.name] = [have, g.index];
    else have.push(g.index);
  }
  return { ok: true, re, names };
}

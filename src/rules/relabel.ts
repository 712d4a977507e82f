/**
 * Runs relabel rules on a label set with Prometheus's semantics: RE2 regexes anchored as
 * `^(?s:…)$`, Go template expansion, MD5 hashmod, Go case mapping, and the label builder's
 * iteration order (original labels sorted, then labels added by earlier rules).
 *
 * @module
 */
import type { RE2JS } from "re2js";
import type { Labels } from "../types.ts";
import { compareBytes } from "../labels/format_labels.ts";
import { expand, type MatchGroups } from "./expand.ts";
import { compileAnchored, type GroupNames } from "./regex.ts";
import { goLower, goUpper } from "./case_map.ts";
import { hashmod } from "./hashmod.ts";
import { checkRules, type FullRule, type RelabelRule } from "./rule.ts";

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface CompiledRule {
  rule: FullRule;
  re: RE2JS;
  names: GroupNames;
  modulus: bigint;
  matchAll: boolean;
  constantReplace: boolean;
}

/** Rules compiled once, to run many times. */
export interface CompiledRules {
  readonly kind: "compiled-relabel-rules";
  readonly rules: readonly CompiledRule[];
}

/**
 * Compiles rules (defaults filled in), checking each as Alloy does when it loads a config. Rules
 * are checked as values of any type (this is also a JavaScript API): an unknown action or field,
 * or a field of the wrong type, is refused with the config loader's wording.
 *
 * @throws {RangeError} naming `relabel_rules[i].field` and the reason for the first bad rule
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileRules, relabel } from "./relabel.ts";
 *
 * const rules = compileRules([{ source_labels: ["app"], target_label: "service" }]);
 * assert.deepEqual(relabel({ app: "api" }, rules), { app: "api", service: "api" });
 * assert.throws(() => compileRules([{ action: "hashmod", target_label: "s" }]), /relabel_rules\[0\]\.modulus/);
 * assert.throws(
 *   () => compileRules([{ target_label: "s", modulus: "3" as unknown as number }]),
 *   { name: "RangeError", message: 'relabel_rules[0].modulus: expected number, got "3"' },
 * );
 * ```
 */
export function compileRules(rules: readonly RelabelRule[]): CompiledRules {
  const checked = checkRules(rules);
  if (!checked.ok) throw new RangeError(checked.errors[0]);
  return {
    kind: "compiled-relabel-rules",
    rules: checked.rules.map((rule, i) => {
      const compiled = compileAnchored(rule.regex);
      if (!compiled.ok) { // not reached: checkRules compiled it already
        const bad = `${JSON.stringify(rule.regex)} is not a valid RE2 regex: ${compiled.reason}`;
        throw new RangeError(`relabel_rules[${i}].regex: ${bad}`);
      }
      return {
        rule,
        re: compiled.re,
        names: compiled.names,
        modulus: BigInt(rule.modulus),
        matchAll: rule.regex === "(.*)",
        constantReplace: rule.regex === "(.*)" && !rule.target_label.includes("$") &&
          !rule.replacement.includes("$"),
      };
    }),
  };
}

/**
 * Applies rules to a label set. Returns the new labels, or `null` when a rule drops the set.
 * The input is never changed. A label set to `""` is deleted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relabel } from "./relabel.ts";
 *
 * assert.equal(relabel({ app: "debug" }, [{ source_labels: ["app"], regex: "debug", action: "drop" }]), null);
 * assert.deepEqual(
 *   relabel({ __meta_pod: "p1" }, [{ regex: "__meta_(.+)", action: "labelmap" }]),
 *   { __meta_pod: "p1", pod: "p1" },
 * );
 * ```
 */
export function relabel(
  labels: Labels,
  rules: readonly RelabelRule[] | CompiledRules,
): Labels | null {
  const compiled = "kind" in rules ? rules : compileRules(rules);
  const set = new LabelBuilder(labels);
  for (const c of compiled.rules) {
    if (!applyRule(set, c)) return null;
  }
  return set.labels();
}

/** A working label set that iterates like Prometheus's `labels.Builder`. */
class LabelBuilder {
  #map: Map<string, string>;
  #base: Set<string>;

  constructor(labels: Labels) {
    const names = Object.keys(labels).filter((n) => labels[n] !== "").sort(compareBytes);
    this.#map = new Map(names.map((n) => [n, labels[n]]));
    this.#base = new Set(names);
  }

  get(name: string): string {
    return this.#map.get(name) ?? "";
  }

  set(name: string, value: string): void {
    if (value === "") return this.del(name);
    if (this.#base.delete(name)) this.#map.delete(name); // a changed original moves after the others
    this.#map.set(name, value);
  }

  del(name: string): void {
    this.#map.delete(name);
    this.#base.delete(name);
  }

  snapshot(): [string, string][] {
    return [...this.#map];
  }

  labels(): Labels {
    return Object.fromEntries(this.#map);
  }
}

function match(re: RE2JS, value: string, names: GroupNames): MatchGroups | null {
  const m = re.exec(value);
  if (m === null) return null;
  return { groups: Array.from(m, (g) => g ?? undefined), names };
}

function applyRule(lb: LabelBuilder, c: CompiledRule): boolean {
  const r = c.rule;
  const value = r.source_labels.map((n) => lb.get(n)).join(r.separator);
  switch (r.action) {
    case "drop":
      return !(c.matchAll || c.re.testExact(value));
    case "keep":
      return c.matchAll || c.re.testExact(value);
    case "dropequal":
      return lb.get(r.target_label) !== value;
    case "keepequal":
      return lb.get(r.target_label) === value;
    case "replace": {
      if (c.constantReplace) {
        if (LEGACY_NAME.test(r.target_label)) lb.set(r.target_label, r.replacement);
        return true;
      }
      const m = match(c.re, value, c.names);
      if (m === null) return true;
      const target = expand(r.target_label, m);
      if (!LEGACY_NAME.test(target)) return true;
      lb.set(target, expand(r.replacement, m));
      return true;
    }
    case "lowercase":
      lb.set(r.target_label, goLower(value));
      return true;
    case "uppercase":
      lb.set(r.target_label, goUpper(value));
      return true;
    case "hashmod":
      lb.set(r.target_label, hashmod(value, c.modulus));
      return true;
    case "labelmap":
      for (const [name, v] of lb.snapshot()) {
        const m = match(c.re, name, c.names);
        if (m !== null) lb.set(expand(r.replacement, m), v);
      }
      return true;
    case "labeldrop":
      for (const [name] of lb.snapshot()) if (c.re.testExact(name)) lb.del(name);
      return true;
    case "labelkeep":
      for (const [name] of lb.snapshot()) if (!c.re.testExact(name)) lb.del(name);
      return true;
  }
}

// compileRules() and relabel() are also a JavaScript API, where TypeScript's types are not
// enforced: a rule of the wrong shape must be refused as the config loader refuses it (zod), with
// the same `relabel_rules[i].field: …` message, not run with made-up semantics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRules, relabel, type RelabelRule } from "../../src/rules/mod.ts";
import { checkRules } from "../../src/rules/rule.ts";
import { parseConfig } from "../../src/config/parse_config.ts";

const ACTIONS_LIST =
  '"replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", ' +
  '"lowercase", "uppercase", "keepequal", "dropequal"';

/** A rule as any value, and the one error expected for it. */
const refused: [unknown, string][] = [
  [
    { action: "rename", target_label: "x" },
    `relabel_rules[0].action: "rename" is not one of ${ACTIONS_LIST}`,
  ],
  [{ action: "", target_label: "x" }, `relabel_rules[0].action: "" is not one of ${ACTIONS_LIST}`],
  [
    { action: "Replace", target_label: "x" },
    `relabel_rules[0].action: "Replace" is not one of ${ACTIONS_LIST}`,
  ],
  [
    { action: null, target_label: "x" },
    `relabel_rules[0].action: null is not one of ${ACTIONS_LIST}`,
  ],
  [
    { action: "hashmod", target_label: "x", modulus: "3" },
    'relabel_rules[0].modulus: expected number, got "3"',
  ],
  [
    { action: "hashmod", target_label: "x", modulus: 1.5 },
    "relabel_rules[0].modulus: expected int, got 1.5",
  ],
  [
    { action: "hashmod", target_label: "x", modulus: -1 },
    "relabel_rules[0].modulus: -1 is out of range (Too small: expected number to be >=0)",
  ],
  [
    { action: "hashmod", target_label: "x", modulus: 3n },
    "relabel_rules[0].modulus: expected number, got 3n",
  ],
  [
    { action: "hashmod", target_label: "x", modulus: NaN },
    "relabel_rules[0].modulus: expected number, got NaN",
  ],
  [
    { source_labels: "a", target_label: "x" },
    'relabel_rules[0].source_labels: expected array, got "a"',
  ],
  [
    { source_labels: ["a", 5], target_label: "x" },
    "relabel_rules[0].source_labels[1]: expected string, got 5",
  ],
  [{ regex: 5, target_label: "x" }, "relabel_rules[0].regex: expected string, got 5"],
  [{ regex: /a/, target_label: "x" }, "relabel_rules[0].regex: expected string, got {}"],
  [{ separator: null, target_label: "x" }, "relabel_rules[0].separator: expected string, got null"],
  [{ target_label: 1 }, "relabel_rules[0].target_label: expected string, got 1"],
  [{ replacement: 1, target_label: "x" }, "relabel_rules[0].replacement: expected string, got 1"],
  [{ target_label: "x", sourceLabels: ["a"] }, "relabel_rules[0].sourceLabels: unknown field"],
  [null, "relabel_rules[0]: expected object, got null"],
  ["replace", 'relabel_rules[0]: expected object, got "replace"'],
  [[], "relabel_rules[0]: expected object, got []"],
];

/** The rule for a test name (JSON.stringify throws on a bigint). */
const shown = (rule: unknown) =>
  JSON.stringify(rule, (_k, v) => typeof v === "bigint" ? `${v}n` : Number.isNaN(v) ? "NaN" : v);

for (const [rule, message] of refused) {
  test(`compileRules() refuses ${shown(rule)} as the config does`, () => {
    const rules = [rule] as RelabelRule[];
    assert.throws(() => compileRules(rules), { name: "RangeError", message });
    assert.throws(() => relabel({ a: "1" }, rules), { name: "RangeError", message });
    const checked = checkRules(rules);
    assert.equal(checked.ok, false);
    assert.equal(!checked.ok && checked.errors[0], message);
  });
}

test("compileRules() words its errors as the config loader does", () => {
  // Every refused rule that the config can hold (JSON has no bigint, NaN or RegExp).
  for (const [rule, message] of refused) {
    if (
      typeof rule === "object" && rule !== null &&
      Object.values(rule).some((v) =>
        typeof v === "bigint" || Number.isNaN(v) || v instanceof RegExp
      )
    ) continue;
    const r = parseConfig({ relabel_rules: [rule] });
    assert.ok(!r.ok);
    assert.equal(r.errors[0], message, JSON.stringify(rule));
  }
});

test("compileRules() names the rule that is wrong", () => {
  const rules = [{ target_label: "x" }, { action: "rename", target_label: "y" }] as RelabelRule[];
  assert.throws(() => compileRules(rules), {
    name: "RangeError",
    message: `relabel_rules[1].action: "rename" is not one of ${ACTIONS_LIST}`,
  });
});

test("compileRules() refuses what is not a list of rules", () => {
  for (const [input, shown] of [["x", '"x"'], [null, "null"], [{}, "{}"]] as const) {
    assert.throws(() => compileRules(input as unknown as RelabelRule[]), {
      name: "RangeError",
      message: `relabel_rules: expected array, got ${shown}`,
    });
  }
});

test("a field given as undefined takes its default, as in the config", () => {
  // Before: the regex "undefined" (matching only that text) and no action at all (dropping).
  const rule = { source_labels: ["a"], target_label: "t", regex: undefined, action: undefined };
  assert.deepEqual(relabel({ a: "v" }, [rule]), { a: "v", t: "v" });
  assert.deepEqual(compileRules([rule]).rules[0].rule, {
    source_labels: ["a"],
    separator: ";",
    regex: "(.*)",
    modulus: 0,
    target_label: "t",
    replacement: "$1",
    action: "replace",
  });
});

test("compileRules() does not change the rules it is given", () => {
  const rules: RelabelRule[] = [{ source_labels: ["a"], target_label: "t" }];
  const copy = structuredClone(rules);
  compileRules(rules);
  assert.deepEqual(rules, copy);
});

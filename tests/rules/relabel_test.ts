// Data-driven relabel tests: Prometheus's own TestRelabel table (transcribed as data), our traps
// for everything a RegExp + String.replace port gets wrong, and Alloy's load-time checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { compileRules, relabel, type RelabelRule } from "../../src/rules/mod.ts";
import {
  DEFAULT_RULE,
  isValidTemplate,
  relabelRuleSchema,
  ruleIssues,
} from "../../src/rules/rule.ts";
import { parseConfig } from "../../src/config/parse_config.ts";

interface Case {
  name: string;
  input: Record<string, string>;
  rules: RelabelRule[];
  output: Record<string, string> | null;
}

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

for (const file of ["prometheus_relabel.json", "traps.json"]) {
  for (const c of load<Case[]>(file)) {
    test(`relabel() ${file.replace(".json", "")}: ${c.name}`, () => {
      const input = structuredClone(c.input);
      assert.deepEqual(relabel(c.input, c.rules), c.output);
      assert.deepEqual(c.input, input, "the input is not changed");
      // The same through a compiled rule set.
      assert.deepEqual(relabel(c.input, compileRules(c.rules)), c.output);
    });
  }
}

interface Validation {
  rule: RelabelRule;
  field?: string | null;
  message?: string;
  valid?: boolean;
}

for (const v of load<Validation[]>("rule_validation.json")) {
  test(`rule validation: ${JSON.stringify(v.rule)} is ${v.valid ? "accepted" : "refused"}`, () => {
    const issues = ruleIssues({ ...DEFAULT_RULE, ...v.rule } as typeof DEFAULT_RULE);
    if (v.valid) {
      assert.deepEqual(issues, []);
      assert.doesNotThrow(() => compileRules([v.rule]));
      return;
    }
    assert.ok(issues.length > 0);
    assert.equal(issues[0].field, v.field);
    if (v.message) assert.equal(issues[0].message, v.message);
    assert.throws(() => compileRules([v.rule]), new RegExp(`relabel_rules\\[0\\]\\.${v.field}`));
    assert.equal(relabelRuleSchema.safeParse(v.rule).success, false);
  });
}

test("templated target_label validity follows Prometheus's pattern (TestTargetLabelValidity)", () => {
  for (const [template, valid] of load<[string, boolean][]>("target_templates.json")) {
    assert.equal(isValidTemplate(template), valid, template);
    // Through the whole check: a template with $ is judged by the pattern.
    if (template.includes("$")) {
      const issues = ruleIssues({ ...DEFAULT_RULE, target_label: template });
      assert.equal(issues.length === 0, valid, template);
    }
  }
});

test("bad rules never reach the running relay: the config names the rule and field", () => {
  const r = parseConfig({
    relabel_rules: [
      { source_labels: ["a"], target_label: "ok" },
      { action: "hashmod", target_label: "h" },
      { regex: "(unclosed", target_label: "x" },
      { action: "Replace", target_label: "x" },
      { source_labels: "app", target_label: "x" },
    ],
  });
  assert.ok(!r.ok);
  assert.deepEqual(
    r.errors.sort(),
    [
      'relabel_rules[2].regex: "(unclosed" is not a valid RE2 regex: missing closing )',
      'relabel_rules[3].action: "Replace" is not one of "replace", "keep", "drop", "hashmod", ' +
      '"labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"',
      'relabel_rules[4].source_labels: expected array, got "app"',
      "relabel_rules[1].modulus: hashmod requires a non-zero modulus",
    ].sort(),
  );
});

test("an explicit empty separator, replacement and regex are kept, not defaulted", () => {
  assert.deepEqual(
    relabel({ a: "x", b: "y" }, [{ source_labels: ["a", "b"], separator: "", target_label: "j" }]),
    { a: "x", b: "y", j: "xy" },
  );
  assert.deepEqual(
    relabel({ a: "x", t: "1" }, [{ source_labels: ["a"], target_label: "t", replacement: "" }]),
    {
      a: "x",
    },
  );
  assert.equal(relabel({ a: "x" }, [{ source_labels: ["a"], regex: "", action: "keep" }]), null);
});

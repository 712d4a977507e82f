// Several capture groups with one name, as Go's regexp allows: `(?P<x>a)|(?P<x>b)` compiles, and
// `$x` / `${x}` in a template expands to the first group of that name that took part in the match
// (Go's regexp.go, (*Regexp).expand: it walks subexpNames in order and stops at the first group
// with that name whose start index is >= 0). re2js refuses the duplicate name; lokirelay renames
// the repeats before compiling and maps them back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { compileRules, relabel, type RelabelRule } from "../../src/rules/mod.ts";
import { DEFAULT_RULE, relabelRuleSchema, ruleIssues } from "../../src/rules/rule.ts";
import { captureGroups, compileAnchored } from "../../src/rules/regex.ts";
import { parseConfig } from "../../src/config/parse_config.ts";

/** One `replace` rule from label `a` into label `t`; `[input, expected t]` pairs (null: unset). */
interface ReplaceCase {
  name: string;
  regex: string;
  replacement: string;
  cases: [string, string | null][];
}

/** A pattern that is invalid for another reason than its shared names, and Go's reason. */
interface InvalidCase {
  regex: string;
  reason: string;
}

// The tables were checked against Go's regexp (compile "^(?s:" + regex + ")$", then
// FindStringSubmatchIndex and ExpandString; Go 1.19, with (?<x> written (?P<x> since the short
// form came in Go 1.22). They include pattern text that looks like a group but is not one
// (escaped parentheses, classes, \Q…\E): renaming it would change what matches.
const table: { replace: ReplaceCase[]; invalid: InvalidCase[] } = JSON.parse(
  readFileSync(new URL("./fixtures/duplicate_names.json", import.meta.url), "utf8"),
);

for (const c of table.replace) {
  test(`duplicate group names, replace: ${c.name}`, () => {
    const rule: RelabelRule = {
      source_labels: ["a"],
      regex: c.regex,
      target_label: "t",
      replacement: c.replacement,
    };
    assert.deepEqual(ruleIssues({ ...DEFAULT_RULE, ...rule }), [], "the rule is valid");
    const compiled = compileRules([rule]);
    for (const [input, expected] of c.cases) {
      const out = relabel({ a: input }, compiled);
      assert.equal(out?.t ?? null, expected, `${JSON.stringify(input)} -> t`);
    }
  });
}

test("duplicate group names: a templated target_label takes the name from the branch that matched", () => {
  const rules: RelabelRule[] = [{
    source_labels: ["a"],
    regex: String.raw`(?P<k>\w+)=(?P<v>.*)|(?P<k>\w+)`,
    target_label: "${k}",
    replacement: "x${v}",
  }];
  assert.deepEqual(relabel({ a: "env=prod" }, rules), { a: "env=prod", env: "xprod" });
  assert.deepEqual(relabel({ a: "solo" }, rules), { a: "solo", solo: "x" });
});

test("duplicate group names: labelmap maps names from either branch", () => {
  const rules: RelabelRule[] = [{
    action: "labelmap",
    regex: "__meta_kubernetes_pod_label_(?P<n>.+)|__meta_docker_(?P<n>.+)",
    replacement: "k8s_${n}",
  }];
  assert.deepEqual(
    relabel(
      { __meta_kubernetes_pod_label_app: "api", __meta_docker_env: "prod", other: "x" },
      rules,
    ),
    {
      __meta_docker_env: "prod",
      __meta_kubernetes_pod_label_app: "api",
      other: "x",
      k8s_env: "prod",
      k8s_app: "api",
    },
  );
});

test("duplicate group names: keep, drop, labeldrop and labelkeep match as usual", () => {
  const re = "(?P<x>a)|(?P<x>b)";
  assert.deepEqual(relabel({ a: "b" }, [{ source_labels: ["a"], regex: re, action: "keep" }]), {
    a: "b",
  });
  assert.equal(relabel({ a: "c" }, [{ source_labels: ["a"], regex: re, action: "keep" }]), null);
  assert.equal(relabel({ a: "a" }, [{ source_labels: ["a"], regex: re, action: "drop" }]), null);
  assert.deepEqual(
    relabel({ tmp_x: "1", debug: "2", keep: "3" }, [{
      regex: "(?P<n>tmp_.*)|(?P<n>debug)",
      action: "labeldrop",
    }]),
    { keep: "3" },
  );
  assert.deepEqual(
    relabel({ tmp_x: "1", debug: "2", keep: "3" }, [{
      regex: "(?P<n>tmp_.*)|(?P<n>debug)",
      action: "labelkeep",
    }]),
    { debug: "2", tmp_x: "1" },
  );
});

test("duplicate group names: the config loader accepts them too", () => {
  const rule = { source_labels: ["a"], regex: "(?P<x>a)|(?P<x>b)", target_label: "${x}" };
  assert.equal(relabelRuleSchema.safeParse(rule).success, true);
  const r = parseConfig({ relabel_rules: [rule] });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
});

// A pattern that is invalid for another reason is still refused, with Go's reason for the first
// error in it, worded as every other regex error.
for (const { regex, reason } of table.invalid) {
  test(`duplicate group names: ${JSON.stringify(regex)} is still refused (${reason})`, () => {
    const message = `${JSON.stringify(regex)} is not a valid RE2 regex: ${reason}`;
    assert.deepEqual(ruleIssues({ ...DEFAULT_RULE, regex, target_label: "t" }), [
      { field: "regex", message },
    ]);
    assert.throws(() => compileRules([{ regex, target_label: "t" }]), {
      name: "RangeError",
      message: `relabel_rules[0].regex: ${message}`,
    });
    const r = parseConfig({ relabel_rules: [{ regex, target_label: "t" }] });
    assert.deepEqual(!r.ok && r.errors, [`relabel_rules[0].regex: ${message}`]);
  });
}

test("compileAnchored: names map to a number, or to every number in order when shared", () => {
  const one = compileAnchored("(?P<a>x)(y)(?P<b>z)");
  assert.ok(one.ok);
  assert.deepEqual({ ...one.names }, { a: 1, b: 3 });
  const dup = compileAnchored("(?P<a>x)|(y)|(?P<a>z)|(?P<b>w)|(?P<a>v)");
  assert.ok(dup.ok);
  assert.deepEqual({ ...dup.names }, { a: [1, 3, 5], b: 4 });
  assert.equal(Object.getPrototypeOf(dup.names), null);
});

test("captureGroups reads the pattern as the parser does", () => {
  const list = (p: string) => captureGroups(p).map((g) => g.name ?? "");
  assert.deepEqual(list(String.raw`(a)\((?P<x>b)`), ["", "x"]);
  assert.deepEqual(list(String.raw`[(](?<x>b)[^)(]()`), ["x", ""]);
  assert.deepEqual(list(String.raw`[]()]()`), [""]);
  assert.deepEqual(list(String.raw`\Q()\E()\Q()`), [""]);
  assert.deepEqual(list(String.raw`[\]()]()`), [""]);
  assert.deepEqual(list(String.raw`[[:alpha:]()]()`), [""]);
  assert.deepEqual(list(String.raw`[A-[:x]():]`), [""]);
  assert.deepEqual(list(String.raw`\p{Greek}()\pL()`), ["", ""]);
  assert.deepEqual(list(String.raw`(?i)(?:a)(?s:b)(?P<y>c)`), ["y"]);
});

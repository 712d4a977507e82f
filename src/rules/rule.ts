/**
 * A relabel rule: Alloy's (and Prometheus's) fields, defaults and load-time checks.
 *
 * @module
 */
import { z } from "zod";
import { compileAnchored } from "./regex.ts";
import { describeIssue } from "../config_issues.ts";

/** The eleven actions of Prometheus 3.x and Alloy. */
export const ACTIONS = [
  "replace",
  "keep",
  "drop",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
  "keepequal",
  "dropequal",
] as const;

/** A relabel action. */
export type Action = typeof ACTIONS[number];

/** A rule as written in the config; missing fields take Alloy's defaults. */
export interface RelabelRule {
  /** @default [] */
  source_labels?: string[];
  /** @default ";" */
  separator?: string;
  /** RE2 syntax, anchored at both ends. @default "(.*)" */
  regex?: string;
  /** @default 0 */
  modulus?: number;
  /** @default "" */
  target_label?: string;
  /** @default "$1" */
  replacement?: string;
  /** @default "replace" */
  action?: Action;
}

/** A rule with every default filled in. */
export type FullRule = Required<RelabelRule>;

/** Alloy's defaults. */
export const DEFAULT_RULE: FullRule = {
  source_labels: [],
  separator: ";",
  regex: "(.*)",
  modulus: 0,
  target_label: "",
  replacement: "$1",
  action: "replace",
};

const TEMPLATE_NAME = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/**
 * Whether a `$`-template is a valid target label or labelmap replacement (legacy names, as Alloy
 * checks them): letters, `_`, `$name` or `${name}` units, each optionally followed by word
 * characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidTemplate } from "./rule.ts";
 *
 * assert.equal(isValidTemplate("foo_${1}"), true);
 * assert.equal(isValidTemplate("0${1}"), false);
 * ```
 */
export function isValidTemplate(template: string): boolean {
  return TEMPLATE_NAME.test(template);
}

/** A field and the reason it is refused. */
export interface RuleIssue {
  field: keyof FullRule;
  message: string;
}

/**
 * The checks Alloy makes when it loads a rule, in Prometheus's order. Returns every problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RULE, ruleIssues } from "./rule.ts";
 *
 * assert.deepEqual(ruleIssues({ ...DEFAULT_RULE, action: "hashmod", target_label: "x" }), [
 *   { field: "modulus", message: "hashmod requires a non-zero modulus" },
 * ]);
 * assert.deepEqual(ruleIssues({ ...DEFAULT_RULE, regex: "a(", target_label: "x" }).map((i) => i.field), ["regex"]);
 * ```
 */
export function ruleIssues(r: FullRule): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const add = (field: keyof FullRule, message: string) => issues.push({ field, message });
  const compiled = compileAnchored(r.regex);
  if (!compiled.ok) {
    add("regex", `${JSON.stringify(r.regex)} is not a valid RE2 regex: ${compiled.reason}`);
  }
  const a = r.action;
  if (a === "hashmod" && r.modulus === 0) add("modulus", "hashmod requires a non-zero modulus");
  const needsTarget = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"];
  if (needsTarget.includes(a) && r.target_label === "") {
    add("target_label", `${a} requires a target_label`);
  }
  if (a === "replace" && r.target_label !== "") {
    const templated = r.target_label.includes("$");
    if (templated ? !TEMPLATE_NAME.test(r.target_label) : !isUtf8Name(r.target_label)) {
      add(
        "target_label",
        `${JSON.stringify(r.target_label)} is not a valid target_label for replace`,
      );
    }
  }
  if (["lowercase", "uppercase", "keepequal", "dropequal", "hashmod"].includes(a)) {
    if (r.target_label !== "" && !isUtf8Name(r.target_label)) {
      add("target_label", `${JSON.stringify(r.target_label)} is not a valid target_label for ${a}`);
    }
  }
  if (["lowercase", "uppercase", "keepequal", "dropequal"].includes(a) && r.replacement !== "$1") {
    add("replacement", `replacement cannot be set for ${a}`);
  }
  if (a === "labelmap" && !TEMPLATE_NAME.test(r.replacement)) {
    add("replacement", `${JSON.stringify(r.replacement)} is not a valid replacement for labelmap`);
  }
  if (a === "keepequal" || a === "dropequal") {
    const bad = (["regex", "modulus", "separator", "replacement"] as const)
      .filter((f) => r[f] !== DEFAULT_RULE[f]);
    for (const f of bad) add(f, `${a} takes only source_labels and target_label, not ${f}`);
  }
  if (a === "labeldrop" || a === "labelkeep") {
    if (r.source_labels.length > 0) {
      add("source_labels", `${a} takes only regex, not source_labels`);
    }
    const bad = (["target_label", "modulus", "separator", "replacement"] as const)
      .filter((f) => r[f] !== DEFAULT_RULE[f]);
    for (const f of bad) add(f, `${a} takes only regex, not ${f}`);
  }
  return issues;
}

function isUtf8Name(name: string): boolean {
  return name !== "" &&
    !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name);
}

/**
 * Schema of one rule in the config: field types, defaults, and every load-time check of
 * {@link ruleIssues} reported on its field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relabelRuleSchema } from "./rule.ts";
 *
 * assert.equal(relabelRuleSchema.parse({ target_label: "x" }).regex, "(.*)");
 * const bad = relabelRuleSchema.safeParse({ action: "hashmod", target_label: "x" });
 * assert.equal(bad.success, false);
 * ```
 */
export const relabelRuleSchema = z.strictObject({
  source_labels: z.array(z.string()).default([]).describe(
    "Labels whose values, joined by separator, are matched against regex.",
  ),
  separator: z.string().default(";").describe("Joins the source_labels values."),
  regex: z.string().default("(.*)").describe("RE2 regex, anchored at both ends."),
  modulus: z.int().min(0).default(0).describe("Modulus of hashmod."),
  target_label: z.string().default("").describe(
    "Label written by replace, hashmod, lowercase, uppercase; compared by keepequal, dropequal.",
  ),
  replacement: z.string().default("$1").describe(
    "Value written by replace (and name template of labelmap); $1, ${name} expand capture groups.",
  ),
  action: z.enum(ACTIONS).default("replace").describe("What the rule does."),
}).check((ctx) => {
  for (const issue of ruleIssues(ctx.value)) {
    ctx.issues.push({
      code: "custom",
      input: ctx.value[issue.field],
      path: [issue.field],
      message: issue.message,
    });
  }
});

/** Rules with their defaults filled in, or every problem found, as the config loader words it. */
export type CheckRulesResult =
  | { ok: true; rules: FullRule[] }
  | { ok: false; errors: string[] };

const rulesSchema = z.array(relabelRuleSchema);

/**
 * Checks rules given as a value of any type (for example through the module API, where
 * TypeScript's types are not enforced): unknown fields, wrong types, an unknown action, and every
 * load-time check of {@link ruleIssues}. Each error names `relabel_rules[i].field` and is worded
 * as the config loader words it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRules } from "./rule.ts";
 *
 * assert.deepEqual(checkRules([{ target_label: "x" }, { action: "rename", target_label: "x" }]), {
 *   ok: false,
 *   errors: [
 *     'relabel_rules[1].action: "rename" is not one of "replace", "keep", "drop", "hashmod", ' +
 *     '"labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "keepequal", "dropequal"',
 *   ],
 * });
 * assert.deepEqual(checkRules([{ source_labels: ["a", 5], target_label: "x" }]), {
 *   ok: false,
 *   errors: ["relabel_rules[0].source_labels[1]: expected string, got 5"],
 * });
 * const good = checkRules([{ target_label: "x" }]);
 * assert.equal(good.ok && good.rules[0].regex, "(.*)");
 * ```
 */
export function checkRules(input: unknown): CheckRulesResult {
  const result = rulesSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, rules: result.data };
  return {
    ok: false,
    errors: result.error.issues.flatMap((issue) => describeIssue(issue, ["relabel_rules"])),
  };
}

/**
 * Fills in the defaults of a rule. A field given as `undefined` takes its default, as in the
 * config; fields that are not rule fields are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDefaults } from "./rule.ts";
 *
 * assert.equal(withDefaults({ action: "drop" }).separator, ";");
 * assert.equal(withDefaults({ regex: undefined }).regex, "(.*)");
 * ```
 */
export function withDefaults(rule: RelabelRule): FullRule {
  const out: Record<string, unknown> = { ...DEFAULT_RULE };
  for (const key of Object.keys(DEFAULT_RULE) as (keyof FullRule)[]) {
    if (rule[key] !== undefined) out[key] = rule[key];
  }
  return out as FullRule;
}

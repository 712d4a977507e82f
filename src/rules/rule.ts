/**
 * A relabel rule: Alloy's (and Prometheus's) fields, defaults and load-time checks.
 *
 * @module
 */
import { z } from "zod";
import { RE2JS } from "re2js";

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
  try {
    RE2JS.compile(`^(?s:${r.regex})$`);
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, "").replace(
      /: `.*`$/s,
      "",
    );
    add("regex", `${JSON.stringify(r.regex)} is not a valid RE2 regex: ${reason}`);
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
  source_labels: z.array(z.string()).default([]),
  separator: z.string().default(";"),
  regex: z.string().default("(.*)"),
  modulus: z.int().min(0).default(0),
  target_label: z.string().default(""),
  replacement: z.string().default("$1"),
  action: z.enum(ACTIONS).default("replace"),
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

/**
 * Fills in the defaults of a rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDefaults } from "./rule.ts";
 *
 * assert.equal(withDefaults({ action: "drop" }).separator, ";");
 * ```
 */
export function withDefaults(rule: RelabelRule): FullRule {
  return { ...DEFAULT_RULE, ...rule } as FullRule;
}

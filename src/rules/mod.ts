/**
 * Relabel rules with Prometheus 3.x / Alloy semantics.
 *
 * @module
 */
export { type CompiledRules, compileRules, relabel } from "./relabel.ts";
export {
  type Action,
  ACTIONS,
  DEFAULT_RULE,
  type FullRule,
  type RelabelRule,
  relabelRuleSchema,
  ruleIssues,
} from "./rule.ts";
export { expand } from "./expand.ts";

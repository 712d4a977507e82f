/**
 * Relabel rules with Prometheus 3.x / Alloy semantics.
 *
 * @module
 */
export { type CompiledRules, compileRules, relabel } from "./relabel.ts";
export { type RelabelRule } from "./rule.ts";

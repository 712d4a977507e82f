/**
 * Warnings about settings that are accepted (an Alloy config carries them) but have no effect in
 * lokirelay. Not errors: the relay starts, and `--check-config` prints one line per warning.
 * Each case is a row of {@link NO_EFFECT}; a new compatibility field adds its row there.
 *
 * @module
 */
import type { Config } from "./config_schema.ts";

/** A setting that has no effect: its path (`forward_to[0].headers.User-Agent`) and why. */
export interface ConfigWarning {
  path: string;
  message: string;
}

/** One case of a setting without effect. */
export interface NoEffectRule {
  /**
   * Where it applies: dotted keys, `[]` for every element of a list, `*` for every key of a map
   * (`forward_to[].headers.*`).
   */
  path: string;
  /**
   * Whether the value found there has no effect; `key` is its key, `parents` the objects that
   * hold it, nearest first (for `forward_to[].headers.*`: the headers map, then the endpoint).
   */
  applies(key: string, value: unknown, parents: Record<string, unknown>[]): boolean;
  /** Why, as printed after the path. */
  message: string;
}

const header = (...names: string[]) => (key: string) => names.includes(key.toLowerCase());

/** The settings accepted for Alloy compatibility that do nothing here. */
export const NO_EFFECT: readonly NoEffectRule[] = [
  {
    path: "forward_to[].headers.*",
    applies: header("content-type", "user-agent"),
    message: "no effect: the relay sets this header itself (as Alloy does)",
  },
  {
    path: "forward_to[].headers.*",
    applies: header("x-scope-orgid"),
    message: "no effect: the tenant is the push's X-Scope-OrgID, or tenant_id for pushes without",
  },
  {
    path: "forward_to[].headers.*",
    applies: (key, _value, [, endpoint]) =>
      header("authorization")(key) &&
      ["basic_auth", "bearer_token", "bearer_token_file"].some((k) => endpoint?.[k] !== undefined),
    message: "no effect when basic_auth, bearer_token or bearer_token_file is set",
  },
  {
    path: "auth.bearer_tokens[].token",
    applies: () => true,
    message: "a plain-text secret in the config: give token_sha256 or token_sha256_file " +
      "(lokirelay hash-token)",
  },
  {
    path: "auth.basic_users[].password",
    applies: () => true,
    message: "a plain-text secret in the config: give password_hash or password_hash_file " +
      "(lokirelay hash-password)",
  },
  {
    path: "wal.min_read_frequency",
    applies: () => true,
    message: "no effect: endpoints read the log as soon as a record is written (Alloy polls)",
  },
  {
    path: "wal.max_read_frequency",
    applies: () => true,
    message: "no effect: endpoints read the log as soon as a record is written (Alloy polls)",
  },
];

/**
 * The warnings for a parsed config: every place a rule of `rules` applies, rule by rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configWarnings } from "./config_warnings.ts";
 * import { parseConfig } from "./parse_config.ts";
 *
 * const parsed = parseConfig({
 *   forward_to: [{ url: "http://loki/push", headers: { "User-Agent": "me", "X-Team": "a" } }],
 * });
 * assert.ok(parsed.ok);
 * assert.deepEqual(configWarnings(parsed.config), [{
 *   path: "forward_to[0].headers.User-Agent",
 *   message: "no effect: the relay sets this header itself (as Alloy does)",
 * }]);
 * ```
 */
export function configWarnings(
  config: Config,
  rules: readonly NoEffectRule[] = NO_EFFECT,
): ConfigWarning[] {
  const found: ConfigWarning[] = [];
  for (const rule of rules) {
    visit(config, rule.path.split("."), "", [], (key, value, parents, path) => {
      if (rule.applies(key, value, parents)) found.push({ path, message: rule.message });
    });
  }
  return found;
}

type Visit = (
  key: string,
  value: unknown,
  parents: Record<string, unknown>[],
  path: string,
) => void;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function visit(
  node: unknown,
  steps: string[],
  path: string,
  above: Record<string, unknown>[],
  found: Visit,
): void {
  const [step, ...rest] = steps;
  const list = step.endsWith("[]");
  const name = list ? step.slice(0, -2) : step;
  if (!isObject(node)) return;
  const parents = [node, ...above];
  const keys = name === "*" ? Object.keys(node) : Object.hasOwn(node, name) ? [name] : [];
  for (const key of keys) {
    const at = path === "" ? key : `${path}.${key}`;
    const value = node[key];
    if (!list) {
      if (rest.length === 0) found(key, value, parents, at);
      else visit(value, rest, at, parents, found);
      continue;
    }
    if (!Array.isArray(value)) continue;
    value.forEach((element, i) => {
      if (rest.length === 0) found(String(i), element, parents, `${at}[${i}]`);
      else visit(element, rest, `${at}[${i}]`, parents, found);
    });
  }
}

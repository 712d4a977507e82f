/**
 * The label pipeline of one stream, in Alloy's order: parse the label string, set the configured
 * `labels`, run `relabel_rules`, skip a dropped or empty set, remove `__*` labels.
 * Results are cached by label string (bounded), so a steady stream costs one map lookup.
 *
 * @module
 */
import type { Labels } from "../types.ts";
import { parseLabels } from "../labels/parse_labels.ts";
import { formatLabels } from "../labels/format_labels.ts";
import { LabelCache } from "../labels/label_cache.ts";
import { setLabel } from "../labels/set_label.ts";
import type { ValidationSettings } from "../config/settings.ts";
import { tenantIdError } from "../tenant_id.ts";
import { checkLabels, type Refusal } from "../limits/loki_validation.ts";

/** The label that, written by `labels` or a relabel rule, sets the tenant of its stream. */
export const TENANT_LABEL = "__tenant_id__";

/**
 * What became of a stream's labels: `tenant` when a `__tenant_id__` label set one; `refusal`
 * when the labels break one of Loki's limits (the stream is then refused).
 */
export type ResolvedStream =
  | { kind: "ok"; labels: Labels; key: string; tenant?: string; refusal?: Refusal }
  | { kind: "dropped"; reason: "relabel_dropped" | "no_labels" }
  | { kind: "error"; error: string };

/** Options of {@link createStreamResolver}. */
export interface StreamResolverOptions {
  /** The configured `labels`, set over incoming labels; an empty value deletes. */
  labels: Labels;
  /** The compiled relabel rules, or `null` when there are none. */
  relabel: ((labels: Labels) => Labels | null) | null;
  /** Label strings remembered at most; the cache is emptied when full. @default 10000 */
  cacheSize?: number;
  /** Label strings longer than this are resolved but not cached. @default 4096 */
  maxCachedKeyLength?: number;
  /** Loki's label limits, checked once per label string (the result is cached with it). */
  validation?: ValidationSettings;
}

/** Characters of label strings the resolver's cache keeps at most (about 3 × this in bytes). */
const CACHE_CHARS = 2 * 1024 * 1024;

/**
 * Creates the per-stream label resolver. Results are shared between calls: do not mutate them.
 * A client's own `__tenant_id__` label is removed first: a client names its tenant with
 * `X-Scope-OrgID`; only the configuration (`labels`, relabel rules) sets one by label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createStreamResolver } from "./stream_resolver.ts";
 *
 * const resolve = createStreamResolver({ labels: { env: "prod" }, relabel: null });
 * assert.deepEqual(resolve('{app="a", __name__="x", env="dev"}'), {
 *   kind: "ok",
 *   labels: { app: "a", env: "prod" },
 *   key: '{app="a", env="prod"}',
 * });
 * assert.deepEqual(resolve('{__only="x"}'), { kind: "ok", labels: { env: "prod" }, key: '{env="prod"}' });
 * assert.equal(resolve("{bad-name=1}").kind, "error");
 *
 * const byLabel = createStreamResolver({
 *   labels: {},
 *   relabel: (l) => ({ ...l, __tenant_id__: l.team }),
 * });
 * assert.deepEqual(byLabel('{team="ops", __tenant_id__="evil"}'), {
 *   kind: "ok", labels: { team: "ops" }, key: '{team="ops"}', tenant: "ops",
 * });
 * ```
 */
export function createStreamResolver(
  options: StreamResolverOptions,
): (labelString: string) => ResolvedStream {
  // A result holds about twice its key again (the parsed labels and the formatted key).
  const cache = new LabelCache<ResolvedStream>({
    maxEntries: options.cacheSize ?? 10_000,
    maxChars: CACHE_CHARS,
    maxKeyChars: options.maxCachedKeyLength ?? 4096,
    perEntryChars: 128,
  });
  const fixed = Object.entries(options.labels);
  return (labelString) => {
    let result = cache.get(labelString);
    if (result !== undefined) return result;
    result = resolve(labelString, fixed, options.relabel);
    if (result.kind === "ok" && options.validation) {
      const refusal = checkLabels(result.labels, result.key, options.validation);
      if (refusal) result.refusal = refusal;
    }
    cache.set(labelString, result);
    return result;
  };
}

function resolve(
  labelString: string,
  fixed: [string, string][],
  relabel: StreamResolverOptions["relabel"],
): ResolvedStream {
  const parsed = parseLabels(labelString);
  if (!parsed.ok) return { kind: "error", error: parsed.error };
  let labels = parsed.labels;
  delete labels[TENANT_LABEL];
  for (const [name, value] of fixed) {
    if (value === "") delete labels[name];
    else setLabel(labels, name, value);
  }
  if (relabel) {
    const out = relabel(labels);
    if (out === null) return { kind: "dropped", reason: "relabel_dropped" };
    labels = out;
  }
  const kept: Labels = {};
  let count = 0;
  for (const name of Object.keys(labels)) {
    if (name.startsWith("__") || labels[name] === "") continue;
    kept[name] = labels[name];
    count++;
  }
  if (count === 0) return { kind: "dropped", reason: "no_labels" };
  const key = formatLabels(kept);
  const tenant = labels[TENANT_LABEL];
  if (tenant === undefined || tenant === "") return { kind: "ok", labels: kept, key };
  const bad = tenantIdError(tenant);
  if (bad) {
    return {
      kind: "error",
      error: `stream ${key}: ${TENANT_LABEL} ${JSON.stringify(tenant)}: ${bad}`,
    };
  }
  return { kind: "ok", labels: kept, key, tenant };
}

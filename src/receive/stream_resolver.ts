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

/** What became of a stream's labels. */
export type ResolvedStream =
  | { kind: "ok"; labels: Labels; key: string }
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
}

/** Characters of label strings the resolver's cache keeps at most (about 3 × this in bytes). */
const CACHE_CHARS = 2 * 1024 * 1024;

/**
 * Creates the per-stream label resolver. Results are shared between calls: do not mutate them.
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
  return { kind: "ok", labels: kept, key: formatLabels(kept) };
}

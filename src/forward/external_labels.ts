/**
 * `external_labels`: labels added under every stream sent to Loki.
 *
 * @module
 */
import type { Labels, Stream } from "../types.ts";
import { formatLabels } from "../labels/format_labels.ts";
import { LabelCache } from "../labels/label_cache.ts";

/**
 * Puts `external_labels` under each stream's labels (the stream's own win), cached by key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createExternalLabels } from "./external_labels.ts";
 *
 * const add = createExternalLabels({ cluster: "c1", app: "x" });
 * const [s] = add([{ labels: { app: "a" }, key: '{app="a"}', entries: [] }]);
 * assert.equal(s.key, '{app="a", cluster="c1"}');
 * ```
 */
export function createExternalLabels(labels: Labels): (streams: Stream[]) => Stream[] {
  const names = Object.keys(labels);
  if (names.length === 0) return (streams) => streams;
  const cache = new LabelCache<{ labels: Labels; key: string }>({
    maxEntries: 10_000,
    maxChars: 2 * 1024 * 1024,
    maxKeyChars: 4096,
    perEntryChars: 128,
  });
  return (streams) =>
    streams.map((s) => {
      let merged = cache.get(s.key);
      if (merged === undefined) {
        const all = { ...labels, ...s.labels };
        merged = { labels: all, key: formatLabels(all) };
        cache.set(s.key, merged);
      }
      return { labels: merged.labels, key: merged.key, entries: s.entries };
    });
}

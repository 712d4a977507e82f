/**
 * A cache keyed by label strings whose size is bounded in characters, not only in entries: a
 * steady set of streams costs one map lookup each, and a flood of unique or very long label
 * strings cannot make it hold more than its budget (it is emptied and starts over).
 *
 * @module
 */

/**
 * A map from label strings to results, emptied whenever it would pass `maxEntries` entries or
 * `maxChars` characters of keys (each entry is charged its key's length plus `perEntryChars`, an
 * estimate of what its value holds). Keys longer than `maxKeyChars` are never stored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LabelCache } from "./label_cache.ts";
 *
 * const cache = new LabelCache<number>({ maxEntries: 10, maxChars: 20, maxKeyChars: 8 });
 * cache.set('{a="1"}', 1);
 * assert.equal(cache.get('{a="1"}'), 1);
 * cache.set('{a="123456"}', 2); // too long to keep
 * assert.equal(cache.get('{a="123456"}'), undefined);
 * cache.set('{b="2"}', 2);
 * cache.set('{c="3"}', 3); // 21 characters: the cache starts over with this one
 * assert.equal(cache.get('{a="1"}'), undefined);
 * assert.equal(cache.get('{c="3"}'), 3);
 * ```
 */
export class LabelCache<V> {
  readonly #map = new Map<string, V>();
  readonly #maxEntries: number;
  readonly #maxChars: number;
  readonly #maxKeyChars: number;
  readonly #perEntry: number;
  #chars = 0;

  constructor(
    options: { maxEntries: number; maxChars: number; maxKeyChars: number; perEntryChars?: number },
  ) {
    this.#maxEntries = options.maxEntries;
    this.#maxChars = options.maxChars;
    this.#maxKeyChars = options.maxKeyChars;
    this.#perEntry = options.perEntryChars ?? 0;
  }

  /** The value for `key`, or `undefined`. */
  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Stores `value` for `key` unless the key is too long to keep. */
  set(key: string, value: V): void {
    if (key.length > this.#maxKeyChars) return;
    const cost = key.length + this.#perEntry;
    if (this.#map.size >= this.#maxEntries || this.#chars + cost > this.#maxChars) {
      this.#map.clear();
      this.#chars = 0;
    }
    this.#map.set(key, value);
    this.#chars += cost;
  }
}

/**
 * Renders a label set as Loki's canonical stream string: names sorted byte-wise,
 * `name="value"` pairs joined by `, ` inside braces, values quoted with escapes Loki's parser reads.
 *
 * @module
 */
import type { Labels } from "../types.ts";

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Formats labels as `{a="x", b="y"}`. Equal label sets always give the same string, so it serves
 * as the stream key for batching and as the label string sent to Loki.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLabels } from "./format_labels.ts";
 *
 * assert.equal(formatLabels({ b: "2", a: 'say "hi"' }), '{a="say \\"hi\\"", b="2"}');
 * assert.equal(formatLabels({}), "{}");
 * ```
 */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "{}";
  names.sort(compareBytes);
  let out = "{";
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (i > 0) out += ", ";
    out += LEGACY_NAME.test(name) ? name : JSON.stringify(name);
    out += "=";
    out += JSON.stringify(labels[name]);
  }
  return out + "}";
}

/**
 * Orders strings by their UTF-8 bytes, as Go and Prometheus sort label names.
 * For the BMP this equals UTF-16 order except around surrogates, which the fallback handles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareBytes } from "./format_labels.ts";
 *
 * assert.deepEqual(["b", "B", "a"].sort(compareBytes), ["B", "a", "b"]);
 * ```
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort after U+E000–U+FFFF in UTF-8.
      const xs = x >= 0xd800 && x < 0xe000;
      const ys = y >= 0xd800 && y < 0xe000;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

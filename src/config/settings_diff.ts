/**
 * What a reload changes: the one place where old and new {@link Settings} are compared. Each part
 * of the relay acts only on what concerns it: the listener restarts when its settings change, the
 * receive pipeline is rebuilt when its settings change, and an endpoint whose settings are
 * identical keeps its queue, batches and connections.
 *
 * @module
 */
import type { Settings } from "./settings.ts";

/** The parts of the relay a reload touches. */
export interface SettingsDiff {
  /** The listener must be restarted (address, port, timeouts, limits or TLS changed). */
  listener: boolean;
  /** Receive limits, labels or relabel rules changed. */
  receive: boolean;
  /** The sink must be rebuilt (stdout ⇄ Loki, an endpoint or `external_labels` changed). */
  forward: boolean;
  /** The write-ahead log was turned on or off, or its settings changed. */
  wal: boolean;
  /**
   * For each endpoint of the new settings, the index of an identical endpoint of the old ones
   * (it carries over with what it holds), or -1 for a new one.
   */
  carried: number[];
}

/**
 * Compares two settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "./resolve_settings.ts";
 * import { diffSettings } from "./settings_diff.ts";
 *
 * const a = resolveSettings({ forward_to: [{ url: "http://a/push" }, { url: "http://b/push" }] });
 * const b = resolveSettings({
 *   labels: { env: "prod" },
 *   forward_to: [{ url: "http://b/push" }, { url: "http://c/push" }],
 * });
 * assert.ok(a.ok && b.ok);
 * assert.deepEqual(diffSettings(a.settings, b.settings), {
 *   listener: false,
 *   receive: true,
 *   forward: true,
 *   wal: false,
 *   carried: [1, -1],
 * });
 * ```
 */
export function diffSettings(prev: Settings, next: Settings): SettingsDiff {
  const before = prev.forward?.endpoints ?? [];
  const taken = new Set<number>();
  const carried = (next.forward?.endpoints ?? []).map((e) => {
    const i = before.findIndex((b, j) => !taken.has(j) && sameValue(b, e));
    if (i >= 0) taken.add(i);
    return i;
  });
  return {
    listener: !sameValue(prev.listener, next.listener),
    receive: !sameValue(prev.receive, next.receive),
    forward: !sameValue(prev.forward, next.forward),
    wal: !sameValue(prev.wal, next.wal),
    carried,
  };
}

/**
 * Deep equality of plain data (objects, arrays, strings, numbers, booleans, `undefined`).
 * Object keys whose value is `undefined` count as absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameValue } from "./settings_diff.ts";
 *
 * assert.equal(sameValue({ a: [1, { b: "x" }] }, { a: [1, { b: "x" }] }), true);
 * assert.equal(sameValue({ a: 1, b: undefined }, { a: 1 }), true);
 * assert.equal(sameValue([1, 2], [2, 1]), false);
 * ```
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameValue(v, other[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) if (!sameValue(x[k], y[k])) return false;
  return true;
}

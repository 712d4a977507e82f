/**
 * Setting a label on a label set (a plain object) whatever its name. A label set built from what a
 * client sends may hold any name; assigning `labels["__proto__"] = v` would not set a label there
 * but (on runtimes that keep the `__proto__` accessor, such as Bun) try to change the object's
 * prototype, and the label would be lost.
 *
 * @module
 */
import type { Labels } from "../types.ts";

/**
 * Sets `name` to `value` on `labels` as an own, enumerable property, `__proto__` included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setLabel } from "./set_label.ts";
 *
 * const labels: Record<string, string> = {};
 * setLabel(labels, "__proto__", "p");
 * setLabel(labels, "constructor", "c");
 * assert.deepEqual(Object.keys(labels), ["__proto__", "constructor"]);
 * assert.equal(labels["__proto__"], "p");
 * assert.equal(Object.getPrototypeOf(labels), Object.prototype);
 * ```
 */
export function setLabel(labels: Labels, name: string, value: string): void {
  if (name === "__proto__") {
    Object.defineProperty(labels, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else labels[name] = value;
}

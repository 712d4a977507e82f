/**
 * Go's `strings.ToLower`/`ToUpper`: each code point by its simple case mapping, with no special
 * casing and no context (JavaScript's full mappings turn `ß` into `SS` and a final `Σ` into `ς`).
 *
 * @module
 */

function simpleUpper(cp: number): number {
  // Greek with ypogegrammeni: the simple uppercase is the titlecase form (JS gives two letters).
  if (
    (cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) ||
    (cp >= 0x1fa0 && cp <= 0x1fa7)
  ) {
    return cp + 8;
  }
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  return -1;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function mapEach(text: string, upper: boolean): string {
  let out = "";
  for (const ch of text) {
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    if (mapped.length === ch.length && [...mapped].length === 1) {
      out += mapped;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (!upper && cp === 0x130) out += "i"; // İ: Go's simple lowercase is a plain i
    else if (upper && simpleUpper(cp) >= 0) out += String.fromCodePoint(simpleUpper(cp));
    else out += ch; // no simple mapping: unchanged, as in Go
  }
  return out;
}

/**
 * Lower-cases like Go's `strings.ToLower`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goLower } from "./case_map.ts";
 *
 * assert.equal(goLower("ΣΑΣ"), "σασ");
 * assert.equal(goLower("İ"), "i");
 * ```
 */
export function goLower(text: string): string {
  return isAscii(text) ? text.toLowerCase() : mapEach(text, false);
}

/**
 * Upper-cases like Go's `strings.ToUpper`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goUpper } from "./case_map.ts";
 *
 * assert.equal(goUpper("straße"), "STRAßE");
 * assert.equal(goUpper("ﬁ"), "ﬁ");
 * ```
 */
export function goUpper(text: string): string {
  return isAscii(text) ? text.toUpperCase() : mapEach(text, true);
}

/**
 * Parses a stream label string such as `{app="a", env="p\"q"}` the way Alloy does (Prometheus
 * `ParseMetric`): optional metric name (→ `__name__`), `=` only, values as PromQL string literals
 * (`"…"` and `'…'` with Go escapes, `` `…` `` raw), quoted names, trailing comma, `#` comments.
 *
 * @module
 */
import type { Labels } from "../types.ts";
import { setLabel } from "./set_label.ts";

/** The outcome of parsing a label string: the labels, or the parse error text. */
export type ParseLabelsResult = { ok: true; labels: Labels } | { ok: false; error: string };

class LabelSyntaxError extends Error {
  constructor(readonly pos: number, message: string) {
    super(message);
  }
}

/**
 * Parses a label string. Empty values are dropped (a label with an empty value does not exist);
 * on a duplicate name the later value wins. Any name is a label like another (`__proto__`,
 * `constructor`). Errors read like Prometheus's:
 * `1:5: parse error: unexpected character inside braces: '-'`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabels } from "./parse_labels.ts";
 *
 * assert.deepEqual(parseLabels('{app="a", env="p\\"q"}'), {
 *   ok: true,
 *   labels: { app: "a", env: 'p"q' },
 * });
 * assert.deepEqual(parseLabels("up{job=`x`}"), { ok: true, labels: { __name__: "up", job: "x" } });
 * assert.equal(parseLabels('{foo-bar="x"}').ok, false);
 * ```
 */
export function parseLabels(text: string): ParseLabelsResult {
  try {
    return { ok: true, labels: new Parser(text).parse() };
  } catch (err) {
    if (!(err instanceof LabelSyntaxError)) throw err;
    return { ok: false, error: `${position(text, err.pos)}: parse error: ${err.message}` };
  }
}

function position(text: string, pos: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${pos - lineStart + 1}`;
}

const HEX: Record<number, RegExp> = {
  2: /^[0-9a-fA-F]{2}$/,
  4: /^[0-9a-fA-F]{4}$/,
  8: /^[0-9a-fA-F]{8}$/,
};
const TOKEN_START = /["'`=!~,{}#]/;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function describe(text: string, pos: number): string {
  if (pos >= text.length) return "end of input";
  return `character '${String.fromCodePoint(text.codePointAt(pos)!)}'`;
}

class Parser {
  #s: string;
  #i = 0;
  #labels: Labels = {};

  constructor(text: string) {
    this.#s = text;
  }

  parse(): Labels {
    this.#space(false);
    if (this.#i < this.#s.length && this.#s.charCodeAt(this.#i) !== 123) {
      this.#set("__name__", this.#metricName());
      this.#space(false);
    }
    if (this.#i < this.#s.length) {
      if (this.#s.charCodeAt(this.#i) !== 123) {
        this.#fail(`unexpected ${describe(this.#s, this.#i)}`);
      }
      this.#i++;
      this.#body();
      this.#space(false);
    }
    if (this.#i < this.#s.length) {
      this.#fail(`unexpected ${describe(this.#s, this.#i)} after the label set`);
    }
    return this.#labels;
  }

  #body(): void {
    for (;;) {
      this.#space(true);
      if (this.#i >= this.#s.length) this.#fail("unexpected end of input inside braces");
      const c = this.#s.charCodeAt(this.#i);
      if (c === 125) {
        this.#i++;
        return;
      }
      this.#lexable();
      const quoted = c === 34 || c === 39 || c === 96;
      const name = quoted ? this.#string() : this.#ident();
      this.#space(true);
      this.#lexable();
      if (this.#s.charCodeAt(this.#i) === 61) {
        this.#i++;
        this.#space(true);
        this.#lexable();
        const q = this.#s.charCodeAt(this.#i);
        if (q !== 34 && q !== 39 && q !== 96) {
          this.#fail(`unexpected ${describe(this.#s, this.#i)} in label set, expected string`);
        }
        this.#set(name, this.#string());
      } else if (quoted) {
        this.#set("__name__", name);
      } else {
        this.#fail(`unexpected ${describe(this.#s, this.#i)} in label set, expected "="`);
      }
      this.#space(true);
      this.#lexable();
      const sep = this.#s.charCodeAt(this.#i);
      if (sep === 44) this.#i++;
      else if (sep !== 125) {
        if (this.#i >= this.#s.length) this.#fail("unexpected end of input inside braces");
        this.#fail(`unexpected ${describe(this.#s, this.#i)} in label set, expected "," or "}"`);
      }
    }
  }

  #set(name: string, value: string): void {
    if (value === "") delete this.#labels[name];
    else setLabel(this.#labels, name, value);
  }

  #fail(message: string, pos: number = this.#i): never {
    throw new LabelSyntaxError(pos, message);
  }

  /** Where a token is expected: a character no token starts with is a lexer error. */
  #lexable(): void {
    const c = this.#s.charCodeAt(this.#i);
    if (this.#i < this.#s.length && !TOKEN_START.test(this.#s[this.#i]) && !isIdentPart(c)) {
      this.#fail(`unexpected character inside braces: '${this.#s[this.#i]}'`);
    }
  }

  #space(inBraces: boolean): void {
    const s = this.#s;
    while (this.#i < s.length) {
      const c = s.charCodeAt(this.#i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.#i++;
      else if (c === 35 && inBraces) {
        while (this.#i < s.length && s.charCodeAt(this.#i) !== 10) this.#i++;
      } else return;
    }
  }

  #ident(): string {
    const start = this.#i;
    if (!isIdentStart(this.#s.charCodeAt(start))) {
      this.#fail(`unexpected character inside braces: '${this.#s[start]}'`);
    }
    while (this.#i < this.#s.length && isIdentPart(this.#s.charCodeAt(this.#i))) this.#i++;
    return this.#s.slice(start, this.#i);
  }

  #metricName(): string {
    const start = this.#i;
    const isPart = (c: number) => isIdentPart(c) || c === 58;
    if (!isIdentStart(this.#s.charCodeAt(start)) && this.#s.charCodeAt(start) !== 58) {
      this.#fail(`unexpected ${describe(this.#s, start)}`);
    }
    while (this.#i < this.#s.length && isPart(this.#s.charCodeAt(this.#i))) this.#i++;
    return this.#s.slice(start, this.#i);
  }

  #string(): string {
    const s = this.#s;
    const quote = s.charCodeAt(this.#i);
    const start = ++this.#i;
    if (quote === 96) {
      const end = s.indexOf("`", start);
      if (end < 0) this.#fail("unterminated raw string", start - 1);
      this.#i = end + 1;
      return this.#wellFormed(s.slice(start, end), start);
    }
    // Fast path: no escapes.
    for (let j = start; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === quote) {
        this.#i = j + 1;
        return this.#wellFormed(s.slice(start, j), start);
      }
      if (c === 92 || c === 10) break;
    }
    return this.#wellFormed(this.#escapedString(quote, start - 1), start);
  }

  /**
   * Refuses a string holding a lone surrogate, as Prometheus's lexer refuses bytes that are not
   * UTF-8 ("invalid UTF-8 rune"): one only comes from such bytes (an encoded surrogate, which
   * protobuf's reader lets through), escapes cannot make one, and no parser could read it back
   * from the label string sent to Loki (`\ud800` is not a code point).
   */
  #wellFormed(value: string, start: number): string {
    if (value.isWellFormed()) return value;
    const s = this.#s;
    for (let j = start; j < this.#i; j++) {
      const c = s.charCodeAt(j);
      if (c >= 0xd800 && c < 0xdc00 && j + 1 < this.#i) {
        const next = s.charCodeAt(j + 1);
        if (next >= 0xdc00 && next < 0xe000) {
          j++;
          continue;
        }
      }
      if (c >= 0xd800 && c < 0xe000) this.#fail("invalid UTF-8 rune", j);
    }
    return value;
  }

  #escapedString(quote: number, quotePos: number): string {
    const s = this.#s;
    let out = "";
    let runStart = this.#i;
    while (this.#i < s.length) {
      const c = s.charCodeAt(this.#i);
      if (c === quote) {
        out += s.slice(runStart, this.#i++);
        return out;
      }
      if (c === 10) this.#fail("unterminated quoted string", quotePos);
      if (c === 92) {
        out += s.slice(runStart, this.#i);
        out += this.#escape(quote, this.#i);
        runStart = this.#i;
      } else this.#i++;
    }
    return this.#fail("unterminated quoted string", quotePos);
  }

  #escape(quote: number, at: number): string {
    const s = this.#s;
    this.#i++; // backslash
    if (this.#i >= s.length) this.#fail("escape sequence not terminated", at);
    const c = s[this.#i++];
    switch (c) {
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "v":
        return "\v";
      case "\\":
        return "\\";
      case "x":
        return this.#hexEscape(2, at);
      case "u":
        return this.#hexEscape(4, at);
      case "U":
        return this.#hexEscape(8, at);
    }
    if (c.charCodeAt(0) === quote) return c;
    if (c >= "0" && c <= "7") {
      const digits = s.slice(this.#i - 1, this.#i + 2);
      if (!/^[0-7]{3}$/.test(digits)) this.#fail("escape sequence not terminated", at);
      const code = parseInt(digits, 8);
      if (code > 255) this.#fail(`octal escape value ${code} > 255`, at);
      this.#i += 2;
      return String.fromCharCode(code);
    }
    const cp = c.codePointAt(0)!;
    return this.#fail(`unknown escape sequence U+${hex4(cp)} '${c}'`, at);
  }

  #hexEscape(n: number, at: number): string {
    const digits = this.#s.slice(this.#i, this.#i + n);
    if (!HEX[n].test(digits)) this.#fail("escape sequence not terminated", at);
    this.#i += n;
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
      this.#fail("invalid Unicode code point", at);
    }
    return String.fromCodePoint(cp);
  }
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, "0");
}

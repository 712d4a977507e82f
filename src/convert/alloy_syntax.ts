/**
 * A tokenizer and parser for Alloy's configuration syntax (formerly "River"), written from the
 * rules of Alloy's own scanner and parser (`syntax/scanner`, `syntax/parser`):
 *
 * - A statement is an attribute (`name = expression`) or a block (`a.b.c "label" { body }`);
 *   a label is a double-quoted valid identifier. Statements end at a newline.
 * - A newline ends a statement only after an identifier, a literal, `)`, `]` or `}` (Go's rule);
 *   anywhere else it is ignored. So a multi-line list or object needs a `,` after every element,
 *   and a block's `{` must be on the line of its name.
 * - Values: strings with Go's escapes (`\n`, `\"`, `\\`, `\x41`, `\101`, `\u00e9`,
 *   `\U0001F600`; `\'` is refused, as Alloy's scanner does), raw backtick strings (multi-line,
 *   no escapes, carriage returns removed), numbers (a leading `0` means octal, as Go's
 *   `ParseInt(s, 0, 64)` reads it), `true`, `false`, `null`, arrays `[a, b,]`, objects
 *   `{ key = v, "quoted key" = v, }` (keys take `=`, never `:`), references (`a.b.c`), calls
 *   (`sys.env("X")`), indexing, unary `!` `-` and the binary operators with Alloy's precedence.
 * - `//` and `/* *\/` comments.
 *
 * Every node carries its 1-based line and column (columns count characters). A syntax error is
 * returned as a value naming its `line:col` and the offending token; nothing throws.
 *
 * @module
 */

/** A position in the source: 1-based line and column (in characters). */
export interface AlloyPos {
  line: number;
  col: number;
}

/** The kinds of token the tokenizer produces. */
export type AlloyTokenKind =
  | "ident"
  | "number"
  | "float"
  | "string"
  | "bool"
  | "null"
  | "punct"
  | "terminator"
  | "eof";

/** One token. */
export interface AlloyToken extends AlloyPos {
  kind: AlloyTokenKind;
  /** The source text: a string keeps its quotes, a terminator is `"\n"`, EOF is `""`. */
  text: string;
  /** The decoded value of a string token. */
  value?: string;
}

/** A syntax error: where, and what (the message starts with `line:col: `). */
export interface AlloySyntaxError extends AlloyPos {
  message: string;
}

/** A binary operator, loosest binding first: `||`, `&&`, comparisons, `+ -`, `* / %`, `^`. */
export type AlloyBinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "^";

/** One `key = value` of an object. */
export interface AlloyField extends AlloyPos {
  /** The key; a quoted key is the text between its quotes, as Alloy takes it (not unescaped). */
  key: string;
  quoted: boolean;
  value: AlloyExpr;
}

/** An expression. */
export type AlloyExpr =
  | AlloyPos & { kind: "string"; value: string; raw: boolean }
  | AlloyPos & { kind: "number"; value: number; text: string }
  | AlloyPos & { kind: "bool"; value: boolean }
  | AlloyPos & { kind: "null" }
  | AlloyPos & { kind: "array"; elements: AlloyExpr[] }
  | AlloyPos & { kind: "object"; fields: AlloyField[] }
  /** An identifier or a dotted chain of them: `loki.write.default.receiver`. */
  | AlloyPos & { kind: "ref"; path: string[] }
  /** `.name` on something that is not a plain reference, e.g. `f(x).name`. */
  | AlloyPos & { kind: "access"; object: AlloyExpr; name: string }
  | AlloyPos & { kind: "index"; object: AlloyExpr; index: AlloyExpr }
  /** A call; `name` is the dotted callee (`"sys.env"`) or `null` when the callee is not a name. */
  | AlloyPos & { kind: "call"; name: string | null; callee: AlloyExpr; args: AlloyExpr[] }
  | AlloyPos & { kind: "unary"; op: "!" | "-"; operand: AlloyExpr }
  | AlloyPos & { kind: "binary"; op: AlloyBinaryOp; left: AlloyExpr; right: AlloyExpr };

/** `name = value`. */
export interface AlloyAttribute extends AlloyPos {
  kind: "attribute";
  name: string;
  value: AlloyExpr;
}

/** `a.b.c "label" { ... }`; `label` is `null` when the block has none. */
export interface AlloyBlock extends AlloyPos {
  kind: "block";
  /** The dotted name, e.g. `"loki.write"`. */
  name: string;
  label: string | null;
  body: AlloyStatement[];
}

/** A statement of a body. */
export type AlloyStatement = AlloyAttribute | AlloyBlock;

/** What {@link parseAlloy} returns. */
export type ParseAlloyResult =
  | { ok: true; body: AlloyStatement[] }
  | { ok: false; error: AlloySyntaxError };

/** What {@link tokenizeAlloy} returns. */
export type TokenizeAlloyResult =
  | { ok: true; tokens: AlloyToken[] }
  | { ok: false; error: AlloySyntaxError };

const PUNCT2 = ["||", "&&", "==", "!=", "<=", ">="];
const PUNCT1 = "!=<>+-*/%^{}()[],.";
const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
  '"': 34,
};
const MAX_DEPTH = 200;

class SyntaxFailure {
  constructor(readonly error: AlloySyntaxError) {}
}

function fail(pos: AlloyPos, message: string): never {
  throw new SyntaxFailure({
    line: pos.line,
    col: pos.col,
    message: `${pos.line}:${pos.col}: ${message}`,
  });
}

function isLetter(ch: string): boolean {
  return /^[A-Za-z_]$/.test(ch) || (ch.codePointAt(0)! >= 0x80 && /^\p{L}$/u.test(ch));
}

function isIdentChar(ch: string): boolean {
  return isLetter(ch) || /^[0-9]$/.test(ch) || (ch.codePointAt(0)! >= 0x80 && /^\p{Nd}$/u.test(ch));
}

function isDecimal(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

/**
 * Whether `text` is a valid Alloy identifier (what a block label must be).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAlloyIdentifier } from "./alloy_syntax.ts";
 *
 * assert.equal(isAlloyIdentifier("default"), true);
 * assert.equal(isAlloyIdentifier("métrica_1"), true);
 * assert.equal(isAlloyIdentifier("1st"), false);
 * assert.equal(isAlloyIdentifier("true"), false);
 * assert.equal(isAlloyIdentifier("with space"), false);
 * ```
 */
export function isAlloyIdentifier(text: string): boolean {
  const chars = [...text];
  if (chars.length === 0 || !isLetter(chars[0])) return false;
  if (!chars.every(isIdentChar)) return false;
  return text !== "true" && text !== "false" && text !== "null";
}

/** Reads the source one character (code point) at a time, tracking line and column. */
class Cursor {
  readonly #chars: string[];
  #i = 0;
  line = 1;
  col = 1;

  constructor(text: string) {
    this.#chars = [...text];
    if (this.#chars[0] === "\uFEFF") this.#chars.shift();
  }

  peek(ahead = 0): string | undefined {
    return this.#chars[this.#i + ahead];
  }

  next(): string | undefined {
    const ch = this.#chars[this.#i++];
    if (ch === "\n") {
      this.line++;
      this.col = 1;
    } else if (ch !== undefined) {
      this.col++;
    }
    return ch;
  }

  pos(): AlloyPos {
    return { line: this.line, col: this.col };
  }
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  return cp < 0x20 || cp === 0x7f ? `U+${hex}` : `U+${hex} '${ch}'`;
}

function encodeUtf8(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else {
    out.push(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 63),
      0x80 | ((cp >> 6) & 63),
      0x80 | (cp & 63),
    );
  }
}

function scanQuoted(c: Cursor, start: AlloyPos): { text: string; value: string } {
  let text = '"';
  const bytes: number[] = [];
  for (;;) {
    const ch = c.peek();
    if (ch === undefined || ch === "\n") fail(start, "string literal not terminated");
    c.next();
    text += ch;
    if (ch === '"') break;
    if (ch !== "\\") {
      encodeUtf8(ch.codePointAt(0)!, bytes);
      continue;
    }
    const escPos = { line: c.line, col: c.col - 1 };
    const e = c.peek();
    if (e === undefined || e === "\n") fail(escPos, "escape sequence not terminated");
    if (e in SIMPLE_ESCAPES) {
      c.next();
      text += e;
      bytes.push(SIMPLE_ESCAPES[e]);
      continue;
    }
    let digits: number;
    let base: number;
    let max: number;
    if (e >= "0" && e <= "7") [digits, base, max] = [3, 8, 255];
    else if (e === "x") [digits, base, max] = [2, 16, 255];
    else if (e === "u") [digits, base, max] = [4, 16, 0x10ffff];
    else if (e === "U") [digits, base, max] = [8, 16, 0x10ffff];
    else fail(escPos, `unknown escape sequence "\\${e}" in string`);
    if (e === "x" || e === "u" || e === "U") {
      c.next();
      text += e;
    }
    let value = 0;
    for (let k = 0; k < digits; k++) {
      const d = c.peek();
      const v = d === undefined ? NaN : parseInt(d, base);
      if (Number.isNaN(v)) {
        fail(
          escPos,
          d === undefined || d === "\n" || d === '"'
            ? "escape sequence not terminated"
            : `illegal character ${describeChar(d)} in escape sequence`,
        );
      }
      c.next();
      text += d;
      value = value * base + v;
    }
    if (value > max || (value >= 0xd800 && value < 0xe000 && max > 255)) {
      fail(escPos, "escape sequence is an invalid Unicode code point");
    }
    if (max === 255) bytes.push(value);
    else encodeUtf8(value, bytes);
  }
  try {
    return { text, value: new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes)) };
  } catch {
    return fail(start, `string ${text} is not valid UTF-8 once its escapes are applied`);
  }
}

function scanRaw(c: Cursor, start: AlloyPos): { text: string; value: string } {
  let text = "`";
  for (;;) {
    const ch = c.next();
    if (ch === undefined) fail(start, "raw string literal not terminated");
    text += ch;
    if (ch === "`") break;
  }
  // As Go's strconv.Unquote does for raw strings, carriage returns are dropped.
  return { text, value: text.slice(1, -1).replaceAll("\r", "") };
}

function scanNumber(c: Cursor, start: AlloyPos): { kind: "number" | "float"; text: string } {
  let text = "";
  let kind: "number" | "float" = "number";
  const digits = () => {
    let n = 0;
    while (isDecimal(c.peek())) {
      text += c.next();
      n++;
    }
    return n;
  };
  if (c.peek() !== ".") digits();
  if (c.peek() === ".") {
    kind = "float";
    text += c.next();
    digits();
  }
  if (c.peek() === "e" || c.peek() === "E") {
    kind = "float";
    text += c.next();
    if (c.peek() === "+" || c.peek() === "-") text += c.next();
    if (digits() === 0) fail(start, `exponent of number "${text}" has no digits`);
  }
  return { kind, text };
}

/**
 * Splits Alloy source into tokens, inserting a `terminator` token where a newline (or the end
 * of the file, or a comment running to the end of the line) ends a statement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenizeAlloy } from "./alloy_syntax.ts";
 *
 * const r = tokenizeAlloy('url = "a\\tb" // note\n');
 * assert.ok(r.ok);
 * assert.deepEqual(r.tokens.map((t) => t.kind), ["ident", "punct", "string", "terminator", "eof"]);
 * assert.equal(r.tokens[2].value, "a\tb");
 *
 * const bad = tokenizeAlloy("x = 'single'");
 * assert.equal(!bad.ok && bad.error.message, "1:5: single-quoted strings are not allowed; use double quotes");
 * ```
 */
export function tokenizeAlloy(text: string): TokenizeAlloyResult {
  try {
    return { ok: true, tokens: tokenize(text) };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, error: err.error };
    throw err;
  }
}

function tokenize(text: string): AlloyToken[] {
  const c = new Cursor(text);
  const tokens: AlloyToken[] = [];
  let insertTerm = false;
  const push = (tok: AlloyToken, term: boolean) => {
    tokens.push(tok);
    insertTerm = term;
  };
  for (;;) {
    const ch = c.peek();
    const pos = c.pos();
    if (ch === undefined) {
      if (insertTerm) push({ kind: "terminator", text: "\n", ...pos }, false);
      tokens.push({ kind: "eof", text: "", ...pos });
      return tokens;
    }
    if (ch === " " || ch === "\t" || ch === "\r") {
      c.next();
      continue;
    }
    if (ch === "\n") {
      if (insertTerm) push({ kind: "terminator", text: "\n", ...pos }, false);
      c.next();
      continue;
    }
    if (ch === "/" && c.peek(1) === "/") {
      while (c.peek() !== undefined && c.peek() !== "\n") c.next();
      continue;
    }
    if (ch === "/" && c.peek(1) === "*") {
      c.next();
      c.next();
      let crossedLine = false;
      for (;;) {
        const k = c.next();
        if (k === undefined) fail(pos, "block comment not terminated");
        if (k === "\n") crossedLine = true;
        if (k === "*" && c.peek() === "/") {
          c.next();
          break;
        }
      }
      if (crossedLine && insertTerm) push({ kind: "terminator", text: "\n", ...pos }, false);
      continue;
    }
    if (ch === "\0") fail(pos, "illegal character NUL");
    if (ch === "\uFEFF") fail(pos, "illegal byte order mark");
    if (isLetter(ch)) {
      let word = "";
      while (c.peek() !== undefined && isIdentChar(c.peek()!)) word += c.next();
      const kind = word === "true" || word === "false"
        ? "bool"
        : word === "null"
        ? "null"
        : "ident";
      push({ kind, text: word, ...pos }, true);
      continue;
    }
    if (isDecimal(ch) || (ch === "." && isDecimal(c.peek(1)))) {
      const n = scanNumber(c, pos);
      push({ kind: n.kind, text: n.text, ...pos }, true);
      continue;
    }
    if (ch === '"') {
      c.next();
      const s = scanQuoted(c, pos);
      push({ kind: "string", text: s.text, value: s.value, ...pos }, true);
      continue;
    }
    if (ch === "`") {
      c.next();
      const s = scanRaw(c, pos);
      push({ kind: "string", text: s.text, value: s.value, ...pos }, true);
      continue;
    }
    if (ch === "'") fail(pos, "single-quoted strings are not allowed; use double quotes");
    const two = ch + (c.peek(1) ?? "");
    if (PUNCT2.includes(two)) {
      c.next();
      c.next();
      push({ kind: "punct", text: two, ...pos }, false);
      continue;
    }
    if (ch === "|" || ch === "&") fail(pos, `"${ch}" must be doubled ("${ch}${ch}")`);
    if (PUNCT1.includes(ch)) {
      c.next();
      push({ kind: "punct", text: ch, ...pos }, ch === ")" || ch === "]" || ch === "}");
      continue;
    }
    if (ch === ":") {
      fail(pos, 'illegal character ":" (Alloy objects write `key = value`, not `key: value`)');
    }
    fail(pos, `illegal character ${describeChar(ch)}`);
  }
}

/**
 * Describes a token for an error message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeToken } from "./alloy_syntax.ts";
 *
 * assert.equal(describeToken({ kind: "ident", text: "url", line: 1, col: 1 }), 'identifier "url"');
 * assert.equal(describeToken({ kind: "terminator", text: "\n", line: 1, col: 9 }), "end of line");
 * assert.equal(describeToken({ kind: "punct", text: "}", line: 2, col: 1 }), '"}"');
 * ```
 */
export function describeToken(tok: AlloyToken): string {
  switch (tok.kind) {
    case "ident":
      return `identifier "${tok.text}"`;
    case "string": {
      const shown = [...tok.text].length > 40
        ? [...tok.text].slice(0, 37).join("") + "..."
        : tok.text;
      return `string ${shown}`;
    }
    case "number":
    case "float":
      return `number ${tok.text}`;
    case "terminator":
      return "end of line";
    case "eof":
      return "end of file";
    default:
      return `"${tok.text}"`;
  }
}

const PRECEDENCE: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 3,
  "<=": 3,
  ">": 3,
  ">=": 3,
  "+": 4,
  "-": 4,
  "*": 5,
  "/": 5,
  "%": 5,
};

class Parser {
  readonly #tokens: AlloyToken[];
  #i = 0;
  #depth = 0;

  constructor(tokens: AlloyToken[]) {
    this.#tokens = tokens;
  }

  get tok(): AlloyToken {
    return this.#tokens[this.#i];
  }

  #advance(): AlloyToken {
    const t = this.#tokens[this.#i];
    if (t.kind !== "eof") this.#i++;
    return t;
  }

  #atEof(): boolean {
    return this.tok.kind === "eof";
  }

  /** Steps over a terminator, if the current token is one. */
  skipTerminator(): void {
    if (this.tok.kind === "terminator") this.#advance();
  }

  #is(text: string): boolean {
    return this.tok.kind === "punct" && this.tok.text === text;
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) fail(this.tok, `nesting deeper than ${MAX_DEPTH} levels`);
  }

  parseBody(closer: AlloyBlock | null): AlloyStatement[] {
    const body: AlloyStatement[] = [];
    for (;;) {
      if (closer !== null && this.#is("}")) return body;
      if (this.tok.kind === "eof") {
        if (closer === null) return body;
        fail(
          this.tok,
          `expected "}" to close the block "${closer.name}" opened at line ${closer.line}, got end of file`,
        );
      }
      const stmt = this.#statement();
      body.push(stmt);
      if (closer !== null && this.#is("}")) return body;
      if (closer === null && this.#atEof()) return body;
      if (this.tok.kind !== "terminator") {
        const what = stmt.kind === "attribute"
          ? `the attribute "${stmt.name}"`
          : `the block "${stmt.name}"`;
        fail(this.tok, `expected end of line after ${what}, got ${describeToken(this.tok)}`);
      }
      this.#advance();
    }
  }

  #statement(): AlloyStatement {
    const start = this.tok;
    if (start.kind !== "ident") {
      fail(start, `expected an attribute or block name, got ${describeToken(start)}`);
    }
    this.#advance();
    const parts = [start.text];
    while (this.#is(".")) {
      this.#advance();
      if (this.tok.kind !== "ident") {
        fail(this.tok, `expected an identifier after ".", got ${describeToken(this.tok)}`);
      }
      parts.push(this.#advance().text);
    }
    const name = parts.join(".");
    let label: string | null = null;
    if (this.tok.kind === "string") {
      const t = this.#advance();
      if (!t.text.startsWith('"')) {
        fail(t, `a block label must be a double-quoted string, got ${describeToken(t)}`);
      }
      label = t.text.slice(1, -1);
      if (label !== "" && !isAlloyIdentifier(label)) {
        fail(t, `block label ${t.text} is not a valid identifier`);
      }
    }
    if (this.#is("=")) {
      if (parts.length > 1) fail(start, `an attribute name cannot contain "." (got "${name}")`);
      if (label !== null) fail(start, `the attribute "${name}" cannot have a label`);
      this.#advance();
      return {
        kind: "attribute",
        name,
        value: this.expression(),
        line: start.line,
        col: start.col,
      };
    }
    if (this.#is("{")) {
      this.#advance();
      this.#enter();
      const block: AlloyBlock = { kind: "block", name, label, body: [], ...pos(start) };
      block.body = this.parseBody(block);
      this.#depth--;
      this.#advance(); // "}"
      return block;
    }
    const got = describeToken(this.tok);
    const hint = this.tok.kind === "terminator"
      ? ` (a block's "{" must be on the same line as its name)`
      : "";
    if (label !== null) {
      fail(this.tok, `expected "{" after the label of "${name}", got ${got}${hint}`);
    }
    if (parts.length > 1) {
      fail(this.tok, `expected a label or "{" after the block name "${name}", got ${got}${hint}`);
    }
    return fail(this.tok, `expected "=" or "{" after "${name}", got ${got}${hint}`);
  }

  expression(): AlloyExpr {
    this.#enter();
    const e = this.#binary(1);
    this.#depth--;
    return e;
  }

  #binary(minPrec: number): AlloyExpr {
    let left = this.#power();
    for (;;) {
      const t = this.tok;
      const prec = t.kind === "punct" ? PRECEDENCE[t.text] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.#advance();
      const right = this.#binary(prec + 1);
      left = { kind: "binary", op: t.text as AlloyBinaryOp, left, right, ...pos(left) };
    }
  }

  #power(): AlloyExpr {
    const left = this.#unary();
    if (!this.#is("^")) return left;
    this.#advance();
    this.#enter();
    const right = this.#power();
    this.#depth--;
    return { kind: "binary", op: "^", left, right, ...pos(left) };
  }

  #unary(): AlloyExpr {
    if (this.#is("!") || this.#is("-")) {
      const t = this.#advance();
      this.#enter();
      const operand = this.#unary();
      this.#depth--;
      return { kind: "unary", op: t.text as "!" | "-", operand, ...pos(t) };
    }
    let e = this.#primary();
    for (;;) {
      if (this.#is(".")) {
        this.#advance();
        if (this.tok.kind !== "ident") {
          fail(this.tok, `expected an identifier after ".", got ${describeToken(this.tok)}`);
        }
        const name = this.#advance().text;
        e = e.kind === "ref"
          ? { ...e, path: [...e.path, name] }
          : { kind: "access", object: e, name, ...pos(e) };
      } else if (this.#is("[")) {
        this.#advance();
        const index = this.expression();
        if (!this.#is("]")) fail(this.tok, `expected "]", got ${describeToken(this.tok)}`);
        this.#advance();
        e = { kind: "index", object: e, index, ...pos(e) };
      } else if (this.#is("(")) {
        this.#advance();
        const args = this.#list(")", "argument list");
        e = {
          kind: "call",
          name: e.kind === "ref" ? e.path.join(".") : null,
          callee: e,
          args,
          ...pos(e),
        };
      } else if (this.#is("{") || this.tok.kind === "string") {
        fail(this.tok, 'a block cannot be used as a value (to write a block, remove the "=")');
      } else {
        return e;
      }
    }
  }

  /** Comma-separated expressions up to `closer`; the opener is already consumed. */
  #list(closer: string, what: string): AlloyExpr[] {
    const items: AlloyExpr[] = [];
    while (!this.#is(closer)) {
      items.push(this.expression());
      if (this.#is(",")) {
        this.#advance();
        continue;
      }
      if (this.#is(closer)) break;
      this.#missingComma(closer, what);
    }
    this.#advance();
    return items;
  }

  #missingComma(closer: string, what: string): never {
    if (this.tok.kind === "terminator") {
      return fail(
        this.tok,
        `missing "," at the end of the line in ${what} (a multi-line ${what} needs a "," after every element)`,
      );
    }
    return fail(this.tok, `expected "," or "${closer}" in ${what}, got ${describeToken(this.tok)}`);
  }

  #primary(): AlloyExpr {
    const t = this.tok;
    switch (t.kind) {
      case "ident":
        this.#advance();
        return { kind: "ref", path: [t.text], ...pos(t) };
      case "string":
        this.#advance();
        return { kind: "string", value: t.value!, raw: t.text.startsWith("`"), ...pos(t) };
      case "number":
      case "float":
        this.#advance();
        return { kind: "number", value: numberValue(t), text: t.text, ...pos(t) };
      case "bool":
        this.#advance();
        return { kind: "bool", value: t.text === "true", ...pos(t) };
      case "null":
        this.#advance();
        return { kind: "null", ...pos(t) };
    }
    if (this.#is("(")) {
      this.#advance();
      const inner = this.expression();
      if (!this.#is(")")) fail(this.tok, `expected ")", got ${describeToken(this.tok)}`);
      this.#advance();
      return inner;
    }
    if (this.#is("[")) {
      this.#advance();
      return { kind: "array", elements: this.#list("]", "list"), ...pos(t) };
    }
    if (this.#is("{")) {
      this.#advance();
      return { kind: "object", fields: this.#fields(), ...pos(t) };
    }
    return fail(t, `expected a value, got ${describeToken(t)}`);
  }

  #fields(): AlloyField[] {
    const fields: AlloyField[] = [];
    while (!this.#is("}")) {
      const k = this.tok;
      if (k.kind !== "ident" && k.kind !== "string") {
        fail(k, `expected an object key (identifier or string), got ${describeToken(k)}`);
      }
      this.#advance();
      const quoted = k.kind === "string";
      const key = quoted ? k.text.slice(1, -1) : k.text;
      if (!this.#is("=")) {
        fail(
          this.tok,
          `expected "=" after the object key "${key}", got ${describeToken(this.tok)}`,
        );
      }
      this.#advance();
      fields.push({ key, quoted, value: this.expression(), ...pos(k) });
      if (this.#is(",")) {
        this.#advance();
        continue;
      }
      if (this.#is("}")) break;
      this.#missingComma("}", "object");
    }
    this.#advance();
    return fields;
  }
}

function pos(p: AlloyPos): AlloyPos {
  return { line: p.line, col: p.col };
}

function numberValue(t: AlloyToken): number {
  // Go's ParseInt(s, 0, 64): a leading 0 means octal ("0755" is 493); when that fails ("08"),
  // ParseFloat reads it as decimal.
  if (t.kind === "number" && /^0[0-7]+$/.test(t.text)) return parseInt(t.text, 8);
  return Number(t.text);
}

/**
 * Parses a whole Alloy file into its top-level statements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAlloy } from "./alloy_syntax.ts";
 *
 * const r = parseAlloy('loki.write "main" {\n  endpoint {\n    url = sys.env("LOKI_URL")\n  }\n}\n');
 * assert.ok(r.ok);
 * const write = r.body[0];
 * assert.equal(write.kind === "block" && write.name, "loki.write");
 * assert.equal(write.kind === "block" && write.label, "main");
 * const endpoint = write.kind === "block" ? write.body[0] : undefined;
 * const url = endpoint?.kind === "block" ? endpoint.body[0] : undefined;
 * assert.equal(url?.kind === "attribute" && url.value.kind === "call" && url.value.name, "sys.env");
 * assert.equal(url?.line, 3);
 *
 * const bad = parseAlloy('x = [\n  "a",\n  "b"\n]\n');
 * assert.equal(
 *   !bad.ok && bad.error.message,
 *   '3:6: missing "," at the end of the line in list (a multi-line list needs a "," after every element)',
 * );
 * ```
 */
export function parseAlloy(text: string): ParseAlloyResult {
  try {
    const parser = new Parser(tokenize(text));
    return { ok: true, body: parser.parseBody(null) };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, error: err.error };
    if (err instanceof RangeError) {
      return { ok: false, error: { line: 1, col: 1, message: `1:1: input too deeply nested` } };
    }
    throw err;
  }
}

/**
 * Parses a single expression (for tests and tools).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAlloyExpression } from "./alloy_syntax.ts";
 *
 * const r = parseAlloyExpression('"Bearer " + sys.env("TOKEN")');
 * assert.ok(r.ok && r.expr.kind === "binary" && r.expr.op === "+");
 * assert.deepEqual(parseAlloyExpression("0755"), {
 *   ok: true,
 *   expr: { kind: "number", value: 493, text: "0755", line: 1, col: 1 },
 * });
 * ```
 */
export function parseAlloyExpression(
  text: string,
): { ok: true; expr: AlloyExpr } | { ok: false; error: AlloySyntaxError } {
  try {
    const parser = new Parser(tokenize(text));
    const expr = parser.expression();
    parser.skipTerminator();
    const rest = parser.tok;
    if (rest.kind !== "eof") fail(rest, `unexpected ${describeToken(rest)} after the expression`);
    return { ok: true, expr };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, error: err.error };
    throw err;
  }
}

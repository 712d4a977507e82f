/**
 * A `Content-Type` value read as Go's `mime.ParseMediaType` reads it (Go 1.2x, what Alloy and Loki
 * are built with): Alloy answers 400 with its error text for any value it refuses, and picks the
 * JSON decoder by the media type it returns.
 *
 * KEEP IN SYNC WITH: golang/go src/mime/mediatype.go, src/mime/grammar.go.
 *
 * @module
 */
import { goLower } from "../rules/case_map.ts";

/**
 * A media type and its parameters (names lower-cased), or Go's error text. `params` has no
 * prototype: a parameter named `__proto__` is a parameter like any other.
 */
export type MediaTypeResult =
  | { ok: true; mediaType: string; params: Record<string, string> }
  | { ok: false; error: string };

/** Go's `mime.ErrInvalidMediaParameter`. */
export const INVALID_MEDIA_PARAMETER = "mime: invalid media parameter";

/**
 * Parses a media type and its parameters as Go's `mime.ParseMediaType` does: the type is trimmed
 * (Go's `unicode.IsSpace`) and lower-cased (Go's simple case mapping); parameter names are
 * lower-cased, values kept; quoted strings are unquoted (a backslash escapes only a tspecial);
 * RFC 2231 `name*=charset'lang'%xx` values and `name*0`, `name*1*` continuations are decoded
 * (charsets `us-ascii` and `utf-8` only; others are dropped, as Go drops them); one trailing `;`
 * is allowed; a parameter repeated with another value is an error, with the same value it is not.
 *
 * The input is text (as Go would see the header's bytes decoded as UTF-8); see `headerText` for
 * header values as `Headers.get` returns them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMediaType } from "./media_type.ts";
 *
 * const json = parseMediaType('Application/JSON; Charset="utf-8";');
 * assert.equal(json.ok && json.mediaType, "application/json");
 * assert.equal(json.ok && json.params.charset, "utf-8");
 *
 * assert.deepEqual(parseMediaType("application/json; charsetutf-8"), {
 *   ok: false,
 *   error: "mime: invalid media parameter",
 * });
 * assert.deepEqual(parseMediaType(""), { ok: false, error: "mime: no media type" });
 * ```
 */
export function parseMediaType(value: string): MediaTypeResult {
  const semicolon = value.indexOf(";");
  const base = semicolon < 0 ? value : value.slice(0, semicolon);
  const mediaType = trimSpace(goLower(base));
  const bad = checkMediaType(mediaType);
  if (bad !== undefined) return { ok: false, error: bad };

  const plain = new Map<string, string>();
  // Parameters whose name holds a '*', grouped by the name before the first '*'.
  const starred = new Map<string, Map<string, string>>();
  let rest = value.slice(base.length);
  while (rest.length > 0) {
    rest = trimLeftSpace(rest);
    if (rest === "") break;
    const param = consumeMediaParam(rest);
    if (param === undefined) {
      if (trimSpace(rest) === ";") break; // one trailing semicolon is allowed
      return { ok: false, error: INVALID_MEDIA_PARAMETER };
    }
    const [key, val, after] = param;
    let map = plain;
    const star = key.indexOf("*");
    if (star >= 0) {
      const name = key.slice(0, star);
      map = starred.get(name) ?? new Map();
      starred.set(name, map);
    }
    const seen = map.get(key);
    if (seen !== undefined && seen !== val) {
      return { ok: false, error: "mime: duplicate parameter name" };
    }
    map.set(key, val);
    rest = after;
  }

  for (const [name, pieces] of starred) {
    const joined = joinContinuations(name, pieces);
    if (joined !== undefined) plain.set(name, joined);
  }
  const params: Record<string, string> = Object.create(null);
  for (const [k, v] of plain) params[k] = v;
  return { ok: true, mediaType, params };
}

/**
 * RFC 2231: `name*` (one encoded value) wins; else `name*0`, `name*1`, … (or `name*N*`,
 * percent-encoded, only `name*0*` naming the charset) joined up to the first missing number.
 */
function joinContinuations(name: string, pieces: Map<string, string>): string | undefined {
  const single = pieces.get(`${name}*`);
  if (single !== undefined) return decode2231(single);
  let joined = "";
  let found = false;
  for (let n = 0;; n++) {
    const simple = pieces.get(`${name}*${n}`);
    if (simple !== undefined) {
      found = true;
      joined += simple;
      continue;
    }
    const encoded = pieces.get(`${name}*${n}*`);
    if (encoded === undefined) break;
    found = true;
    joined += (n === 0 ? decode2231(encoded) : percentUnescape(encoded)) ?? "";
  }
  return found ? joined : undefined;
}

function checkMediaType(s: string): string | undefined {
  const [type, rest] = consumeToken(s);
  if (type === "") return "mime: no media type";
  if (rest === "") return undefined; // one token ("attachment") is a media type for Go
  if (rest[0] !== "/") return "mime: expected slash after first token";
  const [subtype, after] = consumeToken(rest.slice(1));
  if (subtype === "") return "mime: expected token after slash";
  if (after !== "") return "mime: unexpected content after media subtype";
  return undefined;
}

const TSPECIALS = '()<>@,;:\\"/[]?=';

/** RFC 2045 tspecials. */
function isTSpecial(c: number): boolean {
  return c < 0x80 && TSPECIALS.includes(String.fromCharCode(c));
}

/** RFC 2045 token character: US-ASCII, not a space, a control or a tspecial. */
function isTokenChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && !isTSpecial(c);
}

function consumeToken(v: string): [string, string] {
  let i = 0;
  while (i < v.length && isTokenChar(v.charCodeAt(i))) i++;
  return [v.slice(0, i), v.slice(i)];
}

/** A token or a quoted string (unquoted); `["", v]` when there is neither. */
function consumeValue(v: string): [string, string] {
  if (v === "") return ["", ""];
  if (v[0] !== '"') return consumeToken(v);
  let out = "";
  for (let i = 1; i < v.length; i++) {
    const c = v[i];
    if (c === '"') return [out, v.slice(i + 1)];
    // A backslash escapes only a tspecial; before anything else it is a literal backslash
    // (Go keeps it, for MSIE's unescaped "C:\dir\file").
    if (c === "\\" && i + 1 < v.length && isTSpecial(v.charCodeAt(i + 1))) {
      out += v[++i];
      continue;
    }
    if (c === "\r" || c === "\n") return ["", v];
    out += c;
  }
  return ["", v]; // no closing quote
}

/** `; name = value` at the start of `v` (name lower-cased, rest after it), or `undefined`. */
function consumeMediaParam(v: string): [string, string, string] | undefined {
  let rest = trimLeftSpace(v);
  if (rest[0] !== ";") return undefined;
  rest = trimLeftSpace(rest.slice(1));
  let name: string;
  [name, rest] = consumeToken(rest);
  name = name.toLowerCase(); // a token is ASCII
  if (name === "") return undefined;
  rest = trimLeftSpace(rest);
  if (rest[0] !== "=") return undefined;
  rest = trimLeftSpace(rest.slice(1));
  const [value, after] = consumeValue(rest);
  if (value === "" && after === rest) return undefined; // `""` is a value, nothing is not
  return [name, value, after];
}

/** `charset'language'percent-encoded` with charset us-ascii or utf-8; otherwise `undefined`. */
function decode2231(v: string): string | undefined {
  const first = v.indexOf("'");
  if (first < 0) return undefined;
  const second = v.indexOf("'", first + 1);
  if (second < 0) return undefined;
  const charset = goLower(v.slice(0, first));
  if (charset !== "us-ascii" && charset !== "utf-8") return undefined;
  return percentUnescape(v.slice(second + 1));
}

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/** `%XX` decoded to bytes, read as UTF-8; `undefined` when a `%` lacks two hex digits. */
function percentUnescape(s: string): string | undefined {
  if (!s.includes("%")) return s;
  for (let i = s.indexOf("%"); i >= 0; i = s.indexOf("%", i + 3)) {
    if (!HEX_PAIR.test(s.slice(i + 1, i + 3))) return undefined;
  }
  const text = new TextEncoder().encode(s);
  const bytes = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === 0x25) {
      bytes[n++] = parseInt(String.fromCharCode(text[i + 1], text[i + 2]), 16);
      i += 2;
    } else bytes[n++] = text[i];
  }
  return new TextDecoder().decode(bytes.subarray(0, n));
}

/** Go's `unicode.IsSpace`. */
function isSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f ||
    c === 0x205f || c === 0x3000;
}

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return s.slice(i);
}

/** Go's `strings.TrimSpace` (JavaScript's `trim()` also strips U+FEFF and keeps U+0085). */
function trimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s.charCodeAt(end - 1))) end--;
  return trimLeftSpace(s.slice(0, end));
}

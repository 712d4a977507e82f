// Request headers a client may send, well or badly: Content-Type and Content-Encoding variants,
// X-Scope-OrgID junk, and Authorization values (valid Basic and Bearer ones with the result they
// must parse to, and junk: unknown schemes, bad base64, non-UTF-8, no colon, huge values).
import type { Prng } from "./prng.ts";
import type { Authorization } from "../../src/auth/authorization.ts";
import { randomText } from "./label_mutators.ts";

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "Application/JSON",
  " application/json ",
  "application/json;",
  "application/json ; x=y",
  "application/x-protobuf",
  "application/octet-stream",
  "text/plain",
  "",
  "json",
  "application/json/x",
  "a/b c",
  "multipart/form-data; boundary=x",
  ";",
  "application/\u00e9",
];
const ENCODINGS = ["gzip", "deflate", "snappy", "identity", "", "GZIP", "gzip, deflate", "br", "x"];
const TENANTS = [
  "team-a",
  "a:sub",
  "a|a",
  "a:x|a:y",
  "a|b",
  ".",
  "..",
  "t".repeat(150),
  "t".repeat(151),
  "a b",
  "a/b",
  "ä",
  "|",
  ":",
  "*",
  "",
];

/** Makes any text a legal header value: Latin-1 only, no NUL, CR or LF. */
export function headerValue(text: string): string {
  // One replace, not a character-by-character concatenation: values reach a megabyte, and the
  // harness must not hold the event loop (the engine would blame the relay for it).
  // deno-lint-ignore no-control-regex
  return text.replace(/[^\x01-\x09\x0b\x0c\x0e-\xff]/g, (ch) => {
    const c = ch.charCodeAt(0) & 0xff;
    return c === 0 || c === 10 || c === 13 ? " " : String.fromCharCode(c);
  });
}

/** A Content-Type: absent (`undefined`), one of the known variants, or junk. */
export function contentType(rnd: Prng, wanted: string | undefined): string | undefined {
  if (rnd.chance(0.85)) return wanted;
  if (rnd.chance(0.2)) return undefined;
  return rnd.chance(0.8) ? rnd.pick(CONTENT_TYPES) : headerValue(randomText(rnd));
}

/** A Content-Encoding: usually the one the body has, else a variant or junk. */
export function contentEncoding(rnd: Prng, actual: string | undefined): string | undefined {
  if (rnd.chance(0.9)) return actual;
  if (rnd.chance(0.2)) return undefined;
  return rnd.chance(0.8) ? rnd.pick(ENCODINGS) : headerValue(randomText(rnd));
}

/** An X-Scope-OrgID, or none. */
export function tenant(rnd: Prng): string | undefined {
  if (rnd.chance(0.6)) return undefined;
  return rnd.chance(0.8) ? rnd.pick(TENANTS) : headerValue(randomText(rnd));
}

const SCHEMES = ["Basic", "basic", "BASIC", "bAsIc", "Bearer", "bearer", "BEARER"];
const TOKEN68 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const JUNK_SCHEMES = [
  "Digest",
  "Negotiate",
  "AWS4-HMAC-SHA256",
  "Basic:",
  "Bearer=",
  "Bas ic",
  "é",
];
const utf8 = new TextEncoder();
const ascii = new TextDecoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function spaces(rnd: Prng): string {
  return rnd.pick([" ", " ", " ", "  ", "\t", " \t "]);
}

function token(rnd: Prng, alphabet: string, n: number): string {
  // From random bytes through a table: tokens reach a megabyte (see headerValue).
  const codes = utf8.encode(alphabet); // ASCII alphabets only
  const bytes = rnd.bytes(n);
  for (let i = 0; i < n; i++) bytes[i] = codes[bytes[i] % codes.length];
  return ascii.decode(bytes);
}

/** An Authorization value, with the parse it must give when it is a valid one. */
export interface AuthCase {
  header: string | null;
  expect?: Authorization;
}

/** A valid Basic header of random UTF-8 credentials, and what it must parse to. */
function validBasic(rnd: Prng): AuthCase {
  // What the user and password are once UTF-8 encoded and decoded (lone surrogates → U+FFFD).
  const user = strictUtf8.decode(utf8.encode(randomText(rnd))).replaceAll(":", "");
  const password = strictUtf8.decode(utf8.encode(randomText(rnd)));
  const scheme = rnd.pick(SCHEMES.slice(0, 4));
  const header = scheme + spaces(rnd) + base64(utf8.encode(`${user}:${password}`));
  return { header, expect: { scheme: "basic", username: user, password } };
}

function validBearer(rnd: Prng): AuthCase {
  const t = token(rnd, TOKEN68, 1 + rnd.size(200)) + "=".repeat(rnd.int(3));
  const header = rnd.pick(SCHEMES.slice(4)) + spaces(rnd) + t;
  return { header, expect: { scheme: "bearer", token: t } };
}

/** Junk with no expected parse: only its shape is checked. */
function junk(rnd: Prng): AuthCase {
  const scheme = rnd.chance(0.7) ? rnd.pick(SCHEMES) : rnd.pick(JUNK_SCHEMES);
  switch (rnd.int(12)) {
    case 0: // bad base64 characters
      return { header: `${scheme} ${token(rnd, "!@#$%^&*()=", 1 + rnd.size(20))}` };
    case 1: // wrong length or padding
      return {
        header: `${scheme} ${token(rnd, BASE64, rnd.range(1, 9))}${"=".repeat(rnd.int(4))}`,
      };
    case 2: // base64 of bytes that are not UTF-8
      return { header: `${scheme} ${base64(rnd.bytes(1 + rnd.size(32)))}` };
    case 3: // no colon
      return { header: `${scheme} ${base64(utf8.encode("nocolon" + rnd.int(100)))}` };
    case 4: // a scheme alone
      return { header: scheme + (rnd.chance(0.5) ? spaces(rnd) : "") };
    case 5: // huge
      return { header: `${scheme} ${token(rnd, TOKEN68, rnd.range(10_000, 1_000_000))}` };
    case 6: // several tokens
      return { header: `${scheme} abc def` };
    case 7: // padding in the middle
      return { header: `${scheme} ab==cd==` };
    case 8: // random text, lone surrogates included
      return { header: randomText(rnd) };
    case 9: // Latin-1 bytes, as a server may pass non-UTF-8 header bytes
      return { header: headerValue(`${scheme} ${randomText(rnd)}`) };
    case 10:
      return { header: rnd.pick([null, "", " ", "\t", "Basic  ", "Bearer =", "= Basic"]) };
    default: // a valid header with a byte changed
    {
      const good = rnd.chance(0.5) ? validBasic(rnd) : validBearer(rnd);
      const h = good.header!;
      const at = rnd.int(h.length + 1);
      return { header: h.slice(0, at) + String.fromCharCode(rnd.int(256)) + h.slice(at + 1) };
    }
  }
}

/** An Authorization value: valid Basic, valid Bearer (with their parse), or junk. */
export function authorization(rnd: Prng): AuthCase {
  const r = rnd.float();
  if (r < 0.3) return validBasic(rnd);
  if (r < 0.5) return validBearer(rnd);
  return junk(rnd);
}

/**
 * The `Authorization` header of a push, read as RFC 7235 and RFC 7617 read it: a scheme
 * (case-insensitive), then a Basic token (`base64(user:password)`, UTF-8) or a Bearer token
 * (RFC 6750 `b64token`). Anything else is a value saying why, never a throw.
 *
 * @module
 */

/** A parsed `Authorization` header. */
export type Authorization =
  | { scheme: "basic"; username: string; password: string }
  | { scheme: "bearer"; token: string }
  | { scheme: "none" }
  | { scheme: "invalid"; error: string };

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// ignoreBOM: a leading U+FEFF is part of the user name, not a byte order mark to drop (dropping it
// would read "\uFEFFann:x" as ann's credentials).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads an `Authorization` header value (`null` when absent).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAuthorization } from "./authorization.ts";
 *
 * assert.deepEqual(parseAuthorization("Basic " + btoa("ann:s3cret:x")), {
 *   scheme: "basic", username: "ann", password: "s3cret:x",
 * });
 * assert.deepEqual(parseAuthorization("bearer abc.DEF-1"), { scheme: "bearer", token: "abc.DEF-1" });
 * assert.deepEqual(parseAuthorization(null), { scheme: "none" });
 * assert.equal(parseAuthorization("Basic !!!").scheme, "invalid");
 * ```
 */
export function parseAuthorization(header: string | null): Authorization {
  if (header === null) return { scheme: "none" };
  const value = header.trim();
  if (value === "") return { scheme: "none" };
  const space = value.search(/[ \t]/);
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? "" : value.slice(space).trim();
  if (scheme === "bearer") {
    if (!TOKEN68.test(credentials)) return invalid("a Bearer token must be one token68 value");
    return { scheme: "bearer", token: credentials };
  }
  if (scheme === "basic") {
    if (credentials === "" || !BASE64.test(credentials) || credentials.length % 4 === 1) {
      return invalid("Basic credentials must be base64");
    }
    let text: string;
    try {
      const binary = atob(credentials);
      text = utf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    } catch {
      return invalid("Basic credentials must be base64 of UTF-8 user:password");
    }
    const colon = text.indexOf(":");
    if (colon < 0) return invalid("Basic credentials must be user:password");
    return { scheme: "basic", username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return invalid(`unsupported authorization scheme ${JSON.stringify(scheme.slice(0, 20))}`);
}

function invalid(error: string): Authorization {
  return { scheme: "invalid", error };
}

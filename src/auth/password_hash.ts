/**
 * Passwords stored as slow hashes: scrypt (memory-hard; in `node:crypto` on Deno and Bun, so no
 * dependency), in the PHC string form `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64, no padding).
 * Verification runs off the event loop (libuv's thread pool) and compares in constant time.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** The cost parameters of a hash: N = 2^ln, block size r, parallelism p. */
export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/** A parsed hash, or why it is not one. */
export type ParsedHash =
  | { ok: true; params: ScryptParams; salt: Uint8Array; hash: Uint8Array }
  | { ok: false; error: string };

const FORM = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Memory one check may take at most (scrypt's 128·N·r bytes): checks run one at a time, outside
 * the JS heap, and this is part of the relay's memory bound.
 */
export const MAX_SCRYPT_MEMORY = 64 * 2 ** 20;

/**
 * The bytes one scrypt check takes: 128 · 2^ln · r.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scryptMemory } from "./password_hash.ts";
 *
 * assert.equal(scryptMemory({ ln: 15, r: 8, p: 1 }), 32 * 2 ** 20);
 * ```
 */
export function scryptMemory(params: ScryptParams): number {
  return 128 * 2 ** params.ln * params.r;
}

/**
 * Reads a `$scrypt$…` hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePasswordHash } from "./password_hash.ts";
 *
 * const ok = parsePasswordHash("$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g");
 * assert.ok(ok.ok && ok.params.ln === 15);
 * assert.equal(parsePasswordHash("hunter2").ok, false);
 * assert.match(
 *   (parsePasswordHash("$scrypt$ln=18,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2g") as { error: string }).error,
 *   /needs 256 MiB/,
 * );
 * ```
 */
export function parsePasswordHash(text: string): ParsedHash {
  const m = FORM.exec(text.trim());
  if (!m) return { ok: false, error: 'not a "$scrypt$ln=…,r=…,p=…$salt$hash" password hash' };
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (
    params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1 ||
    params.p > 16
  ) {
    return { ok: false, error: "scrypt parameters out of range (ln 10–20, r 1–32, p 1–16)" };
  }
  const memory = scryptMemory(params);
  if (memory > MAX_SCRYPT_MEMORY) {
    return {
      ok: false,
      error: `scrypt ln=${params.ln},r=${params.r} needs ${memory / 2 ** 20} MiB per check ` +
        `(at most ${MAX_SCRYPT_MEMORY / 2 ** 20})`,
    };
  }
  const salt = fromBase64(m[4]);
  const hash = fromBase64(m[5]);
  if (salt.length < 8 || hash.length < 16) return { ok: false, error: "salt or hash too short" };
  return { ok: true, params, salt, hash };
}

/**
 * Hashes a password (for `lokirelay hash-password`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPassword, verifyPassword } from "./password_hash.ts";
 *
 * const hash = await hashPassword("s3cret", { ln: 10, r: 8, p: 1 });
 * assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$/);
 * assert.equal(await verifyPassword("s3cret", hash), true);
 * assert.equal(await verifyPassword("S3cret", hash), false);
 * ```
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = { ln: 15, r: 8, p: 1 },
): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, params, 32);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * Whether `password` matches `hash` (false for a hash that does not parse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyPassword } from "./password_hash.ts";
 *
 * assert.equal(await verifyPassword("x", "not a hash"), false);
 * ```
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (!parsed.ok) return false;
  const derived = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(derived, parsed.hash);
}

function derive(
  password: string,
  salt: Uint8Array,
  params: ScryptParams,
  length: number,
): Promise<Uint8Array> {
  const N = 2 ** params.ln;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, {
      N,
      r: params.r,
      p: params.p,
      maxmem: 256 * N * params.r + 1024 * 1024,
    }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))))
  );
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
}

function fromBase64(text: string): Uint8Array {
  const padded = text + "=".repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array(0);
  }
}

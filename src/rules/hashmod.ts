/**
 * Prometheus's `hashmod`: the low 8 bytes of the MD5 of the value, read as a big-endian uint64,
 * modulo the modulus, in 64-bit arithmetic (doubles give wrong answers).
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Computes `hashmod` of a value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashmod } from "./hashmod.ts";
 *
 * assert.equal(hashmod("baz", 1000n), "976");
 * assert.equal(hashmod("foo\nbar", 1000n), "734");
 * ```
 */
export function hashmod(value: string, modulus: bigint): string {
  const digest = createHash("md5").update(value, "utf8").digest();
  let n = 0n;
  for (let i = 8; i < 16; i++) n = (n << 8n) | BigInt(digest[i]);
  return (n % modulus).toString();
}

/**
 * Go's TLS cipher-suite names, as Alloy's `tls` block takes them, and the OpenSSL names the
 * runtimes' TLS stacks use.
 *
 * @module
 */

/**
 * Go's TLS 1.0–1.2 cipher-suite names and their OpenSSL names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GO_CIPHER_SUITES } from "./cipher_suites.ts";
 *
 * assert.equal(GO_CIPHER_SUITES.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256");
 * ```
 */
export const GO_CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
};

/**
 * A `cipher_suites` value as a list of names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cipherList } from "./cipher_suites.ts";
 *
 * assert.deepEqual(cipherList("A, B"), ["A", "B"]);
 * assert.deepEqual(cipherList(undefined), []);
 * ```
 */
export function cipherList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? value.split(",") : value;
  return list.map((s) => s.trim()).filter((s) => s !== "");
}

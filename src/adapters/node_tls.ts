/**
 * Maps Alloy's `tls` block onto `node:tls` server options, and checks client certificates per
 * connection where the runtime's handshake cannot (see `clientCertError`).
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { ClientAuthType, ServerTlsSettings } from "../config/settings.ts";
import { GO_CIPHER_SUITES } from "../config/cipher_suites.ts";

const MIN_VERSION: Record<string, "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"> = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
};

/**
 * The `node:https` server options for a TLS block. Verification in the handshake is used where
 * the policy needs a verified certificate from everyone (RequireAndVerifyClientCert); the other
 * policies request a certificate and leave the decision to {@link clientCertError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeTlsOptions } from "./node_tls.ts";
 *
 * const opts = nodeTlsOptions({
 *   certPem: "C", keyPem: "K", clientCaPem: "CA",
 *   clientAuthType: "RequireAndVerifyClientCert", minVersion: "TLS12",
 *   cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
 * });
 * assert.deepEqual(opts, {
 *   cert: "C", key: "K", ca: "CA", requestCert: true, rejectUnauthorized: true,
 *   minVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
 * });
 * ```
 */
export function nodeTlsOptions(tls: ServerTlsSettings): Record<string, unknown> {
  const options: Record<string, unknown> = { cert: tls.certPem, key: tls.keyPem };
  if (tls.clientCaPem) options.ca = tls.clientCaPem;
  const policy = tls.clientAuthType;
  options.requestCert = policy !== "NoClientCert";
  options.rejectUnauthorized = policy === "RequireAndVerifyClientCert";
  if (tls.minVersion) options.minVersion = MIN_VERSION[tls.minVersion];
  if (tls.cipherSuites && tls.cipherSuites.length > 0) {
    options.ciphers = tls.cipherSuites.map((name) => GO_CIPHER_SUITES[name]).join(":");
  }
  return options;
}

/**
 * Why a connection's client certificate is refused under `policy`, or `undefined` to accept.
 * RequireAndVerifyClientCert was already enforced by the handshake. Under
 * VerifyClientCertIfGiven a presented certificate must be verified by the TLS stack, or be
 * issued directly by a certificate of `caPem` (Deno's `node:tls` reports `authorized: false`
 * unless it also enforces verification).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TLSSocket } from "node:tls";
import type { ClientAuthType, ServerTlsSettings } from "../config/settings.ts";
import { GO_CIPHER_SUITES } from "../config/cipher_suites.ts";
 * import { clientCertError } from "./node_tls.ts";
 *
 * const noCert = { getPeerCertificate: () => ({}), authorized: false } as unknown as TLSSocket;
 * assert.equal(clientCertError("RequestClientCert", noCert), undefined);
 * assert.equal(clientCertError("RequireAnyClientCert", noCert), "client certificate required");
 * ```
 */
export function clientCertError(
  policy: ClientAuthType,
  socket: TLSSocket,
  caPem?: string,
): string | undefined {
  if (policy === "NoClientCert" || policy === "RequestClientCert") return undefined;
  if (policy === "RequireAndVerifyClientCert") return undefined;
  const cert = socket.getPeerCertificate?.();
  const raw = cert && "raw" in cert ? cert.raw : undefined;
  const given = raw !== undefined && raw !== null && raw.length > 0;
  if (policy === "RequireAnyClientCert") return given ? undefined : "client certificate required";
  if (given && !socket.authorized && !issuedByCa(raw, caPem)) {
    return `client certificate not trusted: ${socket.authorizationError ?? "unknown reason"}`;
  }
  return undefined;
}

/**
 * Whether a DER certificate is currently valid and signed directly by a certificate of the PEM
 * bundle. Used where the runtime's TLS stack does not report verification without enforcing it.
 */
function issuedByCa(der: Uint8Array, caPem: string | undefined): boolean {
  if (!caPem) return false;
  try {
    const leaf = new X509Certificate(der);
    const now = Date.now();
    if (Date.parse(leaf.validFrom) > now || Date.parse(leaf.validTo) < now) return false;
    const pems = caPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    return pems.some((pem) => {
      const ca = new X509Certificate(pem);
      return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
    });
  } catch {
    return false;
  }
}

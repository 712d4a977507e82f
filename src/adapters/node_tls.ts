/**
 * Maps Alloy's `tls` block onto `node:tls` server options, and checks client certificates per
 * connection where the runtime's handshake cannot (see `clientCertError`).
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";

/** Alloy's client authentication policies (Go's `tls.ClientAuthType` names). */
export type ClientAuthType =
  | "NoClientCert"
  | "RequestClientCert"
  | "RequireAnyClientCert"
  | "VerifyClientCertIfGiven"
  | "RequireAndVerifyClientCert";

/** TLS settings with every file already read into PEM text. */
export interface ResolvedServerTls {
  certPem: string;
  keyPem: string;
  clientCaPem?: string;
  clientAuthType: ClientAuthType;
  /** "TLS10" … "TLS13" (Alloy's "VersionTLS12" spelling is accepted by the config). */
  minVersion?: string;
  /** Go cipher-suite names. */
  cipherSuites?: string[];
}

const MIN_VERSION: Record<string, "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"> = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
};

/** Go's TLS 1.0–1.2 cipher-suite names and their OpenSSL names. */
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
export function nodeTlsOptions(tls: ResolvedServerTls): Record<string, unknown> {
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

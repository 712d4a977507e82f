/**
 * A `fetch` that trusts a private CA and presents a client certificate, for `forward_to`
 * endpoints with `tls_config`. Each runtime spells this differently, so it lives in the adapters.
 *
 * @module
 */
import type { ClientTlsSettings } from "../config/settings.ts";

interface DenoTlsLike {
  createHttpClient(options: { caCerts?: string[]; cert?: string; key?: string }): unknown;
}

/**
 * Returns a `fetch` configured for `tls` on the runtime this runs on (Deno or Bun).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTlsFetch } from "./tls_fetch.ts";
 *
 * assert.equal(typeof createTlsFetch({ insecureSkipVerify: false }), "function");
 * ```
 */
export function createTlsFetch(tls: ClientTlsSettings): typeof fetch {
  const g = globalThis as unknown as { Deno?: DenoTlsLike; Bun?: unknown };
  if (g.Deno && !g.Bun) {
    if (tls.insecureSkipVerify) {
      throw new Error(
        "tls_config.insecure_skip_verify is not supported on Deno; set ca_pem/ca_file",
      );
    }
    const client = g.Deno.createHttpClient({
      caCerts: tls.caPem ? [tls.caPem] : undefined,
      cert: tls.certPem,
      key: tls.keyPem,
    });
    return ((input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, { ...init, client } as RequestInit)) as typeof fetch;
  }
  const options = {
    ca: tls.caPem,
    cert: tls.certPem,
    key: tls.keyPem,
    serverName: tls.serverName,
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, tls: options } as RequestInit)) as typeof fetch;
}

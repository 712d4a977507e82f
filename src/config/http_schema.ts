/**
 * Alloy's `http` block and its `tls` block: names, defaults and the checks Alloy makes at start,
 * plus the ones it skips (a cert without a key is an error here, not silently plain HTTP).
 *
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./schema_helpers.ts";
import { cipherList, GO_CIPHER_SUITES } from "./cipher_suites.ts";

const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "RequireClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;

const TLS_VERSIONS = ["TLS10", "TLS11", "TLS12", "TLS13"];

/**
 * The `tls` block of `http`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsSchema } from "./http_schema.ts";
 *
 * const ok = tlsSchema.safeParse({ cert_file: "c.pem", key_file: "k.pem" });
 * assert.equal(ok.success && ok.data.client_auth_type, "NoClientCert");
 * assert.equal(tlsSchema.safeParse({ cert_file: "c.pem" }).success, false);
 * ```
 */
export const tlsSchema = z.strictObject({
  cert_pem: z.string().optional().describe("The server certificate, PEM text."),
  cert_file: z.string().optional().describe(
    "File holding the server certificate (PEM); read at start and on each reload.",
  ),
  key_pem: z.string().optional().describe("The server's private key, PEM text."),
  key_file: z.string().optional().describe(
    "File holding the server's private key (PEM); read at start and on each reload.",
  ),
  client_ca_pem: z.string().optional().describe(
    "CA certificates (PEM text) that client certificates are verified against.",
  ),
  client_ca: z.string().optional().describe("Alloy's attribute name for client_ca_pem."),
  client_ca_file: z.string().optional().describe(
    "File holding the CA certificates (PEM) that client certificates are verified against.",
  ),
  client_auth_type: z.enum(CLIENT_AUTH_TYPES).default("NoClientCert")
    .transform((t) => t === "RequireClientCert" ? "RequireAnyClientCert" : t)
    .describe(
      "Client certificate policy, Go's names. RequireAnyClientCert and VerifyClientCertIfGiven " +
        "need Deno; a verifying policy needs a client CA.",
    ),
  min_version: z.string().optional().check((ctx) => {
    if (ctx.value !== undefined && !TLS_VERSIONS.includes(ctx.value.replace(/^Version/, ""))) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: `${JSON.stringify(ctx.value)} is not one of ${TLS_VERSIONS.join(", ")}`,
      });
    }
  }).describe('Lowest TLS version accepted: "TLS10" … "TLS13" (or Go\'s "VersionTLS12").'),
  cipher_suites: z.union([z.string(), z.array(z.string())]).optional().check((ctx) => {
    for (const name of cipherList(ctx.value)) {
      if (!Object.hasOwn(GO_CIPHER_SUITES, name)) {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `cipher suite ${JSON.stringify(name)} not recognized`,
        });
      }
    }
  }).describe(
    "Go cipher-suite names, a list or one comma-separated string (needs Bun: Deno's TLS takes " +
      "no cipher list).",
  ),
}).check((ctx) => {
  const t = ctx.value;
  const issue = (path: string, message: string) =>
    ctx.issues.push({ code: "custom", input: t, path: [path], message });
  for (const [a, b] of [["cert_pem", "cert_file"], ["key_pem", "key_file"]] as const) {
    if (t[a] !== undefined && t[b] !== undefined) issue(a, `${a} and ${b} are mutually exclusive`);
    if (t[a] === undefined && t[b] === undefined) issue(a, `${a} or ${b} is required`);
  }
  const cas = [t.client_ca_pem, t.client_ca, t.client_ca_file].filter((v) => v !== undefined);
  if (cas.length > 1) {
    issue("client_ca_pem", "client_ca_pem (client_ca) and client_ca_file are mutually exclusive");
  }
  const verifies = t.client_auth_type === "VerifyClientCertIfGiven" ||
    t.client_auth_type === "RequireAndVerifyClientCert";
  if (verifies && cas.length === 0) {
    issue(
      "client_ca_file",
      `client_auth_type ${t.client_auth_type} needs client_ca_pem or client_ca_file`,
    );
  }
  if (t.client_auth_type === "NoClientCert" && cas.length > 0) {
    issue("client_auth_type", "a client CA is configured but client_auth_type is NoClientCert");
  }
});

/**
 * The `http` block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpSchema } from "./http_schema.ts";
 *
 * assert.deepEqual(httpSchema.parse({}), {
 *   listen_address: "",
 *   listen_port: 8080,
 *   conn_limit: 0,
 *   server_read_timeout: "30s",
 *   server_write_timeout: "30s",
 *   server_idle_timeout: "120s",
 * });
 * ```
 */
export const httpSchema = z.strictObject({
  listen_address: z.string().default("").describe('Address to bind; "" listens on all interfaces.'),
  listen_port: z.int().min(0).max(65535).default(8080).describe(
    "Port to listen on; 0 picks a free one (logged at start).",
  ),
  conn_limit: z.int().min(0).default(0).describe(
    "Open connections at most; more are closed at once. 0 = no limit.",
  ),
  server_read_timeout: durationSchema.default("30s").describe(
    "Time to receive a whole request, headers and body (ends slow senders).",
  ),
  server_write_timeout: durationSchema.default("30s").describe("Time to write a response."),
  server_idle_timeout: durationSchema.default("120s").describe(
    "Time a keep-alive connection may stay idle.",
  ),
  tls: tlsSchema.optional().describe(
    "Serve HTTPS with these certificates; plain HTTP when absent.",
  ),
});

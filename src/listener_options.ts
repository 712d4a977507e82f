/**
 * Turns the `http` block (and `graceful_shutdown_timeout`) into listener options, reading TLS
 * files at start and at each reload.
 *
 * @module
 */
import type { Config } from "./config/config_schema.ts";
import { cipherList } from "./config/http_schema.ts";
import { parseDuration } from "./config/units.ts";
import type { NodeServeOptions } from "./adapters/node_server.ts";
import type { ClientAuthType } from "./adapters/node_tls.ts";

/**
 * Builds the listener options for a config. Files named in `tls` are read with `readFile`.
 *
 * @throws {Error} naming the file when a TLS file cannot be read
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./config/parse_config.ts";
 * import { listenerOptions } from "./listener_options.ts";
 *
 * const parsed = parseConfig({ http: { listen_port: 0, conn_limit: 5 } });
 * const opts = parsed.ok ? listenerOptions(parsed.config, () => "") : undefined;
 * assert.equal(opts?.connLimit, 5);
 * assert.equal(opts?.readTimeoutMs, 30_000);
 * assert.equal(opts?.tls, undefined);
 * ```
 */
export function listenerOptions(
  config: Config,
  readFile: (path: string) => string,
): NodeServeOptions {
  const h = config.http;
  const options: NodeServeOptions = {
    hostname: h.listen_address,
    port: h.listen_port,
    connLimit: h.conn_limit,
    readTimeoutMs: parseDuration(h.server_read_timeout),
    writeTimeoutMs: parseDuration(h.server_write_timeout),
    idleTimeoutMs: parseDuration(h.server_idle_timeout),
    gracefulShutdownMs: parseDuration(config.graceful_shutdown_timeout),
  };
  const t = h.tls;
  if (t) {
    const read = (path: string, field: string) => {
      try {
        return readFile(path);
      } catch (err) {
        throw new Error(
          `http.tls.${field}: cannot read ${JSON.stringify(path)}: ${(err as Error).message}`,
        );
      }
    };
    const ca = t.client_ca_file !== undefined
      ? read(t.client_ca_file, "client_ca_file")
      : t.client_ca_pem ?? t.client_ca;
    options.tls = {
      certPem: t.cert_pem ?? read(t.cert_file!, "cert_file"),
      keyPem: t.key_pem ?? read(t.key_file!, "key_file"),
      clientCaPem: ca,
      clientAuthType: t.client_auth_type as ClientAuthType,
      minVersion: t.min_version?.replace(/^Version/, ""),
      cipherSuites: cipherList(t.cipher_suites),
    };
  }
  return options;
}

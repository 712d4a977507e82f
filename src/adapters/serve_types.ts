/**
 * The contract every runtime adapter meets: serve a `fetch` handler on a port, say where, stop.
 *
 * @module
 */

/** Something with a web-standard `fetch` handler, such as a relay. */
export interface FetchHandler {
  fetch(request: Request): Promise<Response>;
}

/** Where and how to listen. */
export interface ServeOptions {
  /** Address to bind; `""` or absent means all interfaces. */
  hostname?: string;
  /** Port; `0` picks a free one. @default 8080 */
  port?: number;
  /** Largest request body the runtime itself lets through (the relay checks its own limit). */
  maxRequestBodySize?: number;
}

/** A listening server. */
export interface Served {
  /** The bound address. */
  hostname: string;
  /** The bound port (the real one when 0 was asked). */
  port: number;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  shutdown(): Promise<void>;
}

/**
 * The hostname to bind for a configured `listen_address`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bindAddress } from "./serve_types.ts";
 *
 * assert.equal(bindAddress(""), "0.0.0.0");
 * assert.equal(bindAddress("127.0.0.1"), "127.0.0.1");
 * ```
 */
export function bindAddress(listenAddress: string | undefined): string {
  return listenAddress === undefined || listenAddress === "" ? "0.0.0.0" : listenAddress;
}

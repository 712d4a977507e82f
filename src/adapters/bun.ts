/**
 * Serves a relay with `Bun.serve`.
 *
 * @example Mount the relay next to your own routes
 * ```ts ignore
 * import { createRelay } from "../../mod.ts";
 *
 * const relay = createRelay({ labels: { job: "app" } });
 * Bun.serve({
 *   fetch: (req) => new URL(req.url).pathname === "/hello" ? new Response("hi") : relay.fetch(req),
 * });
 * ```
 *
 * @module
 */
import { bindAddress, type FetchHandler, type Served, type ServeOptions } from "./serve_types.ts";

/** The part of the `Bun` namespace this adapter uses. */
interface BunLike {
  serve(options: {
    hostname: string;
    port: number;
    maxRequestBodySize: number;
    idleTimeout: number;
    fetch: (request: Request) => Promise<Response>;
  }): { hostname: string; port: number; stop(closeActive?: boolean): Promise<void> };
}

const BUN_DEFAULT_BODY_LIMIT = 128 * 1024 * 1024;

/**
 * Starts `Bun.serve` for `app`. Bun's own body limit is set above the relay's, so the relay's
 * 413 with its reason is what clients see.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { serve } from "./bun.ts";
 *
 * const served = await serve({ fetch: () => Promise.resolve(new Response("ok")) }, { port: 0 });
 * assert.equal(await (await fetch(`http://127.0.0.1:${served.port}/`)).text(), "ok");
 * await served.shutdown();
 * ```
 */
export function serve(app: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  const bun = (globalThis as unknown as { Bun: BunLike }).Bun;
  const server = bun.serve({
    hostname: bindAddress(options.hostname),
    port: options.port ?? 8080,
    maxRequestBodySize: Math.max(BUN_DEFAULT_BODY_LIMIT, (options.maxRequestBodySize ?? 0) + 1),
    idleTimeout: 120,
    fetch: (request) => app.fetch(request),
  });
  return Promise.resolve({
    hostname: server.hostname,
    port: server.port,
    shutdown: () => server.stop(),
  });
}

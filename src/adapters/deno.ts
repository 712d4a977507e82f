/**
 * Serves a relay with `Deno.serve`.
 *
 * @example Mount the relay next to your own routes
 * ```ts ignore
 * import { createRelay } from "../../mod.ts";
 *
 * const relay = createRelay({ labels: { job: "app" } });
 * Deno.serve((req) =>
 *   new URL(req.url).pathname === "/hello" ? new Response("hi") : relay.fetch(req)
 * );
 * ```
 *
 * @module
 */
import { bindAddress, type FetchHandler, type Served, type ServeOptions } from "./serve_types.ts";

/** The part of the `Deno` namespace this adapter uses. */
interface DenoLike {
  serve(
    options: {
      hostname: string;
      port: number;
      onListen: (addr: { hostname: string; port: number }) => void;
    },
    handler: (request: Request) => Promise<Response>,
  ): { shutdown(): Promise<void> };
}

/**
 * Starts `Deno.serve` for `app` and resolves once it listens.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { serve } from "./deno.ts";
 *
 * const served = await serve({ fetch: () => Promise.resolve(new Response("ok")) }, { port: 0 });
 * assert.equal(await (await fetch(`http://127.0.0.1:${served.port}/`)).text(), "ok");
 * await served.shutdown();
 * ```
 */
export function serve(app: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
  return new Promise((resolve) => {
    const server = deno.serve({
      hostname: bindAddress(options.hostname),
      port: options.port ?? 8080,
      onListen: ({ hostname, port }) =>
        resolve({ hostname, port, shutdown: () => server.shutdown() }),
    }, (request) => app.fetch(request));
  });
}

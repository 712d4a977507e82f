// Serves a fetch handler on 127.0.0.1 with the adapter of the runtime running the tests.
import type { FetchHandler, Served } from "../../src/adapters/serve_types.ts";

export const RUNTIME = "Bun" in globalThis ? "bun" : "deno";

export async function serveOnLoopback(app: FetchHandler): Promise<Served & { url: string }> {
  const { serve } = RUNTIME === "bun"
    ? await import("../../src/adapters/bun.ts")
    : await import("../../src/adapters/deno.ts");
  const served = await serve(app, { hostname: "127.0.0.1", port: 0 });
  return { ...served, url: `http://127.0.0.1:${served.port}` };
}

/** Waits until `check` returns true, polling; fails after `ms`. */
export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

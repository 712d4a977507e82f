// A user's own Deno server that mounts lokirelay next to its own routes.
import { createRelay } from "lokirelay";

const relay = createRelay(
  { labels: { app: "embedded" } },
  { stdout: (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text)) },
);

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.error(`listening on ${port}`),
}, (request) => {
  const url = new URL(request.url);
  if (url.pathname === "/hello") return new Response("hello from my app");
  if (url.pathname.startsWith("/logs/")) {
    // Mounted under a prefix: strip it before handing the request to the relay.
    url.pathname = url.pathname.slice("/logs".length);
    return relay.fetch(new Request(url, request));
  }
  return new Response("not mine", { status: 404 });
});

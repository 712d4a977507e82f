// A user's own Bun server that mounts lokirelay next to its own routes.
import { createRelay } from "lokirelay";

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { port: number };
  write(dest: unknown, text: string): unknown;
  stdout: unknown;
};

const relay = createRelay(
  { labels: { app: "embedded" } },
  { stdout: (text: string) => void Bun.write(Bun.stdout, text) },
);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/hello") return new Response("hello from my app");
    if (url.pathname.startsWith("/logs/")) {
      // Mounted under a prefix: strip it before handing the request to the relay.
      url.pathname = url.pathname.slice("/logs".length);
      return relay.fetch(new Request(url, request));
    }
    return new Response("not mine", { status: 404 });
  },
});
console.error(`listening on ${server.port}`);

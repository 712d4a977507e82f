/**
 * Converts between `node:http` requests/responses and web-standard `Request`/`Response`, with
 * backpressure both ways: the request body is pulled as the relay reads it.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Wraps a `node:http` request as a web `Request`. When the relay stops reading the body early
 * (e.g. a 413), `onAbandoned` is called so the connection can be closed after the response.
 *
 * @throws {TypeError} when a header cannot be represented (the caller answers 400)
 */
export function toWebRequest(
  req: IncomingMessage,
  scheme: "http" | "https",
  onAbandoned: () => void,
): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  // Only the path is taken from the client; the Host header plays no part in routing.
  return new Request(`${scheme}://localhost${pathOf(req.url)}`, {
    method,
    headers,
    body: hasBody ? bodyStream(req, onAbandoned) : null,
    // @ts-ignore: needed for streamed request bodies
    duplex: "half",
  });
}

/** The path and query of a request target (origin-form, or absolute-form as proxies send). */
function pathOf(target: string | undefined): string {
  if (target === undefined || target === "") return "/";
  if (target.startsWith("/")) return target;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return "/";
  }
}

function bodyStream(req: IncomingMessage, onAbandoned: () => void): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        done = true;
        controller.close();
      });
      req.on("error", (err) => {
        done = true;
        controller.error(err);
      });
      req.on("aborted", () => {
        if (!done) controller.error(new Error("client closed the connection"));
        done = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      if (!done) onAbandoned();
      done = true;
      req.pause();
    },
  }, { highWaterMark: 4 });
}

/** Writes a web `Response` to a `node:http` response, waiting for `drain` as needed. */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve));
    }
  }
  res.end();
}

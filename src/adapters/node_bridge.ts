/**
 * Converts between `node:http` requests/responses and web-standard `Request`/`Response`, with
 * backpressure both ways: the request body is pulled as the relay reads it. A body the relay
 * did not read (a 429 sent before reading) is handled as Go's server does: up to 256 KiB more is
 * read and dropped to keep the connection, a longer rest closes it.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Bytes of an unread request body that are read and thrown away to keep the connection (Go's rule). */
export const DISCARD_LIMIT = 256 * 1024;

/** A `node:http` request seen as a web `Request`. */
export interface BridgedRequest {
  request: Request;
  /**
   * Called once the response is sent: when the handler left part of the body unread, up to
   * {@link DISCARD_LIMIT} more bytes are read and dropped. Returns whether the connection can
   * carry another request (false: the rest is larger, or the handler gave up on the body).
   */
  settle(): boolean;
}

/**
 * Wraps a `node:http` request as a web `Request`.
 *
 * @throws {TypeError} when a header cannot be represented (the caller answers 400)
 */
export function toWebRequest(req: IncomingMessage, scheme: "http" | "https"): BridgedRequest {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  const body = method !== "GET" && method !== "HEAD" ? new BodySource(req) : undefined;
  // Only the path is taken from the client; the Host header plays no part in routing.
  const request = new Request(`${scheme}://localhost${pathOf(req.url)}`, {
    method,
    headers,
    body: body ? body.stream : null,
    // @ts-ignore: needed for streamed request bodies
    duplex: "half",
  });
  return { request, settle: () => body?.settle() ?? true };
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

/** The request body as a pull stream; after the response, the rest can be thrown away. */
class BodySource {
  readonly stream: ReadableStream<Uint8Array>;
  #req: IncomingMessage;
  #done = false;
  #cancelled = false;
  #discarding = false;
  #seen = 0;
  /** Where discarding stops: {@link DISCARD_LIMIT} past what was read when the response went out. */
  #limit = Infinity;

  constructor(req: IncomingMessage) {
    this.#req = req;
    // Nothing is read from the socket until the relay reads the body: a request refused before
    // that (a full queue) costs no body bytes in this process.
    req.pause();
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        req.on("data", (chunk: Uint8Array) => {
          this.#seen += chunk.byteLength;
          if (this.#discarding) {
            if (this.#seen > this.#limit) req.destroy();
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on("end", () => {
          this.#done = true;
          if (!this.#discarding) controller.close();
        });
        req.on("error", (err) => {
          this.#done = true;
          if (!this.#discarding) controller.error(err);
        });
        req.on("aborted", () => {
          if (!this.#done && !this.#discarding) {
            controller.error(new Error("client closed the connection"));
          }
          this.#done = true;
        });
      },
      pull: () => {
        req.resume();
      },
      cancel: () => {
        this.#cancelled = !this.#done;
        req.pause();
      },
    }, { highWaterMark: 0 });
  }

  settle(): boolean {
    if (this.#done) return true;
    if (this.#cancelled) return false;
    const length = Number(this.#req.headers["content-length"]);
    if (!(length - this.#seen <= DISCARD_LIMIT)) return false;
    this.#discarding = true;
    this.#limit = this.#seen + DISCARD_LIMIT;
    this.#req.resume();
    return true;
  }
}

/**
 * Writes a web `Response` to a `node:http` response, waiting for `drain` as needed. When the
 * client goes away first, the body is cancelled (a live tail then lets go of its subscriber).
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (response.body) {
    const reader = response.body.getReader();
    const gone = () => void reader.cancel().catch(() => {});
    res.once("close", gone);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || res.destroyed) break;
        if (!res.write(value)) {
          await new Promise<void>((resolve) => {
            const go = () => {
              res.off("drain", go).off("close", go);
              resolve();
            };
            res.once("drain", go).once("close", go);
          });
        }
      }
    } finally {
      res.off("close", gone);
    }
  }
  res.end();
}

/**
 * One HTTP attempt to push a batch to Loki. The outcome is a value, never a throw: the status
 * (-1 for a connection error or timeout), Loki's message, and any `Retry-After`.
 *
 * @module
 */

/** The outcome of one attempt. */
export interface SendResult {
  /** HTTP status, or -1 when no response arrived (connection error, reset, timeout). */
  status: number;
  /** Loki's message (first line, at most 1 KiB) or the connection error. */
  error?: string;
  /** `Retry-After` value as received. */
  retryAfter?: string | null;
}

/** What {@link sendPush} needs for one attempt. */
export interface SendOptions {
  fetch: typeof fetch;
  url: string;
  body: Uint8Array;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the attempt (e.g. at the end of a drain). */
  signal?: AbortSignal;
}

const MAX_ERROR_BYTES = 1024;

/**
 * Sends one push request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendPush } from "./send.ts";
 *
 * const fakeFetch = () => Promise.resolve(new Response("too many\nstreams", { status: 429 }));
 * const r = await sendPush({
 *   fetch: fakeFetch as typeof fetch, url: "http://loki/x", body: new Uint8Array(),
 *   headers: {}, timeoutMs: 1000,
 * });
 * assert.deepEqual(r, { status: 429, error: "too many", retryAfter: null });
 * ```
 */
export async function sendPush(options: SendOptions): Promise<SendResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const res = await options.fetch(options.url, {
      method: "POST",
      headers: options.headers,
      body: options.body as Uint8Array<ArrayBuffer>,
      signal,
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { status: res.status };
    }
    return {
      status: res.status,
      error: await firstLine(res),
      retryAfter: res.headers.get("retry-after"),
    };
  } catch (err) {
    const reason = timeout.aborted
      ? `no response within ${options.timeoutMs} ms`
      : (err instanceof Error ? err.message : String(err));
    // A URL in a runtime's error text may carry user:password; never log it.
    return { status: -1, error: reason.replace(/\/\/[^/@\s]+@/g, "//<redacted>@") };
  }
}

async function firstLine(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < MAX_ERROR_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // a broken body still leaves what was read
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(total, MAX_ERROR_BYTES));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes).split("\n")[0].trim();
}

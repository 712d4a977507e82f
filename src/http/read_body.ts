/**
 * Reads a request body with a byte limit enforced as the bytes stream in, then undoes
 * `Content-Encoding` (gzip, deflate) with the same limit on the decompressed size.
 *
 * @module
 */

import type { BudgetHold } from "./inflight_budget.ts";

/**
 * Why a body could not be read: an encoding this reader does not know, a body that broke off or
 * does not inflate, more than the size limit, or the shared in-flight budget spent.
 */
export type BodyFailure = "unsupported_encoding" | "unreadable" | "too_large" | "busy";

/** A body, or why not, with a one-line reason. */
export type BodyResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; failure: BodyFailure; error: string };

/** A hold with no limit. */
const UNLIMITED: BudgetHold = { limit: Infinity, take: () => true, release: () => {} };

const ENCODINGS = new Set(["", "identity", "snappy", "gzip", "deflate"]);
const wireBytes = new WeakMap<Request, number>();

/**
 * How many body bytes {@link readBody} read from `request` (for the request-size metric).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyBytesRead, readBody } from "./read_body.ts";
 *
 * const req = new Request("http://x/", { method: "POST", body: "abc" });
 * await readBody(req, 10);
 * assert.equal(bodyBytesRead(req), 3);
 * ```
 */
export function bodyBytesRead(request: Request): number | undefined {
  return wireBytes.get(request);
}

/**
 * Reads the body of `request`, giving up (`too_large`) as soon as more than `maxBytes` have
 * arrived (or at once when `Content-Length` says so), and decompresses gzip/deflate with the same
 * cap. Every byte read or inflated is taken from `hold`; when the shared budget is spent the
 * result is `busy` (the caller releases the hold once the request is handled).
 * Deflate is raw DEFLATE as in Alloy; a zlib-wrapped body is accepted too. `snappy` and no
 * encoding leave the bytes as they are (the caller knows what snappy means for its format).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./read_body.ts";
 *
 * const ok = await readBody(new Request("http://x/", { method: "POST", body: "abc" }), 10);
 * assert.deepEqual(ok.ok && [...ok.bytes], [97, 98, 99]);
 * const big = await readBody(new Request("http://x/", { method: "POST", body: "abcdef" }), 3);
 * assert.equal(big.ok || big.failure, "too_large");
 * const br = await readBody(
 *   new Request("http://x/", { method: "POST", body: "x", headers: { "content-encoding": "br" } }),
 *   3,
 * );
 * assert.deepEqual(br, {
 *   ok: false,
 *   failure: "unsupported_encoding",
 *   error: 'Content-Encoding "br" not supported',
 * });
 * ```
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  hold: BudgetHold = UNLIMITED,
): Promise<BodyResult> {
  const encoding = request.headers.get("content-encoding") ?? "";
  if (!ENCODINGS.has(encoding)) {
    return {
      ok: false,
      failure: "unsupported_encoding",
      error: `Content-Encoding "${encoding}" not supported`,
    };
  }
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > maxBytes) return tooLarge("request body", `${length} bytes`, maxBytes);
  if (length > hold.limit) {
    return {
      ok: false,
      failure: "too_large",
      error:
        `request body too large: ${length} bytes, more than max_inflight_bytes (${hold.limit})`,
    };
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  let wire: Uint8Array | null;
  try {
    wire = await readCapped(request.body, maxBytes, hold);
  } catch (err) {
    if (err === BUSY) return busy(hold);
    return { ok: false, failure: "unreadable", error: `reading request body: ${firstLine(err)}` };
  }
  if (wire === null) return tooLarge("request body", "more bytes", maxBytes);
  wireBytes.set(request, wire.byteLength);
  if (encoding === "gzip") return await inflate(wire, "gzip", maxBytes, hold);
  if (encoding === "deflate") return await inflate(wire, deflateFormat(wire), maxBytes, hold);
  return { ok: true, bytes: wire };
}

const BUSY = new Error("in-flight byte budget exhausted");

function busy(hold: BudgetHold): BodyResult {
  return {
    ok: false,
    failure: "busy",
    error: `too many bytes being received at once (max_inflight_bytes ${hold.limit}), retry later`,
  };
}

function tooLarge(what: string, got: string, maxBytes: number): BodyResult {
  return {
    ok: false,
    failure: "too_large",
    error: `${what} too large: ${got}, more than max_send_message_size (${maxBytes})`,
  };
}

/** Reads a stream into one array; `null` (and the stream cancelled) once it passes `maxBytes`. */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  hold: BudgetHold,
): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    if (!hold.take(value.byteLength)) {
      await reader.cancel().catch(() => {});
      throw BUSY;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** zlib-wrapped (RFC 1950) when the first two bytes form a valid zlib header, else raw. */
function deflateFormat(bytes: Uint8Array): CompressionFormat {
  const zlib = bytes.length >= 2 && (bytes[0] & 0x0f) === 8 &&
    ((bytes[0] << 8) | bytes[1]) % 31 === 0;
  return zlib ? "deflate" : "deflate-raw";
}

async function inflate(
  bytes: Uint8Array,
  format: CompressionFormat,
  maxBytes: number,
  hold: BudgetHold,
): Promise<BodyResult> {
  const name = format === "gzip" ? "gzip" : "deflate";
  if (bytes.length === 0) return { ok: false, failure: "unreadable", error: `${name}: empty body` };
  const input = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  try {
    const out = await readCapped(
      input.pipeThrough(new DecompressionStream(format)),
      maxBytes,
      hold,
    );
    if (out === null) return tooLarge("decompressed body", "more bytes", maxBytes);
    return { ok: true, bytes: out };
  } catch (err) {
    return {
      ok: false,
      failure: "unreadable",
      error: `${name}: invalid compressed data (${firstLine(err)})`,
    };
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

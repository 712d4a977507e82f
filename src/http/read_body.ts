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
const UNLIMITED: BudgetHold = {
  limit: Infinity,
  held: 0,
  take: () => "taken",
  buffer: (n) => new Uint8Array(n),
  release: () => {},
};

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
  const declared = request.headers.get("content-length");
  const length = declared === null ? undefined : Number(declared);
  if (length !== undefined && length > maxBytes) {
    return tooLarge("request body", `${length} bytes`, maxBytes);
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const wire = await readCapped(request.body, maxBytes, hold, length);
  if (!wire.ok) return wire;
  wireBytes.set(request, wire.bytes.byteLength);
  if (encoding === "gzip") return await inflate(wire.bytes, "gzip", maxBytes, hold);
  if (encoding === "deflate") {
    return await inflate(wire.bytes, deflateFormat(wire.bytes), maxBytes, hold);
  }
  return wire;
}

function tooLarge(what: string, got: string, maxBytes: number): BodyResult {
  return {
    ok: false,
    failure: "too_large",
    error: `${what} too large: ${got}, more than max_send_message_size (${maxBytes})`,
  };
}

/** The refusal for bytes the request's hold could not take. */
function refused(answer: "too_large" | "busy", hold: BudgetHold, what: string): BodyResult {
  if (answer === "busy") {
    return {
      ok: false,
      failure: "busy",
      error:
        `too many bytes being received at once (max_inflight_bytes ${hold.limit}), retry later`,
    };
  }
  return {
    ok: false,
    failure: "too_large",
    error: `${what} too large: more than max_inflight_bytes (${hold.limit}) to hold at once`,
  };
}

/**
 * Longest run of chunks read back to back before other work gets a turn. Reads resolve as
 * microtasks, so without a turn given back an inflater producing a body of zeros up to the cap
 * (32 MiB and more) held the event loop for most of a second: no timer fired, no other request
 * was served.
 */
const SLICE_MS = 10;

/**
 * Reads a stream into one array, taking every byte from `hold` and giving up past `maxBytes`.
 * With a known `length` the array is allocated once and filled (no copy at the end); otherwise
 * chunks are gathered and joined into one copy that takes their place.
 */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  hold: BudgetHold,
  length: number | undefined,
  what = "request body",
): Promise<BodyResult> {
  const reader = body.getReader();
  const stop = async (result: BodyResult) => {
    await reader.cancel().catch(() => {});
    return result;
  };
  let out: Uint8Array | undefined;
  if (length !== undefined && Number.isSafeInteger(length) && length >= 0) {
    const taken = hold.take(length);
    if (taken !== "taken") return stop(refused(taken, hold, what));
    out = hold.buffer(length);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let deadline = performance.now() + SLICE_MS;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (performance.now() >= deadline) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        deadline = performance.now() + SLICE_MS;
      }
      total += value.byteLength;
      if (total > maxBytes) return stop(tooLarge(what, "more bytes", maxBytes));
      if (out) {
        if (total > out.length) {
          return stop({
            ok: false,
            failure: "unreadable",
            error: `${what} longer than its Content-Length`,
          });
        }
        out.set(value, total - value.byteLength);
        continue;
      }
      const taken = hold.take(value.byteLength);
      if (taken !== "taken") return stop(refused(taken, hold, what));
      chunks.push(value);
    }
  } catch (err) {
    const reason = what === "request body"
      ? `reading request body: ${firstLine(err)}`
      : firstLine(err);
    return { ok: false, failure: "unreadable", error: reason };
  }
  if (out) return { ok: true, bytes: total === out.length ? out : out.subarray(0, total) };
  if (chunks.length === 1) return { ok: true, bytes: chunks[0] };
  // The joined copy takes the place of the chunks it is made from (they are let go).
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    joined.set(c, offset);
    offset += c.byteLength;
  }
  return { ok: true, bytes: joined };
}

/** zlib-wrapped (RFC 1950) when the first two bytes form a valid zlib header, else raw. */
function deflateFormat(bytes: Uint8Array): CompressionFormat {
  const zlib = bytes.length >= 2 && (bytes[0] & 0x0f) === 8 &&
    ((bytes[0] << 8) | bytes[1]) % 31 === 0;
  return zlib ? "deflate" : "deflate-raw";
}

/**
 * Compressed bytes fed to the inflater at a time. An inflater hands back what one write inflates
 * to as one chunk (Deno's does), and DEFLATE expands at most about 1032:1, so this bounds how far
 * a chunk can run past the cap before it is checked: 4 KiB in, at most ~4 MiB out.
 */
const INFLATE_SLICE = 4096;

async function inflate(
  bytes: Uint8Array,
  format: CompressionFormat,
  maxBytes: number,
  hold: BudgetHold,
): Promise<BodyResult> {
  const name = format === "gzip" ? "gzip" : "deflate";
  if (bytes.length === 0) return { ok: false, failure: "unreadable", error: `${name}: empty body` };
  const inflater = new DecompressionStream(format);
  const writer = inflater.writable.getWriter();
  const feeding = (async () => {
    for (let at = 0; at < bytes.length; at += INFLATE_SLICE) {
      await writer.write(bytes.subarray(at, at + INFLATE_SLICE) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  feeding.catch(() => {}); // a broken or cancelled stream is reported by the reading side
  const out = await readCapped(inflater.readable, maxBytes, hold, undefined, "decompressed body");
  if (!out.ok && out.failure === "unreadable") {
    return {
      ok: false,
      failure: "unreadable",
      error: `${name}: invalid compressed data (${out.error})`,
    };
  }
  return out;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

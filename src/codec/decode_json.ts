/**
 * A byte-level, bounded, sliceable decoder for Loki's JSON push body (v1):
 * `{"streams":[{"stream":{"app":"a"},"values":[["<unix ns>","<line>",{"k":"v"}]]}]}`.
 *
 * It reads the body's UTF-8 bytes directly, with no `JSON.parse` and no object graph: lines
 * without escapes stay where they are in the body ({@link WireEntry} points into it), lines with
 * escapes and entries with structured metadata are written once into shared chunks (metadata as
 * the protobuf fields the writer copies verbatim). Limits are checked as the body is read, before
 * anything grows, and the work can be cut into slices ({@link decodePushJsonSteps}).
 *
 * It reads the body as Grafana Alloy's `loki.source.api` (and Loki's distributor) do: json-iterator
 * for the outer object, grafana/jsonparser for each stream. In short:
 *
 * - `"streams"` is matched case-insensitively (ASCII letters only, after escapes); `"stream"`,
 *   `"values"` and everything inside a stream case-sensitively, after escapes.
 * - A second `"streams"` array decodes over the first: element i keeps what it had from earlier
 *   arrays when it lacks a `"stream"` or `"values"` key (json-iterator reuses the slice).
 *   `"streams": null` and `"streams": []` empty it.
 * - A `null` stream is refused; a `null` entry is skipped; `"values": null` keeps what the stream
 *   had (nothing, unless inherited as above). Duplicate `"stream"`/`"values"` keys: the last wins.
 * - An entry is `[ts, line, {metadata}, ...ignored]`: `[]` is Go's zero time with an empty line,
 *   `[ts]` has an empty line. The timestamp must be a string of base-10 int64 nanoseconds, read
 *   from its raw bytes (an escape makes it invalid; `"-"` and `"-0"` read as 0, as jsonparser
 *   reads them; leading zeros are refused). The line must be a string, the metadata an object of
 *   strings; its pairs keep document order and duplicates.
 * - A label value that is not a string keeps its JSON text as sent (`1.50`, `{ "a": "b" }`,
 *   `true`, `null`), except that jsonparser's unescaping is applied to that text. Duplicate label
 *   names: the last wins. Label names are unescaped twice (jsonparser's `ObjectEach`, then
 *   `ParseString`), as Alloy does.
 * - Escapes are resolved as jsonparser does: a `\u` escape in the surrogate range must be followed
 *   by a second `\uXXXX` whose value is at least `DC00` (else the body is refused); a pair that
 *   makes no valid code point becomes U+FFFD. Invalid UTF-8 in lines and structured metadata is
 *   kept as sent (Go strings are bytes); label names and values become JS strings, so invalid
 *   UTF-8 there reads as U+FFFD.
 *
 * It is stricter than Alloy where Alloy's readers accept what is not JSON: it refuses any body
 * that is not a single RFC 8259 JSON value (bytes after it, a byte order mark, raw control
 * characters in strings, malformed numbers anywhere).
 *
 * Slices end between streams, labels, entries, metadata pairs and values, and inside strings and
 * skipped values. What is not cut: unescaping one string (only when it has escapes), and an entry
 * that runs past a slice is finished in one go once its first long string has been scanned.
 *
 * KEEP IN SYNC WITH: grafana/alloy internal/component/loki/source/api/internal/loghttp/push.go,
 * labels.go, unmarshal.go; grafana/jsonparser parser.go, escape.go, bytes.go.
 *
 * @module
 */
import type { PushRequest, PushStream } from "../types.ts";
import { WireEntry } from "./wire_entry.ts";
import { GO_ZERO_TIME_SECONDS } from "./timestamp.ts";
import { compareBytes } from "../labels/format_labels.ts";
import {
  describeByte,
  hexDigit,
  literalEnd,
  numberEnd,
  skipSpace,
  unexpectedMessage,
} from "./json_scan.ts";
import { varintLength, writeVarint } from "./varint.ts";

/** Bounds on what one push body may hold. Every one is optional; absent means unbounded. */
export interface JsonDecodeLimits {
  /**
   * Nesting of containers, the top-level object being 1 (a push with structured metadata needs
   * 6). Default 1000 (json-iterator, which Alloy uses, refuses past 10000 as a decode error).
   */
  maxDepth?: number;
  /** Stream objects in the request (those of repeated `"streams"` arrays included). */
  maxStreams?: number;
  /** Entries in the whole request (`null` entries are not counted). */
  maxEntries?: number;
  /** Keys in one `"stream"` object (Loki's `max_label_names_per_series`), duplicates included. */
  maxLabelsPerStream?: number;
  /** UTF-8 bytes of one stream's label string as built (`{a="1", b="2"}`). */
  maxLabelBytes?: number;
  /** Structured-metadata pairs of one entry. */
  maxMetadataPairs?: number;
  /** Keys of any other object: the body, a stream object, objects in unknown fields or labels. */
  maxKeys?: number;
}

/** What an accounting hook answers when the decoded form may not grow further. */
export interface AccountRefusal {
  failure: "invalid" | "too_large" | "busy";
  error: string;
}

/** How to decode: limits, memory accounting and slicing. */
export interface JsonDecodeOptions {
  /** Bounds checked while reading; see {@link JsonDecodeLimits}. */
  limits?: JsonDecodeLimits;
  /**
   * Called as the decoded form grows, with the bytes added since the last call (batched: every
   * 256 entries or streams, every MiB, and once at the end). `true` lets decoding go on.
   */
  account?: (bytes: number) => true | AccountRefusal;
  /** Bytes counted per entry besides its line and metadata. Default 64. */
  entryOverhead?: number;
  /** Bytes counted per structured-metadata pair besides its name and value. Default 32. */
  pairOverhead?: number;
  /** Bytes counted per stream besides its label string. Default 128. */
  streamOverhead?: number;
  /** Input bytes between yields of {@link decodePushJsonSteps}. Default 262144 (256 KiB). */
  sliceBytes?: number;
}

/**
 * The outcome of decoding: the request and the bytes accounted for it, or why it was refused.
 * `"invalid"` is the client's error (HTTP 400), `"too_large"` a limit (`maxDepth` included) or
 * the accounting hook (413), `"busy"` the accounting hook's refusal for now (429).
 */
export type JsonDecodeResult =
  | { ok: true; request: PushRequest; decodedBytes: number }
  | { ok: false; failure: "invalid" | "too_large" | "busy"; error: string };

/**
 * Decodes a JSON push body into a `PushRequest`, in one go. Each stream's labels become a label
 * string (names sorted by bytes, values quoted) for the label parser; entries are
 * {@link WireEntry}s whose lines are bytes.
 *
 * With no options no limit applies except a nesting depth of 1000.
 *
 * @throws {SyntaxError} with a one-line reason when the body is not a valid push
 * @throws {RangeError} with a one-line reason when a limit or the accounting hook refused it
 * (`cause` is `{ failure }`)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePushJson } from "./decode_json.ts";
 *
 * const req = decodePushJson(
 *   '{"streams":[{"stream":{"b":"2","a":1.50},"values":[["1700000000000000005","hi",{"k":"v"}]]}]}',
 * );
 * assert.equal(req.streams[0].labels, '{a="1.50", b="2"}');
 * assert.deepEqual(JSON.parse(JSON.stringify(req.streams[0].entries[0])), {
 *   seconds: 1700000000,
 *   nanos: 5,
 *   line: "hi",
 *   metadata: [{ name: "k", value: "v" }],
 * });
 * assert.throws(() => decodePushJson(""), { name: "SyntaxError", message: "EOF" });
 * ```
 */
export function decodePushJson(
  input: string | Uint8Array,
  options: JsonDecodeOptions = {},
): PushRequest {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const steps = decodePushJsonSteps(bytes, { ...options, sliceBytes: UNSLICED });
  let step = steps.next();
  while (!step.done) step = steps.next();
  const result = step.value;
  if (result.ok) return result.request;
  if (result.failure === "invalid") throw new SyntaxError(result.error);
  throw new RangeError(result.error, { cause: { failure: result.failure } });
}

/**
 * Decodes a JSON push body in slices: the generator yields after about `sliceBytes` of input
 * (so that the caller can let other work run, e.g. `await new Promise((r) => setTimeout(r))`
 * between `next()` calls) and returns the outcome as a value. It never throws for anything in the
 * body. Entries without escapes or metadata point into `bytes`: it must stay unchanged (and is
 * kept alive) while they are used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePushJsonSteps } from "./decode_json.ts";
 *
 * const body = new TextEncoder().encode(
 *   '{"streams":[{"stream":{"a":"1"},"values":[["1","x"],["2","y"]]}]}',
 * );
 * const steps = decodePushJsonSteps(body, { sliceBytes: 16, limits: { maxEntries: 2 } });
 * let step = steps.next();
 * let slices = 1;
 * for (; !step.done; step = steps.next()) slices++;
 * assert.ok(slices > 1);
 * assert.ok(step.value.ok);
 * assert.equal(step.value.request.streams[0].entries[1].line, "y");
 *
 * const over = decodePushJsonSteps(body, { limits: { maxEntries: 1 } }).next();
 * assert.deepEqual(over.value, {
 *   ok: false,
 *   failure: "too_large",
 *   error: "the request has more than 1 entries (request_limits.max_entries)",
 * });
 * ```
 */
export function* decodePushJsonSteps(
  bytes: Uint8Array,
  options: JsonDecodeOptions = {},
): Generator<undefined, JsonDecodeResult> {
  const decoder = new Decoder(bytes, options);
  try {
    const request = yield* decoder.run();
    return { ok: true, request, decodedBytes: decoder.decodedBytes };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, failure: err.failure, error: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Internals.

/** The slice of the synchronous API: an int32, which JIT compilers compare fastest. */
const UNSLICED = 2 ** 30;
const CHUNK_BYTES = 256 * 1024;
const ACCOUNT_EVERY = 256;
const ACCOUNT_BYTES = 1 << 20;
const MAX_QUOTE = 64;

const textDecoder = new TextDecoder();

// Byte values.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** `#entry` needs a string read across slices first. */
const NEED_STRING = -10;
/** `#entry` took the entry; elements after its metadata remain to be skipped. */
const EXTRA_ELEMENTS = -11;

// Depths of the fixed parts of a push (the body object is 1).
const STREAMS_DEPTH = 2;
const STREAM_DEPTH = 3;
const LABELS_DEPTH = 4;
const VALUES_DEPTH = 4;
const ENTRY_DEPTH = 5;
const METADATA_DEPTH = 6;

/** A refusal, thrown inside the decoder and returned as a value at its edge. */
class Failure extends Error {
  constructor(readonly failure: "invalid" | "too_large" | "busy", message: string) {
    super(message);
  }
}

function invalid(message: string): Failure {
  return new Failure("invalid", message);
}

function tooLarge(message: string): Failure {
  return new Failure("too_large", message);
}

/** Where a stream's parts are kept while repeated `"streams"` arrays decode over each other. */
interface Slot {
  labels: string | undefined;
  entries: WireEntry[] | undefined;
}

// Results of the scanning helpers, in module variables so that the hot loop allocates nothing.
/** Whether the last string scanned had a backslash. */
let scanEscaped = false;
/** Where the last scan stopped: at its limit, or at the byte that made it fail. */
let scanPos = 0;
/** Timestamp read by `readTimestamp`. */
let tsSeconds = 0;
let tsNanos = 0;
/** Where the last failed unescape found the bad escape. */
let unescapeErrorAt = 0;

/**
 * Finds the closing quote of a string whose content starts at `p`, checking escapes and control
 * characters, not reading at or past `lim`. Returns the quote's index; -1 when `lim` was reached
 * first (`scanPos` says where to resume), -2 for a control character, -3 for a bad escape (at
 * `scanPos`). Sets `scanEscaped`.
 */
function scanString(b: Uint8Array, p: number, lim: number): number {
  let escaped = false;
  for (;;) {
    let c = 0;
    while (p < lim) {
      c = b[p];
      if (c === QUOTE || c === BACKSLASH || c < 0x20) break;
      p++;
    }
    if (p >= lim) {
      scanPos = p;
      scanEscaped = escaped;
      return -1;
    }
    if (c === QUOTE) {
      scanEscaped = escaped;
      return p;
    }
    if (c !== BACKSLASH) {
      scanPos = p;
      return -2;
    }
    escaped = true;
    if (p + 1 >= lim) {
      scanPos = p;
      scanEscaped = true;
      return -1;
    }
    const e = b[p + 1];
    if (e === 0x75) {
      if (p + 6 > lim) {
        scanPos = p;
        scanEscaped = true;
        return -1;
      }
      if (hex4(b, p + 2) < 0) {
        scanPos = p;
        return -3;
      }
      p += 6;
    } else if (
      e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e ||
      e === 0x72 || e === 0x74
    ) {
      p += 2;
    } else {
      scanPos = p;
      return -3;
    }
  }
}

/** The value of four hex digits at `p`, or -1. */
function hex4(b: Uint8Array, p: number): number {
  const a = hexDigit(b[p]);
  const c = hexDigit(b[p + 1]);
  const d = hexDigit(b[p + 2]);
  const e = hexDigit(b[p + 3]);
  if ((a | c | d | e) < 0) return -1;
  return (a << 12) | (c << 8) | (d << 4) | e;
}

const SIMPLE_ESCAPES = new Int16Array(128).fill(-1);
for (const [e, v] of [[0x22, 0x22], [0x5c, 0x5c], [0x2f, 0x2f], [0x62, 8], [0x66, 12]]) {
  SIMPLE_ESCAPES[e] = v;
}
for (const [e, v] of [[0x6e, 10], [0x72, 13], [0x74, 9]]) SIMPLE_ESCAPES[e] = v;

/**
 * Unescapes `b[s, e)` into `out` at `o` as grafana/jsonparser's `Unescape` does, and returns
 * the position after the output, or -1 when jsonparser would refuse (`unescapeErrorAt` says
 * where). The output is never longer than the input.
 */
function unescapeInto(b: Uint8Array, s: number, e: number, out: Uint8Array, o: number): number {
  let i = s;
  while (i < e) {
    const c = b[i];
    if (c !== BACKSLASH) {
      out[o++] = c;
      i++;
      continue;
    }
    if (e - i < 2) {
      unescapeErrorAt = i;
      return -1;
    }
    const x = b[i + 1];
    const simple = x < 128 ? SIMPLE_ESCAPES[x] : -1;
    if (simple >= 0) {
      out[o++] = simple;
      i += 2;
      continue;
    }
    if (x !== 0x75 || e - i < 6) {
      unescapeErrorAt = i;
      return -1;
    }
    const r = hex4(b, i + 2);
    if (r < 0) {
      unescapeErrorAt = i;
      return -1;
    }
    let cp = r;
    if (r >= 0xd800 && r <= 0xdfff) {
      // jsonparser reads the next six bytes as a \uXXXX without checking its "\u" and takes any
      // value from DC00 up as the low half.
      const r2 = e - (i + 6) >= 6 ? hex4(b, i + 8) : -1;
      if (r2 < 0xdc00) {
        unescapeErrorAt = i;
        return -1;
      }
      cp = 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00);
      if (cp > 0x10ffff) cp = 0xfffd;
      i += 12;
    } else i += 6;
    if (cp < 0x80) out[o++] = cp;
    else if (cp < 0x800) {
      out[o++] = 0xc0 | (cp >> 6);
      out[o++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[o++] = 0xe0 | (cp >> 12);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    } else {
      out[o++] = 0xf0 | (cp >> 18);
      out[o++] = 0x80 | ((cp >> 12) & 0x3f);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    }
  }
  return o;
}

const INT64_MAX_DIGITS = [9, 2, 2, 3, 3, 7, 2, 0, 3, 6, 8, 5, 4, 7, 7, 5, 8, 0, 7];

/**
 * Reads `b[s, e)` as jsonparser's `ParseInt` does (optional `-`, digits, no leading zero, int64)
 * into `tsSeconds`/`tsNanos` (floor division). Returns false when it is not such a number.
 */
function readTimestamp(b: Uint8Array, s: number, e: number): boolean {
  const negative = s < e && b[s] === 0x2d;
  const d = negative ? s + 1 : s;
  const digits = e - d;
  if (digits === 0) {
    // jsonparser reads "-" as 0 (and "" as an error).
    tsSeconds = 0;
    tsNanos = 0;
    return negative;
  }
  if (digits > 19) return false;
  if (b[d] === 0x30 && digits > 1) return false;
  for (let i = d; i < e; i++) {
    const c = b[i];
    if (c < 0x30 || c > 0x39) return false;
  }
  if (digits === 19) {
    for (let k = 0; k < 19; k++) {
      const x = b[d + k] - 0x30;
      const y = INT64_MAX_DIGITS[k] + (k === 18 && negative ? 1 : 0);
      if (x !== y) {
        if (x > y) return false;
        break;
      }
    }
  }
  const cut = digits > 9 ? e - 9 : d;
  let seconds = 0;
  for (let i = d; i < cut; i++) seconds = seconds * 10 + (b[i] - 0x30);
  let nanos = 0;
  for (let i = cut; i < e; i++) nanos = nanos * 10 + (b[i] - 0x30);
  if (negative && (seconds !== 0 || nanos !== 0)) {
    if (nanos === 0) seconds = -seconds;
    else {
      seconds = -seconds - 1;
      nanos = 1_000_000_000 - nanos;
    }
  }
  tsSeconds = seconds;
  tsNanos = nanos;
  return true;
}

/** Orders byte ranges of `b` as their bytes compare (Go's and `compareBytes`'s order). */
function compareRanges(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): number {
  const n = Math.min(e1 - s1, e2 - s2);
  for (let k = 0; k < n; k++) {
    const d = b[s1 + k] - b[s2 + k];
    if (d !== 0) return d;
  }
  return e1 - s1 - (e2 - s2);
}

/** Sorts a short array in place (stable). */
function insertionSort(xs: number[], compare: (x: number, y: number) => number): void {
  for (let k = 1; k < xs.length; k++) {
    const x = xs[k];
    let m = k - 1;
    while (m >= 0 && compare(xs[m], x) > 0) {
      xs[m + 1] = xs[m];
      m--;
    }
    xs[m + 1] = x;
  }
}

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
/** The bytes `quoteBytes` wrote, OR-ed (≥ 0x80 when any is not ASCII). */
let quotedHigh = 0;

/**
 * Writes `s[0, len)` into `out` at `o` escaped as `JSON.stringify` escapes a string (without the
 * quotes); returns the position after it.
 */
function quoteBytes(s: Uint8Array, len: number, out: Uint8Array, o: number): number {
  let high = 0;
  for (let x = 0; x < len; x++) {
    const c = s[x];
    if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) {
      high |= out[o++] = c;
      continue;
    }
    out[o++] = BACKSLASH;
    if (c === QUOTE || c === BACKSLASH) out[o++] = c;
    else if (c === 8) out[o++] = 0x62;
    else if (c === 9) out[o++] = 0x74;
    else if (c === 10) out[o++] = 0x6e;
    else if (c === 12) out[o++] = 0x66;
    else if (c === 13) out[o++] = 0x72;
    else {
      out[o++] = 0x75;
      out[o++] = 0x30;
      out[o++] = 0x30;
      out[o++] = HEX_DIGITS[c >> 4];
      out[o++] = HEX_DIGITS[c & 15];
    }
  }
  quotedHigh = high;
  return o;
}

/** Makes a string of ASCII bytes: short strings are built fastest from character codes. */
function asciiText(b: Uint8Array, s: number, e: number): string {
  let text = "";
  let k = s;
  for (; k + 8 <= e; k += 8) {
    text += String.fromCharCode(
      b[k],
      b[k + 1],
      b[k + 2],
      b[k + 3],
      b[k + 4],
      b[k + 5],
      b[k + 6],
      b[k + 7],
    );
  }
  for (; k < e; k++) text += String.fromCharCode(b[k]);
  return text;
}

/** Decodes UTF-8 bytes to a string (invalid bytes read as U+FFFD). */
function decodeText(b: Uint8Array, s: number, e: number): string {
  if (e - s <= 64) {
    for (let i = s; i < e; i++) if (b[i] >= 0x80) return textDecoder.decode(b.subarray(s, e));
    return asciiText(b, s, e);
  }
  return textDecoder.decode(b.subarray(s, e));
}

/** UTF-8 bytes of a well-formed string (what `TextDecoder` gives). */
function utf8Bytes(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00) n += 1; // a surrogate pair: two units, four bytes
    else if (c < 0xdc00 || c >= 0xe000) n += 2;
  }
  return n;
}

function copyBytes(b: Uint8Array, s: number, e: number, out: Uint8Array, o: number): number {
  if (e - s > 64) {
    out.set(b.subarray(s, e), o);
    return o + (e - s);
  }
  for (let i = s; i < e; i++) out[o++] = b[i];
  return o;
}

/** Up to {@link MAX_QUOTE} bytes of `b[s, e)`, JSON-quoted, for a message. */
function quote(b: Uint8Array, s: number, e: number): string {
  const cut = Math.min(e, s + MAX_QUOTE);
  const text = JSON.stringify(textDecoder.decode(b.subarray(s, cut)));
  return cut < e ? `${text.slice(0, -1)}…"` : text;
}

/** `.name` for an identifier, else `["…"]`: a path step naming the key `b[s, e)`. */
function memberPath(b: Uint8Array, s: number, e: number): string {
  let identifier = e > s && e - s <= MAX_QUOTE;
  for (let k = s; k < e && identifier; k++) {
    const c = b[k];
    identifier = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f ||
      (k > s && c >= 0x30 && c <= 0x39);
  }
  return identifier ? `.${asciiText(b, s, e)}` : `[${quote(b, s, e)}]`;
}

function quoteText(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text);
}

function isValueStart(c: number): boolean {
  return c === QUOTE || c === LBRACE || c === LBRACKET || c === 0x2d || (c >= 0x30 && c <= 0x39) ||
    c === 0x74 || c === 0x66 || c === 0x6e;
}

const STREAMS_KEY = [0x73, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x73];

/** Whether `b[s, e)` is "streams" in any ASCII case (json-iterator's field match). */
function isStreamsKey(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 7) return false;
  for (let k = 0; k < 7; k++) if ((b[s + k] | 0x20) !== STREAMS_KEY[k]) return false;
  return true;
}

/** Whether `b[s, e)` is exactly `word` (ASCII). */
function isWord(b: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[s + k] !== word.charCodeAt(k)) return false;
  return true;
}

function limit(value: number | undefined, fallback: number): number {
  return value === undefined || !(value >= 0) ? fallback : value;
}

/** The decoder's state for one body. */
class Decoder {
  #b: Uint8Array;
  #n: number;
  #pos = 0;
  #slice: number;
  #yieldAt: number;
  /** How far a string scan may go before the slice must end. */
  #lim: number;

  #maxDepth: number;
  #maxStreams: number;
  #maxEntries: number;
  #maxLabels: number;
  #maxLabelBytes: number;
  #maxPairs: number;
  #maxKeys: number;

  #account: ((bytes: number) => true | AccountRefusal) | undefined;
  #entryOverhead: number;
  #pairOverhead: number;
  #streamOverhead: number;
  #pending = 0;
  #pendingItems = 0;
  #total = 0;

  #streamCount = 0;
  #entryCount = 0;
  #slots: Slot[] = [];
  #length = 0;

  /** Where escaped lines and entries with metadata are written. */
  #chunk = new Uint8Array(0);
  #chunkPos = 0;
  /** Unescaped names and values, before they are copied. */
  #scratch = new Uint8Array(256);
  /** Byte ranges of the current entry's metadata: name start, end, escaped, value start, end, escaped. */
  #pairs: number[] = [];
  /** The current stream's labels as byte ranges (six numbers each), and their sorted order. */
  #labelRanges: number[] = [];
  #labelOrder: number[] = [];
  /** Where a label string is assembled. */
  #out = new Uint8Array(256);
  /** Where the string {@link NEED_STRING} is about starts. */
  #needAt = 0;
  /** A string read across slices: where its content starts (-1: none), its end, its escapes. */
  #knownStart = -1;
  #knownEnd = 0;
  #knownEscaped = false;
  /** UTF-8 bytes of the label string `#labels` built last. */
  #labelsSize = 0;

  constructor(bytes: Uint8Array, options: JsonDecodeOptions) {
    this.#b = bytes;
    this.#n = bytes.length;
    const slice = options.sliceBytes ?? 256 * 1024;
    // At least a few bytes, so that an escape always fits in what a scan may read.
    this.#slice = slice >= 16 ? slice : 16;
    this.#yieldAt = this.#slice;
    this.#lim = Math.min(this.#n, this.#yieldAt + this.#slice);
    const l = options.limits ?? {};
    this.#maxDepth = limit(l.maxDepth, 1000);
    this.#maxStreams = limit(l.maxStreams, Infinity);
    this.#maxEntries = limit(l.maxEntries, Infinity);
    this.#maxLabels = limit(l.maxLabelsPerStream, Infinity);
    this.#maxLabelBytes = limit(l.maxLabelBytes, Infinity);
    this.#maxPairs = limit(l.maxMetadataPairs, Infinity);
    this.#maxKeys = limit(l.maxKeys, Infinity);
    this.#account = options.account;
    this.#entryOverhead = options.entryOverhead ?? 64;
    this.#pairOverhead = options.pairOverhead ?? 32;
    this.#streamOverhead = options.streamOverhead ?? 128;
  }

  /** Bytes accounted so far. */
  get decodedBytes(): number {
    return this.#total + this.#pending;
  }

  /** Decodes the whole body. */
  *run(): Generator<undefined, PushRequest> {
    const b = this.#b;
    const n = this.#n;
    let p = skipSpace(b, 0, n);
    if (p >= n) throw invalid("EOF");
    if (b[p] === 0xef && p + 2 < n && b[p + 1] === 0xbb && b[p + 2] === 0xbf) {
      throw invalid(
        `invalid JSON: byte order mark at offset ${p} (Alloy and Loki refuse it too)`,
      );
    }
    const c = b[p];
    if (c === 0x6e) {
      p = this.#literal(p);
    } else if (c !== LBRACE) {
      if (isValueStart(c)) throw invalid('push body must be a JSON object with "streams"');
      throw this.#unexpected(p);
    } else {
      this.#checkDepth(1, p);
      p = skipSpace(b, p + 1, n);
      let keys = 0;
      if (p < n && b[p] === RBRACE) p++;
      else {
        for (;;) {
          if (p >= this.#yieldAt) yield* this.#pause(p);
          if (++keys > this.#maxKeys) throw this.#tooManyKeys("the push body", p);
          const ks = this.#expectKey(p);
          let ke = scanString(b, ks, this.#lim);
          if (ke < 0) ke = yield* this.#stringEnd(ks);
          let streams: boolean;
          if (!scanEscaped) streams = isStreamsKey(b, ks, ke);
          else {
            // json-iterator unescapes the key; a surrogate escape can never spell "streams".
            const len = this.#unescapeScratch(ks, ke);
            streams = len >= 0 && isStreamsKey(this.#scratch, 0, len);
          }
          p = this.#expectColon(ke + 1);
          if (!streams) {
            this.#pos = p;
            yield* this.#skip(2);
            p = this.#pos;
          } else if (p < n && b[p] === LBRACKET) {
            this.#pos = p;
            yield* this.#streams();
            p = this.#pos;
          } else if (p < n && b[p] === 0x6e) {
            p = this.#literal(p);
            this.#slots = [];
            this.#length = 0;
          } else if (p < n && isValueStart(b[p])) {
            throw invalid('"streams" must be an array');
          } else throw this.#unexpected(p);
          p = skipSpace(b, p, n);
          if (p < n && b[p] === COMMA) {
            p = skipSpace(b, p + 1, n);
            continue;
          }
          if (p < n && b[p] === RBRACE) {
            p++;
            break;
          }
          throw this.#unexpected(p);
        }
      }
    }
    p = skipSpace(b, p, n);
    if (p < n) {
      throw invalid(
        `invalid JSON: unexpected ${describeByte(b[p])} after the top-level value at offset ${p}`,
      );
    }
    this.#flush();
    const streams: PushStream[] = [];
    for (let i = 0; i < this.#length; i++) {
      const slot = this.#slots[i];
      streams.push({ labels: slot.labels ?? "{}", entries: slot.entries ?? [] });
    }
    return { streams };
  }

  /** Unescapes the key `b[s, e)` (jsonparser) into the scratch; returns its length or -1. */
  #unescapeScratch(s: number, e: number): number {
    if (this.#scratch.length < e - s) this.#scratch = new Uint8Array((e - s) * 2);
    return unescapeInto(this.#b, s, e, this.#scratch, 0);
  }

  /** Yields, then starts the next slice at `p`. */
  *#pause(p: number): Generator<undefined, void> {
    yield;
    this.#yieldAt = p + this.#slice;
    this.#lim = Math.min(this.#n, this.#yieldAt + this.#slice);
  }

  /**
   * The index of the closing quote of the string whose content starts at `s`, scanned across
   * slices when it is long. Sets `scanEscaped`.
   */
  *#stringEnd(s: number): Generator<undefined, number> {
    const b = this.#b;
    const n = this.#n;
    let lim = this.#lim;
    let q = scanString(b, s, lim);
    let escaped = false;
    while (q < 0) {
      if (q !== -1 || lim >= n) throw this.#stringFailure(q);
      // A string longer than a slice: scanned a slice at a time.
      escaped ||= scanEscaped;
      const at = scanPos;
      yield* this.#pause(at);
      lim = Math.min(n, this.#yieldAt);
      q = scanString(b, at, lim);
    }
    scanEscaped ||= escaped;
    return q;
  }

  /** Checks the opening quote of a key at `p`; returns where its content starts. */
  #expectKey(p: number): number {
    if (p < this.#n && this.#b[p] === QUOTE) return p + 1;
    throw this.#unexpected(p);
  }

  /** Checks the colon after a key ending before `p`; returns where the value starts. */
  #expectColon(p: number): number {
    const b = this.#b;
    const n = this.#n;
    p = skipSpace(b, p, n);
    if (p < n && b[p] === COLON) return skipSpace(b, p + 1, n);
    throw this.#unexpected(p);
  }

  /** Checks `null`, `true` or `false` at `p`; returns the position after it. */
  #literal(p: number): number {
    const end = literalEnd(this.#b, p, this.#n);
    if (end < 0) throw this.#unexpected(~end);
    return end;
  }

  /** Checks a number at `p` (RFC 8259 grammar); returns the position after it. */
  #number(p: number): number {
    const end = numberEnd(this.#b, p, this.#n);
    if (end < 0) throw this.#badNumber(p, ~end);
    return end;
  }

  #badNumber(start: number, p: number): Failure {
    if (p >= this.#n) return this.#unexpected(p);
    return invalid(
      `invalid JSON: malformed number ${quote(this.#b, start, p + 1)} at offset ${start}`,
    );
  }

  #unexpected(p: number): Failure {
    return invalid(unexpectedMessage(this.#b, p, this.#n));
  }

  #checkDepth(depth: number, p: number): void {
    if (depth > this.#maxDepth) {
      throw tooLarge(
        `nesting deeper than ${this.#maxDepth} levels at offset ${p} (request_limits.max_json_depth)`,
      );
    }
  }

  #tooManyKeys(what: string, p: number): Failure {
    return tooLarge(
      `${what} has more than ${this.#maxKeys} keys at offset ${p} (maxKeys ${this.#maxKeys})`,
    );
  }

  /** Adds to the accounted bytes, calling the hook in batches. */
  #charge(bytes: number): void {
    this.#pending += bytes;
    if (++this.#pendingItems >= ACCOUNT_EVERY || this.#pending >= ACCOUNT_BYTES) this.#flush();
  }

  #flush(): void {
    const bytes = this.#pending;
    this.#pending = 0;
    this.#pendingItems = 0;
    this.#total += bytes;
    if (this.#account === undefined || bytes === 0) return;
    const answer = this.#account(bytes);
    if (answer !== true) throw new Failure(answer.failure, answer.error);
  }

  /**
   * Skips (and checks) one JSON value of any kind at `this.#pos`, whose containers start at
   * `depth`; leaves `this.#pos` after it. No recursion: the open containers are a stack.
   */
  *#skip(depth: number): Generator<undefined, void> {
    const b = this.#b;
    const n = this.#n;
    let p = skipSpace(b, this.#pos, n);
    const stack: number[] = [];
    const keys: number[] = [];
    for (;;) {
      // A value is expected at p.
      if (p >= this.#yieldAt) yield* this.#pause(p);
      const c = p < n ? b[p] : -1;
      if (c === LBRACE || c === LBRACKET) {
        this.#checkDepth(depth + stack.length, p);
        p = skipSpace(b, p + 1, n);
        if (c === LBRACE) {
          if (p < n && b[p] === RBRACE) p++;
          else {
            stack.push(RBRACE);
            keys.push(1);
            if (this.#maxKeys < 1) throw this.#tooManyKeys("an object", p);
            p = yield* this.#skipKey(p);
            continue;
          }
        } else {
          if (p < n && b[p] === RBRACKET) p++;
          else {
            stack.push(RBRACKET);
            keys.push(0);
            continue;
          }
        }
      } else if (c === QUOTE) {
        let q = scanString(b, p + 1, this.#lim);
        if (q < 0) q = yield* this.#stringEnd(p + 1);
        p = q + 1;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        p = this.#number(p);
      } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
        p = this.#literal(p);
      } else throw this.#unexpected(p);
      // After a value: close containers until one has more.
      for (;;) {
        const top = stack.length - 1;
        if (top < 0) {
          this.#pos = p;
          return;
        }
        p = skipSpace(b, p, n);
        if (p < n && b[p] === COMMA) {
          p = skipSpace(b, p + 1, n);
          if (stack[top] === RBRACE) {
            if (++keys[top] > this.#maxKeys) throw this.#tooManyKeys("an object", p);
            p = yield* this.#skipKey(p);
          }
          break;
        }
        if (p < n && b[p] === stack[top]) {
          p++;
          stack.pop();
          keys.pop();
          continue;
        }
        throw this.#unexpected(p);
      }
    }
  }

  /** Skips a key and its colon at `p`; returns where the value starts. */
  *#skipKey(p: number): Generator<undefined, number> {
    const s = this.#expectKey(p);
    let q = scanString(this.#b, s, this.#lim);
    if (q < 0) q = yield* this.#stringEnd(s);
    return this.#expectColon(q + 1);
  }

  /** Reads the `"streams"` array at `this.#pos`. */
  *#streams(): Generator<undefined, void> {
    const b = this.#b;
    const n = this.#n;
    this.#checkDepth(STREAMS_DEPTH, this.#pos);
    let p = skipSpace(b, this.#pos + 1, n);
    if (p < n && b[p] === RBRACKET) {
      // json-iterator sets a new empty slice: what earlier arrays left is gone.
      this.#slots = [];
      this.#length = 0;
      this.#pos = p + 1;
      return;
    }
    let i = 0;
    for (;; i++) {
      if (p >= this.#yieldAt) yield* this.#pause(p);
      if (++this.#streamCount > this.#maxStreams) {
        throw tooLarge(
          `the request has more than ${this.#maxStreams} streams (request_limits.max_streams)`,
        );
      }
      if (!(p < n && b[p] === LBRACE)) {
        if (p < n && isValueStart(b[p])) throw invalid(`streams[${i}] must be an object`);
        throw this.#unexpected(p);
      }
      // json-iterator decodes into the slice it already has: element i keeps what earlier
      // "streams" arrays put there when this one does not set it.
      let slot = this.#slots[i];
      if (slot === undefined) {
        slot = { labels: undefined, entries: undefined };
        this.#slots[i] = slot;
      }
      this.#charge(this.#streamOverhead);
      this.#pos = p;
      yield* this.#stream(slot, i);
      p = skipSpace(b, this.#pos, n);
      if (p < n && b[p] === COMMA) {
        p = skipSpace(b, p + 1, n);
        continue;
      }
      if (p < n && b[p] === RBRACKET) {
        this.#pos = p + 1;
        this.#length = i + 1;
        return;
      }
      throw this.#unexpected(p);
    }
  }

  /**
   * Unescapes a key of an object jsonparser iterates (`ObjectEach`) into the scratch; returns its
   * length. jsonparser refuses the whole body when that fails.
   */
  #objectKey(s: number, e: number, where: () => string): number {
    const len = this.#unescapeScratch(s, e);
    if (len < 0) {
      throw invalid(
        `${where()}: invalid escape ${
          quote(this.#b, unescapeErrorAt, Math.min(e, unescapeErrorAt + 12))
        } in key at offset ${unescapeErrorAt} (as Alloy reads it)`,
      );
    }
    return len;
  }

  /** Reads one stream object at `this.#pos` into `slot`. */
  *#stream(slot: Slot, i: number): Generator<undefined, void> {
    const b = this.#b;
    const n = this.#n;
    this.#checkDepth(STREAM_DEPTH, this.#pos);
    let p = skipSpace(b, this.#pos + 1, n);
    if (p < n && b[p] === RBRACE) {
      this.#pos = p + 1;
      return;
    }
    let keys = 0;
    for (;;) {
      if (p >= this.#yieldAt) yield* this.#pause(p);
      if (++keys > this.#maxKeys) throw this.#tooManyKeys(`streams[${i}]`, p);
      const ks = this.#expectKey(p);
      let ke = scanString(b, ks, this.#lim);
      if (ke < 0) ke = yield* this.#stringEnd(ks);
      let kind = 0; // 1 stream, 2 values
      if (!scanEscaped) {
        kind = isWord(b, ks, ke, "stream") ? 1 : isWord(b, ks, ke, "values") ? 2 : 0;
      } else {
        const len = this.#objectKey(ks, ke, () => `streams[${i}]`);
        const s = this.#scratch;
        kind = isWord(s, 0, len, "stream") ? 1 : isWord(s, 0, len, "values") ? 2 : 0;
      }
      p = this.#expectColon(ke + 1);
      const c = p < n ? b[p] : -1;
      if (kind === 1) {
        if (c === LBRACE) {
          this.#pos = p;
          const labels = yield* this.#labels(i);
          slot.labels = labels;
          this.#charge(this.#labelsSize);
          p = this.#pos;
        } else if (isValueStart(c)) throw invalid(`streams[${i}].stream must be an object`);
        else throw this.#unexpected(p);
      } else if (kind === 2) {
        if (c === LBRACKET) {
          this.#pos = p;
          slot.entries = yield* this.#values(i);
          p = this.#pos;
        } else if (c === 0x6e) {
          p = this.#literal(p); // Alloy leaves the entries as they were.
        } else if (isValueStart(c)) throw invalid(`streams[${i}].values must be an array`);
        else throw this.#unexpected(p);
      } else {
        this.#pos = p;
        yield* this.#skip(STREAM_DEPTH + 1);
        p = this.#pos;
      }
      p = skipSpace(b, p, n);
      if (p < n && b[p] === COMMA) {
        p = skipSpace(b, p + 1, n);
        continue;
      }
      if (p < n && b[p] === RBRACE) {
        this.#pos = p + 1;
        return;
      }
      throw this.#unexpected(p);
    }
  }

  /** Unescapes `b[s, e)` as jsonparser's `ParseString` does into the scratch at `at`. */
  #parseString(
    s: number,
    e: number,
    at: number,
    where: () => string,
    what: () => string,
  ): number {
    const b = this.#b;
    if (this.#scratch.length < at + (e - s)) {
      const bigger = new Uint8Array(Math.max(this.#scratch.length * 2, at + (e - s)));
      bigger.set(this.#scratch.subarray(0, at));
      this.#scratch = bigger;
    }
    const o = unescapeInto(b, s, e, this.#scratch, at);
    if (o < 0) {
      throw invalid(
        `${where()}: invalid escape ${
          quote(b, unescapeErrorAt, Math.min(e, unescapeErrorAt + 12))
        } in ${what()} at offset ${unescapeErrorAt} (as Alloy reads it)`,
      );
    }
    return o;
  }

  /** Reads a `"stream"` label object at `this.#pos`; returns its label string. */
  *#labels(i: number): Generator<undefined, string> {
    const b = this.#b;
    const n = this.#n;
    this.#checkDepth(LABELS_DEPTH, this.#pos);
    let p = skipSpace(b, this.#pos + 1, n);
    if (p < n && b[p] === RBRACE) {
      this.#pos = p + 1;
      this.#labelsSize = 2;
      return "{}";
    }
    // Each label: name start, end, escaped; value start, end, kind (0 a string without escapes,
    // 1 with escapes, 2 another JSON value).
    const ranges = this.#labelRanges;
    let count = 0;
    let simpleNames = true;
    const max = this.#maxLabelBytes;
    // A lower bound of the label string's bytes: each label adds name + value + 5 (`="`, `"`,
    // `, `, which also covers the braces), and unescaping shortens text at most six times.
    let least = 0;
    for (;;) {
      if (p >= this.#yieldAt) yield* this.#pause(p);
      if (count >= this.#maxLabels) {
        throw tooLarge(
          `streams[${i}].stream has more than ${this.#maxLabels} labels (maxLabelsPerStream)`,
        );
      }
      const ks = this.#expectKey(p);
      let ke = scanString(b, ks, this.#lim);
      if (ke < 0) ke = yield* this.#stringEnd(ks);
      const keyEscaped = scanEscaped;
      p = this.#expectColon(ke + 1);
      let vs = p;
      let ve: number;
      let kind = 2;
      if (p < n && b[p] === QUOTE) {
        vs = p + 1;
        ve = scanString(b, vs, this.#lim);
        if (ve < 0) ve = yield* this.#stringEnd(vs);
        kind = scanEscaped ? 1 : 0;
        p = ve + 1;
      } else {
        this.#pos = p;
        yield* this.#skip(LABELS_DEPTH + 1);
        ve = p = this.#pos;
      }
      least += (keyEscaped ? Math.ceil((ke - ks) / 6) : ke - ks) +
        (kind === 0 ? ve - vs : Math.ceil((ve - vs) / 6)) + 5;
      if (least > max) throw this.#labelBytesOver(i);
      if (keyEscaped) simpleNames = false;
      else {
        for (let k = ks; k < ke; k++) {
          if (b[k] >= 0x80) {
            simpleNames = false;
            break;
          }
        }
      }
      const r = count * 6;
      ranges[r] = ks;
      ranges[r + 1] = ke;
      ranges[r + 2] = keyEscaped ? 1 : 0;
      ranges[r + 3] = vs;
      ranges[r + 4] = ve;
      ranges[r + 5] = kind;
      count++;
      p = skipSpace(b, p, n);
      if (p < n && b[p] === COMMA) {
        p = skipSpace(b, p + 1, n);
        continue;
      }
      if (p < n && b[p] === RBRACE) {
        this.#pos = p + 1;
        break;
      }
      throw this.#unexpected(p);
    }
    const labels = simpleNames
      ? this.#labelStringFromBytes(count, i)
      : this.#labelStringFromText(count, i);
    if (this.#labelsSize > max) throw this.#labelBytesOver(i);
    return labels;
  }

  /**
   * Builds the label string of labels whose names are ASCII without escapes as bytes (sorted,
   * deduplicated and quoted there), then decodes it once.
   */
  #labelStringFromBytes(count: number, i: number): string {
    const b = this.#b;
    const ranges = this.#labelRanges;
    const order = this.#labelOrder;
    order.length = count;
    for (let k = 0; k < count; k++) order[k] = k * 6;
    const byName = (x: number, y: number) =>
      compareRanges(b, ranges[x], ranges[x + 1], ranges[y], ranges[y + 1]) || x - y;
    if (count <= 16) insertionSort(order, byName);
    else order.sort(byName);
    let bound = 2;
    for (let k = 0; k < count; k++) {
      const r = k * 6;
      bound += ranges[r + 1] - ranges[r] + 5 + (ranges[r + 4] - ranges[r + 3]) * 6;
    }
    if (this.#out.length < bound) {
      this.#out = new Uint8Array(Math.max(bound, this.#out.length * 2));
    }
    const out = this.#out;
    let o = 0;
    let high = 0;
    out[o++] = LBRACE;
    for (let k = 0; k < count; k++) {
      const r = order[k];
      const ns = ranges[r];
      const ne = ranges[r + 1];
      if (k + 1 < count) {
        // A later label of the same name wins, but jsonparser unescaped this value too.
        const next = order[k + 1];
        if (compareRanges(b, ns, ne, ranges[next], ranges[next + 1]) === 0) {
          if (ranges[r + 5] !== 0) {
            this.#parseString(
              ranges[r + 3],
              ranges[r + 4],
              0,
              () => `streams[${i}].stream`,
              () => `the value of label ${quote(b, ns, ne)}`,
            );
          }
          continue;
        }
      }
      if (o > 1) {
        out[o++] = COMMA;
        out[o++] = 0x20;
      }
      for (let x = ns; x < ne; x++) out[o++] = b[x];
      out[o++] = 0x3d;
      out[o++] = QUOTE;
      const vs = ranges[r + 3];
      const ve = ranges[r + 4];
      if (ranges[r + 5] === 0) {
        for (let x = vs; x < ve; x++) high |= out[o++] = b[x];
      } else {
        const len = this.#parseString(
          vs,
          ve,
          0,
          () => `streams[${i}].stream`,
          () => `the value of label ${quote(b, ns, ne)}`,
        );
        o = quoteBytes(this.#scratch, len, out, o);
        high |= quotedHigh;
      }
      out[o++] = QUOTE;
    }
    out[o++] = RBRACE;
    if (high < 0x80) {
      this.#labelsSize = o;
      return asciiText(out, 0, o);
    }
    const labels = textDecoder.decode(out.subarray(0, o));
    this.#labelsSize = utf8Bytes(labels);
    return labels;
  }

  /** Builds the label string from decoded names and values (names with escapes or non-ASCII). */
  #labelStringFromText(count: number, i: number): string {
    const where = () => `streams[${i}].stream`;
    const b = this.#b;
    const ranges = this.#labelRanges;
    const names: string[] = [];
    const quoted: string[] = [];
    for (let k = 0; k < count; k++) {
      const r = k * 6;
      const ks = ranges[r];
      const ke = ranges[r + 1];
      let name: string;
      if (ranges[r + 2] === 0) name = decodeText(b, ks, ke);
      else {
        // Unescaped by ObjectEach, then again by ParseString.
        let len = this.#objectKey(ks, ke, where);
        const s = this.#scratch;
        if (s.subarray(0, len).includes(BACKSLASH)) {
          const copy = s.slice(0, len);
          len = unescapeInto(copy, 0, len, s, 0);
          if (len < 0) {
            throw invalid(
              `${where()}: label name ${
                quote(copy, 0, copy.length)
              } has an invalid escape (as Alloy reads it)`,
            );
          }
        }
        name = decodeText(s, 0, len);
      }
      const vs = ranges[r + 3];
      const ve = ranges[r + 4];
      if (ranges[r + 5] === 0) quoted.push(`"${decodeText(b, vs, ve)}"`);
      else {
        const len = this.#parseString(
          vs,
          ve,
          0,
          where,
          () => `the value of label ${quoteText(name)}`,
        );
        quoted.push(JSON.stringify(decodeText(this.#scratch, 0, len)));
      }
      names.push(name);
    }
    const labels = labelString(names, quoted);
    this.#labelsSize = utf8Bytes(labels);
    return labels;
  }

  #labelBytesOver(i: number): Failure {
    return tooLarge(
      `streams[${i}].stream: label string longer than ${this.#maxLabelBytes} bytes (request_limits.max_label_bytes)`,
    );
  }

  /** Makes room for `bytes` in the current chunk; returns where they go. */
  #reserve(bytes: number): number {
    if (this.#chunkPos + bytes > this.#chunk.length) {
      // What is written is about as long as the JSON it comes from: a small body gets a small chunk.
      this.#chunk = new Uint8Array(Math.max(bytes, Math.min(CHUNK_BYTES, this.#n)));
      this.#chunkPos = 0;
    }
    return this.#chunkPos;
  }

  /** Reads a `"values"` array at `this.#pos`. */
  *#values(i: number): Generator<undefined, WireEntry[]> {
    const b = this.#b;
    const n = this.#n;
    this.#checkDepth(VALUES_DEPTH, this.#pos);
    const entries: WireEntry[] = [];
    let p = skipSpace(b, this.#pos + 1, n);
    if (p < n && b[p] === RBRACKET) {
      this.#pos = p + 1;
      return entries;
    }
    for (let j = 0;; j++) {
      if (p >= this.#yieldAt) yield* this.#pause(p);
      const c = p < n ? b[p] : -1;
      if (c === LBRACKET) {
        let q = this.#entry(p, i, j, entries, this.#lim);
        if (q === NEED_STRING) {
          // A string in the entry runs past the slice: read it a slice at a time, then read the
          // entry again, this time to its end whatever its length (so that no entry is read more
          // than twice), finding that string done.
          const at = this.#needAt;
          const end = yield* this.#stringEnd(at);
          this.#knownStart = at;
          this.#knownEnd = end;
          this.#knownEscaped = scanEscaped;
          q = this.#entry(p, i, j, entries, n);
          this.#knownStart = -1;
        }
        if (q === EXTRA_ELEMENTS) {
          // [3] and on, after the entry is taken: ignored, as Alloy ignores them.
          p = this.#pos;
          while (p < n && b[p] === COMMA) {
            this.#pos = p + 1;
            yield* this.#skip(ENTRY_DEPTH + 1);
            p = skipSpace(b, this.#pos, n);
          }
          if (!(p < n && b[p] === RBRACKET)) throw this.#unexpected(p);
          q = p + 1;
        }
        p = q;
      } else if (c === 0x6e) {
        p = this.#literal(p); // a null entry is skipped
      } else if (isValueStart(c)) {
        throw invalid(`streams[${i}].values[${j}] must be an array [ts, line, {metadata}]`);
      } else throw this.#unexpected(p);
      p = skipSpace(b, p, n);
      if (p < n && b[p] === COMMA) {
        p = skipSpace(b, p + 1, n);
        continue;
      }
      if (p < n && b[p] === RBRACKET) {
        this.#pos = p + 1;
        return entries;
      }
      throw this.#unexpected(p);
    }
  }

  /**
   * The end of the string whose content starts at `s`, scanning no further than `lim`; else
   * {@link NEED_STRING} (and `#needAt` is `s`). Sets `scanEscaped`.
   */
  #string(s: number, lim: number): number {
    if (s === this.#knownStart) {
      scanEscaped = this.#knownEscaped;
      return this.#knownEnd;
    }
    const q = scanString(this.#b, s, lim);
    if (q >= 0) return q;
    if (q === -1 && lim < this.#n) {
      this.#needAt = s;
      return NEED_STRING;
    }
    throw this.#stringFailure(q);
  }

  /** The refusal for a failed {@link scanString} that did not stop at a slice's end. */
  #stringFailure(q: number): Failure {
    const b = this.#b;
    const n = this.#n;
    if (q === -2) {
      return invalid(
        `invalid JSON: control character ${
          describeByte(b[scanPos])
        } in string at offset ${scanPos}`,
      );
    }
    if (q === -3) {
      const end = scanPos + 1 < n && b[scanPos + 1] === 0x75 ? scanPos + 6 : scanPos + 2;
      return invalid(
        `invalid JSON: invalid escape ${
          quote(b, scanPos, Math.min(n, end))
        } in string at offset ${scanPos}`,
      );
    }
    return invalid(`invalid JSON: unexpected end of input in string at offset ${n}`);
  }

  /**
   * Reads the entry array at `p`, scanning strings no further than `lim`, and appends it to
   * `entries`; returns the position after it, or {@link NEED_STRING} (and `#needAt`) when a string
   * runs past `lim` (nothing has changed then), or {@link EXTRA_ELEMENTS} when the entry is taken
   * and elements after its metadata (at `#pos`) remain to be skipped.
   */
  #entry(p: number, i: number, j: number, entries: WireEntry[], lim: number): number {
    const b = this.#b;
    const n = this.#n;
    if (this.#entryCount >= this.#maxEntries) {
      throw tooLarge(
        `the request has more than ${this.#maxEntries} entries (request_limits.max_entries)`,
      );
    }
    this.#checkDepth(ENTRY_DEPTH, p);
    p = skipSpace(b, p + 1, n);
    let seconds = GO_ZERO_TIME_SECONDS;
    let nanos = 0;
    let lineStart = 0;
    let lineEnd = 0;
    let lineEscaped = false;
    let pairCount = 0;
    let extra = false;
    if (!(p < n && b[p] === RBRACKET)) {
      // [0]: the timestamp, a string of int64 nanoseconds.
      if (!(p < n && b[p] === QUOTE)) throw this.#notString(p, i, j, 0);
      let q = this.#string(p + 1, lim);
      if (q < 0) return q;
      if (!readTimestamp(b, p + 1, q)) {
        throw invalid(
          `streams[${i}].values[${j}][0]: timestamp ${
            quote(b, p + 1, q)
          } is not an integer count of Unix nanoseconds (int64)`,
        );
      }
      seconds = tsSeconds;
      nanos = tsNanos;
      p = skipSpace(b, q + 1, n);
      if (p < n && b[p] === COMMA) {
        // [1]: the line.
        p = skipSpace(b, p + 1, n);
        if (!(p < n && b[p] === QUOTE)) throw this.#notString(p, i, j, 1);
        q = this.#string(p + 1, lim);
        if (q < 0) return q;
        lineStart = p + 1;
        lineEnd = q;
        lineEscaped = scanEscaped;
        p = skipSpace(b, q + 1, n);
        if (p < n && b[p] === COMMA) {
          // [2]: structured metadata, an object of strings.
          p = skipSpace(b, p + 1, n);
          if (!(p < n && b[p] === LBRACE)) {
            if (p < n && isValueStart(b[p])) {
              throw invalid(`streams[${i}].values[${j}][2]: structured metadata must be an object`);
            }
            throw this.#unexpected(p);
          }
          this.#checkDepth(METADATA_DEPTH, p);
          p = skipSpace(b, p + 1, n);
          if (p < n && b[p] === RBRACE) p++;
          else {
            const pairs = this.#pairs;
            for (;;) {
              if (pairCount >= this.#maxPairs) {
                throw tooLarge(
                  `streams[${i}].values[${j}][2] has more than ${this.#maxPairs} structured metadata pairs (maxMetadataPairs)`,
                );
              }
              if (!(p < n && b[p] === QUOTE)) throw this.#unexpected(p);
              q = this.#string(p + 1, lim);
              if (q < 0) return q;
              const k = pairCount * 6;
              pairs[k] = p + 1;
              pairs[k + 1] = q;
              pairs[k + 2] = scanEscaped ? 1 : 0;
              p = skipSpace(b, q + 1, n);
              if (!(p < n && b[p] === COLON)) throw this.#unexpected(p);
              p = skipSpace(b, p + 1, n);
              if (!(p < n && b[p] === QUOTE)) {
                if (p < n && isValueStart(b[p])) {
                  const name = memberPath(b, pairs[k], pairs[k + 1]);
                  throw invalid(
                    `streams[${i}].values[${j}][2]${name}: structured metadata value must be a string`,
                  );
                }
                throw this.#unexpected(p);
              }
              q = this.#string(p + 1, lim);
              if (q < 0) return q;
              pairs[k + 3] = p + 1;
              pairs[k + 4] = q;
              pairs[k + 5] = scanEscaped ? 1 : 0;
              pairCount++;
              p = skipSpace(b, q + 1, n);
              if (p < n && b[p] === COMMA) {
                p = skipSpace(b, p + 1, n);
                continue;
              }
              if (p < n && b[p] === RBRACE) {
                p++;
                break;
              }
              throw this.#unexpected(p);
            }
          }
          p = skipSpace(b, p, n);
          if (p < n && b[p] === COMMA) extra = true;
        }
      }
      if (!extra && !(p < n && b[p] === RBRACKET)) throw this.#unexpected(p);
    }
    let entry: WireEntry;
    if (pairCount > 0) {
      entry = this.#entryWithMetadata(
        seconds,
        nanos,
        lineStart,
        lineEnd,
        lineEscaped,
        pairCount,
        i,
        j,
      );
    } else if (!lineEscaped) {
      entry = new WireEntry({
        seconds,
        nanos,
        source: b,
        lineStart,
        lineEnd,
        metaStart: 0,
        metaEnd: 0,
        metaSize: 0,
      });
    } else {
      const at = this.#reserve(lineEnd - lineStart);
      const end = this.#unescapeLine(lineStart, lineEnd, at, i, j);
      this.#chunkPos = end;
      entry = new WireEntry({
        seconds,
        nanos,
        source: this.#chunk,
        lineStart: at,
        lineEnd: end,
        metaStart: 0,
        metaEnd: 0,
        metaSize: 0,
      });
    }
    entries.push(entry);
    this.#entryCount++;
    this.#pending += this.#entryOverhead + entry.size + pairCount * this.#pairOverhead;
    if (++this.#pendingItems >= ACCOUNT_EVERY || this.#pending >= ACCOUNT_BYTES) this.#flush();
    if (extra) {
      this.#pos = p;
      return EXTRA_ELEMENTS;
    }
    return p + 1;
  }

  #notString(p: number, i: number, j: number, k: number): Failure {
    if (p < this.#n && isValueStart(this.#b[p])) {
      const what = k === 0 ? "timestamp" : "line";
      return invalid(`streams[${i}].values[${j}][${k}]: ${what} must be a string`);
    }
    return this.#unexpected(p);
  }

  /** Unescapes a line into the current chunk at `at`; returns where it ends. */
  #unescapeLine(s: number, e: number, at: number, i: number, j: number): number {
    const end = unescapeInto(this.#b, s, e, this.#chunk, at);
    if (end < 0) {
      throw invalid(
        `streams[${i}].values[${j}][1]: invalid escape ${
          quote(this.#b, unescapeErrorAt, Math.min(e, unescapeErrorAt + 12))
        } in line at offset ${unescapeErrorAt} (Alloy refuses lone UTF-16 surrogates)`,
      );
    }
    return end;
  }

  /**
   * Writes an entry's line and its metadata, as the protobuf `structuredMetadata` fields the
   * writer copies, together into the current chunk.
   */
  #entryWithMetadata(
    seconds: number,
    nanos: number,
    lineStart: number,
    lineEnd: number,
    lineEscaped: boolean,
    pairCount: number,
    i: number,
    j: number,
  ): WireEntry {
    const b = this.#b;
    const pairs = this.#pairs;
    let bound = lineEnd - lineStart;
    for (let k = 0; k < pairCount * 6; k += 6) {
      bound += pairs[k + 1] - pairs[k] + pairs[k + 4] - pairs[k + 3] + 18;
    }
    const start = this.#reserve(bound);
    const out = this.#chunk;
    let o = start;
    if (lineEscaped) o = this.#unescapeLine(lineStart, lineEnd, o, i, j);
    else o = copyBytes(b, lineStart, lineEnd, out, o);
    const metaStart = o;
    let metaSize = 0;
    for (let k = 0; k < pairCount * 6; k += 6) {
      let nameSource = b;
      let nameStart = pairs[k];
      let nameEnd = pairs[k + 1];
      let valueSource = b;
      let valueStart = pairs[k + 3];
      let valueEnd = pairs[k + 4];
      if (pairs[k + 2] === 1) {
        // Names: unescaped by ObjectEach, which refuses the body when it cannot.
        const len = this.#objectKey(nameStart, nameEnd, () => `streams[${i}].values[${j}][2]`);
        nameSource = this.#scratch;
        nameStart = 0;
        nameEnd = len;
      }
      if (pairs[k + 5] === 1) {
        const at = nameSource === this.#scratch ? nameEnd : 0;
        const end = this.#parseString(
          valueStart,
          valueEnd,
          at,
          () => `streams[${i}].values[${j}][2]`,
          () => "a structured metadata value",
        );
        valueSource = this.#scratch;
        valueStart = at;
        valueEnd = end;
        if (nameSource !== b) nameSource = this.#scratch; // the scratch may have grown
      }
      const nl = nameEnd - nameStart;
      const vl = valueEnd - valueStart;
      metaSize += nl + vl;
      const pairLen = (nl > 0 ? 1 + varintLength(nl) + nl : 0) +
        (vl > 0 ? 1 + varintLength(vl) + vl : 0);
      out[o++] = 0x1a;
      o = writeVarint(out, o, pairLen);
      if (nl > 0) {
        out[o++] = 0x0a;
        o = writeVarint(out, o, nl);
        o = copyBytes(nameSource, nameStart, nameEnd, out, o);
      }
      if (vl > 0) {
        out[o++] = 0x12;
        o = writeVarint(out, o, vl);
        o = copyBytes(valueSource, valueStart, valueEnd, out, o);
      }
    }
    this.#chunkPos = o;
    return new WireEntry({
      seconds,
      nanos,
      source: out,
      lineStart: start,
      lineEnd: metaStart,
      metaStart,
      metaEnd: o,
      metaSize,
    });
  }
}

/**
 * The label string of a stream, as the current decoder and Alloy build it: names sorted by their
 * UTF-8 bytes, the last of duplicate names kept; `quoted` holds the values as JSON strings.
 */
function labelString(names: string[], quoted: string[]): string {
  const count = names.length;
  if (count === 1) return `{${names[0]}=${quoted[0]}}`;
  const order: number[] = [];
  for (let k = 0; k < count; k++) order.push(k);
  const byName = (x: number, y: number) => compareBytes(names[x], names[y]) || x - y;
  if (count <= 16) insertionSort(order, byName);
  else order.sort(byName);
  const parts: string[] = [];
  for (let k = 0; k < count; k++) {
    const x = order[k];
    if (k + 1 < count && names[order[k + 1]] === names[x]) continue; // a later duplicate wins
    parts.push(`${names[x]}=${quoted[x]}`);
  }
  return `{${parts.join(", ")}}`;
}

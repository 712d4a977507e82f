/**
 * A byte-level, bounded, sliceable decoder for Loki's legacy JSON push body, what Loki still takes
 * on `POST /api/prom/push` with `Content-Type: application/json` (old clients such as
 * `loki-logger-ts` send it):
 * `{"streams":[{"labels":"{app=\"a\"}","entries":[{"ts":"2018-12-18T08:28:06.801064-04:00","line":"…"}]}]}`.
 *
 * Loki decodes it with json-iterator into its `PushRequest` structs; this reads the same bytes the
 * same way, with no `JSON.parse` and no object graph:
 *
 * - Keys are matched without regard to ASCII case (`"Streams"`, `"TS"`), after unescaping; other
 *   keys are skipped, whatever their value. A repeated key replaces what the earlier one gave.
 * - `"streams"`, `"entries"`: arrays (or `null`: none). A `null` stream has no entries; a `null`
 *   entry is Go's zero time with an empty line, as Loki reads it. `"format"`: a string, ignored.
 * - `"labels"`: the stream's label string (`null` is `""`). `"line"`: a string, kept as the bytes
 *   sent when it has no escapes (invalid UTF-8 included). `"ts"`: an RFC 3339 string read as Go's
 *   `time.Time` reads JSON (see `rfc3339.ts`; an escape inside makes it invalid, `null` or a
 *   missing `"ts"` is Go's zero time); a time outside 0001–9999 is refused.
 * - `"structuredMetadata"`: an object of strings (`null` values are `""`), read as Loki reads it
 *   (a Go map): the last of repeated names wins and the pairs are sorted by name. More than 4096
 *   names in one entry is refused as too large (the sort is not sliced). `"parsed"` is
 *   checked the same way and dropped (as the relay drops it from protobuf pushes).
 * - Escapes: a `\u` escape that is not a valid surrogate pair reads as U+FFFD, as in Go.
 *
 * Unlike Loki, a stream in the v1 format (`"stream"`, `"values"`) is refused with a reason naming
 * the v1 path: Loki skips such a stream (it has no `"entries"`) and answers 204, losing its
 * entries without a word. Like the v1 decoder it refuses what is not one RFC 8259 JSON value. Every bound of the push
 * route applies (streams, entries, label string bytes, nesting depth) before anything grows past
 * it, the decoded form is reported to `account` as it grows, and the work is cut into slices
 * (every 256 KiB of input or 1024 keys and array elements, and inside long strings).
 *
 * KEEP IN SYNC WITH: grafana/loki pkg/util/unmarshal/legacy/unmarshal.go, pkg/push/types.go.
 *
 * @module
 */
import type { Entry, PushRequest, PushStream } from "../types.ts";
import { WireEntry } from "./wire_entry.ts";
import { GO_ZERO_TIME_SECONDS } from "./timestamp.ts";
import { parseRfc3339 } from "./rfc3339.ts";
import {
  type DecodeLimits,
  type DecodeOptions,
  type DecodeResult,
  limitsOf,
} from "./decode_result.ts";
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

/** How to decode: the push route's limits and accounting, and slicing. */
export interface LegacyDecodeOptions extends DecodeOptions {
  /** Bytes counted per entry besides its line and metadata. Default 64. */
  entryOverhead?: number;
  /** Input bytes between yields. Default 262144 (256 KiB). */
  sliceBytes?: number;
}

/**
 * Decodes a legacy JSON push body in slices: the generator yields after about `sliceBytes` of
 * input and returns the outcome as a value (`invalid`: not such a body; `too_large`: a limit;
 * what `account` answered otherwise). It never throws for anything in the body. Entries whose line
 * has no escapes point into `bytes`, which must stay unchanged while they are used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLegacyJsonSteps } from "./decode_legacy_json.ts";
 * import { runToEnd } from "./decode_result.ts";
 *
 * const body = new TextEncoder().encode(JSON.stringify({
 *   streams: [{
 *     labels: '{app="a"}',
 *     entries: [{ ts: "2024-01-02T03:04:05.678Z", line: "hello", structuredMetadata: { b: "2", a: "1" } }],
 *   }],
 * }));
 * const result = runToEnd(decodeLegacyJsonSteps(body));
 * assert.ok(result.ok);
 * const stream = result.request.streams[0];
 * assert.equal(stream.labels, '{app="a"}');
 * assert.deepEqual(JSON.parse(JSON.stringify(stream.entries[0])), {
 *   seconds: 1704164645,
 *   nanos: 678000000,
 *   line: "hello",
 *   metadata: [{ name: "a", value: "1" }, { name: "b", value: "2" }],
 * });
 *
 * const late = new TextEncoder().encode('{"streams":[{"labels":"{}","entries":[{"ts":"yesterday"}]}]}');
 * assert.deepEqual(runToEnd(decodeLegacyJsonSteps(late)), {
 *   ok: false,
 *   failure: "invalid",
 *   error: 'streams[0].entries[0].ts: "yesterday" is not an RFC 3339 time',
 * });
 * ```
 */
export function* decodeLegacyJsonSteps(
  bytes: Uint8Array,
  options: LegacyDecodeOptions = {},
): Generator<undefined, DecodeResult> {
  const decoder = new LegacyDecoder(bytes, options);
  try {
    const request = yield* decoder.run();
    return { ok: true, request };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, failure: err.failure, error: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Internals.

/** Seconds of 10000-01-01T00:00:00Z: the first time Go's protobuf timestamps cannot hold. */
const MAX_SECONDS = 253402300800;
const ACCOUNT_EVERY = 256;
/** Keys and array elements read between yields, whatever their size (a few ms of work). */
const STEP_VALUES = 1024;
const ACCOUNT_BYTES = 1 << 20;
const STREAM_OVERHEAD = 128;
const PAIR_OVERHEAD = 32;
const MAX_QUOTE = 64;
/**
 * Structured-metadata pairs one entry may hold: they are sorted at once, so this bounds that step
 * (Loki keeps 128 by default, `max_structured_metadata_entries_count`).
 */
const MAX_METADATA_PAIRS = 4096;

// Depths of the fixed parts (the body object is 1).
const STREAMS_DEPTH = 2;
const STREAM_DEPTH = 3;
const ENTRIES_DEPTH = 4;
const ENTRY_DEPTH = 5;
const METADATA_DEPTH = 6;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** A refusal, thrown inside the decoder and returned as a value at its edge. */
class Failure extends Error {
  constructor(readonly failure: "invalid" | "too_large" | "busy", message: string) {
    super(message);
  }
}

function invalid(message: string): Failure {
  return new Failure("invalid", message);
}

function isValueStart(c: number): boolean {
  return c === QUOTE || c === LBRACE || c === LBRACKET || c === 0x2d ||
    (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}

/** Four hex digits at `p` as a number, or -1. */
function hex4(b: Uint8Array, p: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const d = hexDigit(b[p + k]);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

const SIMPLE_ESCAPE = new Int16Array(128).fill(-1);
for (const [e, v] of [[0x22, 0x22], [0x5c, 0x5c], [0x2f, 0x2f], [0x62, 8], [0x66, 12]]) {
  SIMPLE_ESCAPE[e] = v;
}
for (const [e, v] of [[0x6e, 10], [0x72, 13], [0x74, 9]]) SIMPLE_ESCAPE[e] = v;

/**
 * The bytes of a string's content `b[s, e)` with escapes resolved (already checked by the scan):
 * a surrogate pair becomes its code point, any other surrogate U+FFFD.
 */
function unescape(b: Uint8Array, s: number, e: number): Uint8Array {
  const out = new Uint8Array(e - s);
  let o = 0;
  let i = s;
  while (i < e) {
    const c = b[i];
    if (c !== BACKSLASH) {
      out[o++] = c;
      i++;
      continue;
    }
    const x = b[i + 1];
    if (x !== 0x75) {
      out[o++] = SIMPLE_ESCAPE[x];
      i += 2;
      continue;
    }
    let cp = hex4(b, i + 2);
    i += 6;
    if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= e && b[i] === BACKSLASH && b[i + 1] === 0x75) {
      const low = hex4(b, i + 2);
      if (low >= 0xdc00 && low < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      }
    }
    if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
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
  return out.subarray(0, o);
}

/** Whether the bytes equal `word` (lower-case ASCII) without regard to ASCII case. */
function isKey(b: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = b[s + k];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** Up to {@link MAX_QUOTE} bytes of `b[s, e)`, JSON-quoted, for a message. */
function quote(b: Uint8Array, s: number, e: number): string {
  const cut = Math.min(e, s + MAX_QUOTE);
  const text = JSON.stringify(utf8.decode(b.subarray(s, cut)));
  return cut < e ? `${text.slice(0, -1)}…"` : text;
}

/** The kinds of value a field may hold, for messages. */
type Kind = "a string" | "an array" | "an object";

/** The decoder's state for one body. */
class LegacyDecoder {
  readonly #b: Uint8Array;
  readonly #n: number;
  readonly #limits: DecodeLimits;
  readonly #account: DecodeOptions["account"];
  readonly #entryOverhead: number;
  readonly #slice: number;
  #yieldAt: number;
  #pending = 0;
  #pendingItems = 0;
  /** Keys and elements read since the last yield. */
  #work = 0;
  #streams = 0;
  #entries = 0;
  /** The last string read: content `[#strStart, #strEnd)`, and whether it had escapes. */
  #strStart = 0;
  #strEnd = 0;
  #strEscaped = false;

  constructor(bytes: Uint8Array, options: LegacyDecodeOptions) {
    this.#b = bytes;
    this.#n = bytes.length;
    this.#limits = limitsOf(options);
    this.#account = options.account;
    this.#entryOverhead = options.entryOverhead ?? 64;
    this.#slice = Math.max(16, options.sliceBytes ?? 256 * 1024);
    this.#yieldAt = this.#slice;
  }

  *run(): Generator<undefined, PushRequest> {
    const b = this.#b;
    const n = this.#n;
    let p = skipSpace(b, 0, n);
    if (p >= n) throw invalid("EOF");
    let streams: PushStream[] = [];
    if (b[p] === 0x6e) p = this.#literal(p);
    else if (b[p] !== LBRACE) {
      if (isValueStart(b[p])) throw invalid('push body must be a JSON object with "streams"');
      throw this.#unexpected(p);
    } else {
      p = yield* this.#object(p, 1, function* (this: LegacyDecoder, ks, ke, at) {
        if (this.#keyIs(ks, ke, "streams")) {
          const got = yield* this.#streamsArray(at);
          streams = got.streams;
          return got.end;
        }
        if (this.#keyIs(ks, ke, "format")) return yield* this.#stringOrNull(at, "format");
        return yield* this.#skip(at, STREAMS_DEPTH);
      });
    }
    p = skipSpace(b, p, n);
    if (p < n) {
      throw invalid(
        `invalid JSON: unexpected ${describeByte(b[p])} after the top-level value at offset ${p}`,
      );
    }
    this.#flush();
    return { streams };
  }

  /** Reads `"streams"`: an array of stream objects, or null. */
  *#streamsArray(p: number): Generator<undefined, { streams: PushStream[]; end: number }> {
    const streams: PushStream[] = [];
    if (this.#b[p] === 0x6e) return { streams, end: this.#literal(p) };
    this.#expect(p, LBRACKET, "streams", "an array");
    const end = yield* this.#array(p, STREAMS_DEPTH, function* (this: LegacyDecoder, at, i) {
      if (++this.#streams > this.#limits.maxStreams) {
        throw this.#tooLarge(
          `the push has more than ${this.#limits.maxStreams} streams (request_limits.max_streams)`,
        );
      }
      if (this.#b[at] === 0x6e) return this.#literal(at); // a null stream has nothing
      this.#expect(at, LBRACE, `streams[${i}]`, "an object");
      let labels = "";
      let entries: Entry[] = [];
      const after = yield* this.#object(
        at,
        STREAM_DEPTH,
        function* (this: LegacyDecoder, ks, ke, v) {
          if (this.#keyIs(ks, ke, "labels")) {
            const q = yield* this.#stringOrNull(v, `streams[${i}].labels`);
            labels = this.#b[v] === 0x6e ? "" : this.#labelString(i);
            return q;
          }
          if (this.#keyIs(ks, ke, "entries")) {
            const got = yield* this.#entriesArray(v, i);
            entries = got.entries;
            return got.end;
          }
          if (this.#keyIs(ks, ke, "stream") || this.#keyIs(ks, ke, "values")) {
            // Loki would skip this stream (no "entries") and answer 204: the entries would be
            // lost without a word.
            throw invalid(
              `streams[${i}] is in the v1 JSON format ("stream", "values"): push it to ` +
                '/loki/api/v1/push; this path takes the legacy format ("labels", "entries")',
            );
          }
          return yield* this.#skip(v, STREAM_DEPTH + 1);
        },
      );
      streams.push({ labels, entries });
      this.#grow(STREAM_OVERHEAD + 2 * labels.length, 1);
      return after;
    });
    return { streams, end };
  }

  /** The label string just read, checked against `max_label_bytes`. */
  #labelString(i: number): string {
    const bytes = this.#strEscaped
      ? unescape(this.#b, this.#strStart, this.#strEnd)
      : this.#b.subarray(this.#strStart, this.#strEnd);
    if (bytes.length > this.#limits.maxLabelBytes) {
      throw this.#tooLarge(
        `stream ${i} has a label string of ${bytes.length} bytes, more than ` +
          `${this.#limits.maxLabelBytes} (request_limits.max_label_bytes)`,
      );
    }
    return utf8.decode(bytes);
  }

  /** Reads `"entries"`: an array of entry objects, or null. */
  *#entriesArray(p: number, i: number): Generator<undefined, { entries: Entry[]; end: number }> {
    const entries: Entry[] = [];
    if (this.#b[p] === 0x6e) return { entries, end: this.#literal(p) };
    this.#expect(p, LBRACKET, `streams[${i}].entries`, "an array");
    const end = yield* this.#array(p, ENTRIES_DEPTH, function* (this: LegacyDecoder, at, j) {
      if (++this.#entries > this.#limits.maxEntries) {
        throw this.#tooLarge(
          `the push has more than ${this.#limits.maxEntries} entries (request_limits.max_entries)`,
        );
      }
      const path = `streams[${i}].entries[${j}]`;
      let seconds = GO_ZERO_TIME_SECONDS;
      let nanos = 0;
      let line: Uint8Array = new Uint8Array(0);
      let metadata: Map<string, string> | undefined;
      let after: number;
      if (this.#b[at] === 0x6e) after = this.#literal(at); // Go's zero time, an empty line
      else {
        this.#expect(at, LBRACE, path, "an object");
        after = yield* this.#object(at, ENTRY_DEPTH, function* (this: LegacyDecoder, ks, ke, v) {
          if (this.#keyIs(ks, ke, "ts")) {
            const q = yield* this.#stringOrNull(v, `${path}.ts`);
            seconds = GO_ZERO_TIME_SECONDS;
            nanos = 0;
            if (this.#b[v] !== 0x6e) ({ seconds, nanos } = this.#timestamp(path));
            return q;
          }
          if (this.#keyIs(ks, ke, "line")) {
            const q = yield* this.#stringOrNull(v, `${path}.line`);
            line = this.#b[v] === 0x6e
              ? new Uint8Array(0)
              : this.#strEscaped
              ? unescape(this.#b, this.#strStart, this.#strEnd)
              : this.#b.subarray(this.#strStart, this.#strEnd);
            return q;
          }
          if (this.#keyIs(ks, ke, "structuredmetadata")) {
            const got = yield* this.#stringMap(v, `${path}.structuredMetadata`);
            metadata = got.map;
            return got.end;
          }
          if (this.#keyIs(ks, ke, "parsed")) {
            return (yield* this.#stringMap(v, `${path}.parsed`)).end;
          }
          return yield* this.#skip(v, ENTRY_DEPTH + 1);
        });
      }
      const entry = makeEntry(this.#b, seconds, nanos, line, metadata);
      entries.push(entry);
      this.#grow(this.#entryOverhead + entry.size + (metadata?.size ?? 0) * PAIR_OVERHEAD, 1);
      return after;
    });
    return { entries, end };
  }

  /** The time of the string just read (its raw bytes, as Go reads them). */
  #timestamp(path: string): { seconds: number; nanos: number } {
    const length = this.#strEnd - this.#strStart;
    // Longer than any RFC 3339 time: not one (and not spread into arguments).
    const time = length <= 64
      ? parseRfc3339(String.fromCharCode(...this.#b.subarray(this.#strStart, this.#strEnd)))
      : undefined;
    const shown = quote(this.#b, this.#strStart, this.#strEnd);
    if (time === undefined) throw invalid(`${path}.ts: ${shown} is not an RFC 3339 time`);
    if (time.seconds < GO_ZERO_TIME_SECONDS || time.seconds >= MAX_SECONDS) {
      throw invalid(`${path}.ts: ${shown} is outside the years 0001 to 9999`);
    }
    return time;
  }

  /**
   * An object of strings (or null) read as Go reads it into a `map[string]string`: the last of
   * repeated names wins; a null value is `""`.
   */
  *#stringMap(
    p: number,
    path: string,
  ): Generator<undefined, { map: Map<string, string> | undefined; end: number }> {
    if (this.#b[p] === 0x6e) return { map: undefined, end: this.#literal(p) };
    this.#expect(p, LBRACE, path, "an object");
    const map = new Map<string, string>();
    const end = yield* this.#object(
      p,
      METADATA_DEPTH,
      function* (this: LegacyDecoder, ks, ke, v) {
        const name = this.#text(ks, ke, true);
        const q = yield* this.#stringOrNull(v, `${path}[${JSON.stringify(name)}]`);
        const value = this.#b[v] === 0x6e ? "" : this.#text(this.#strStart, this.#strEnd);
        map.set(name, value);
        if (map.size > MAX_METADATA_PAIRS) {
          throw this.#tooLarge(`${path} has more than ${MAX_METADATA_PAIRS} names`);
        }
        this.#grow(PAIR_OVERHEAD + 2 * (name.length + value.length), 0);
        return q;
      },
    );
    return { map, end };
  }

  /** The text of a string's content; `keyEscaped` for a key (whose escape flag is passed). */
  #text(s: number, e: number, key = false): string {
    const escaped = key ? this.#keyEscaped : this.#strEscaped;
    return utf8.decode(escaped ? unescape(this.#b, s, e) : this.#b.subarray(s, e));
  }

  #keyEscaped = false;

  /** Whether the key `b[s, e)` (escapes resolved) is `word` in any ASCII case. */
  #keyIs(s: number, e: number, word: string): boolean {
    if (!this.#keyEscaped) return isKey(this.#b, s, e, word);
    const bytes = unescape(this.#b, s, e);
    return isKey(bytes, 0, bytes.length, word);
  }

  /**
   * Reads the object at `p` (its `{`), calling `member(keyStart, keyEnd, valueAt)` for each key,
   * which reads the value and returns the position after it. Returns the position after `}`.
   */
  *#object(
    p: number,
    depth: number,
    member: (ks: number, ke: number, at: number) => Generator<undefined, number>,
  ): Generator<undefined, number> {
    const b = this.#b;
    const n = this.#n;
    this.#checkDepth(depth, p);
    p = skipSpace(b, p + 1, n);
    if (p < n && b[p] === RBRACE) return p + 1;
    for (;;) {
      if (p >= this.#yieldAt || ++this.#work >= STEP_VALUES) yield* this.#pause(p);
      if (!(p < n && b[p] === QUOTE)) throw this.#unexpected(p);
      yield* this.#string(p);
      const ks = this.#strStart;
      const ke = this.#strEnd;
      p = skipSpace(b, ke + 1, n);
      if (!(p < n && b[p] === COLON)) throw this.#unexpected(p);
      p = skipSpace(b, p + 1, n);
      if (p >= n) throw this.#unexpected(p);
      this.#keyEscaped = this.#strEscaped;
      p = skipSpace(b, yield* member.call(this, ks, ke, p), n);
      if (p < n && b[p] === COMMA) {
        p = skipSpace(b, p + 1, n);
        continue;
      }
      if (p < n && b[p] === RBRACE) return p + 1;
      throw this.#unexpected(p);
    }
  }

  /** Reads the array at `p`, calling `element(at, index)` for each element. */
  *#array(
    p: number,
    depth: number,
    element: (at: number, index: number) => Generator<undefined, number>,
  ): Generator<undefined, number> {
    const b = this.#b;
    const n = this.#n;
    this.#checkDepth(depth, p);
    p = skipSpace(b, p + 1, n);
    if (p < n && b[p] === RBRACKET) return p + 1;
    for (let i = 0;; i++) {
      if (p >= this.#yieldAt || ++this.#work >= STEP_VALUES) yield* this.#pause(p);
      if (!(p < n && isValueStart(b[p]))) throw this.#unexpected(p);
      p = skipSpace(b, yield* element.call(this, p, i), n);
      if (p < n && b[p] === COMMA) {
        p = skipSpace(b, p + 1, n);
        continue;
      }
      if (p < n && b[p] === RBRACKET) return p + 1;
      throw this.#unexpected(p);
    }
  }

  /** Reads a string (or null) for `path`; returns the position after it. */
  *#stringOrNull(p: number, path: string): Generator<undefined, number> {
    if (this.#b[p] === 0x6e) return this.#literal(p);
    this.#expect(p, QUOTE, path, "a string");
    return yield* this.#string(p);
  }

  /**
   * Scans the string whose opening quote is at `p`, a slice at a time, checking escapes and
   * control characters; sets `#strStart`, `#strEnd` (its content) and `#strEscaped`, and returns
   * the position after the closing quote.
   */
  *#string(p: number): Generator<undefined, number> {
    const b = this.#b;
    const n = this.#n;
    const start = p + 1;
    let escaped = false;
    let i = start;
    // A string may run one slice past the current one before the scan pauses.
    let lim = Math.min(n, this.#yieldAt + this.#slice);
    for (;;) {
      while (i < lim) {
        const c = b[i];
        if (c === QUOTE) {
          this.#strStart = start;
          this.#strEnd = i;
          this.#strEscaped = escaped;
          return i + 1;
        }
        if (c < 0x20) {
          throw invalid(
            `invalid JSON: control character ${describeByte(c)} in string at offset ${i}`,
          );
        }
        if (c !== BACKSLASH) {
          i++;
          continue;
        }
        escaped = true;
        const x = b[i + 1];
        const length = x === 0x75 ? 6 : 2;
        if (i + length > n) {
          throw invalid(`invalid JSON: unexpected end of input in string at offset ${n}`);
        }
        if (x === 0x75 ? hex4(b, i + 2) < 0 : !(x < 128 && SIMPLE_ESCAPE[x] >= 0)) {
          throw invalid(
            `invalid JSON: invalid escape ${quote(b, i, i + length)} in string at offset ${i}`,
          );
        }
        i += length;
      }
      if (i >= n) {
        throw invalid(`invalid JSON: unexpected end of input in string at offset ${n}`);
      }
      yield* this.#pause(i);
      lim = Math.min(n, this.#yieldAt);
    }
  }

  /** Skips any value at `p` (checked as JSON, bounded in depth); returns the position after it. */
  *#skip(p: number, depth: number): Generator<undefined, number> {
    const c = this.#b[p];
    if (c === QUOTE) return yield* this.#string(p);
    if (c === LBRACE) {
      return yield* this.#object(p, depth, function* (this: LegacyDecoder, _ks, _ke, v) {
        return yield* this.#skip(v, depth + 1);
      });
    }
    if (c === LBRACKET) {
      return yield* this.#array(p, depth, function* (this: LegacyDecoder, at) {
        return yield* this.#skip(at, depth + 1);
      });
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) return this.#literal(p);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number(p);
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

  /** Checks that the value at `p` starts with `open`; else the type error for `path`. */
  #expect(p: number, open: number, path: string, kind: Kind): void {
    if (this.#b[p] === open) return;
    if (isValueStart(this.#b[p])) throw invalid(`${path} must be ${kind}`);
    throw this.#unexpected(p);
  }

  #unexpected(p: number): Failure {
    return invalid(unexpectedMessage(this.#b, p, this.#n));
  }

  #checkDepth(depth: number, p: number): void {
    if (depth > this.#limits.maxDepth) {
      throw this.#tooLarge(
        `JSON nested deeper than ${this.#limits.maxDepth} at offset ${p} ` +
          "(request_limits.max_json_depth)",
      );
    }
  }

  #tooLarge(message: string): Failure {
    return new Failure("too_large", message);
  }

  /** Yields, then starts the next slice at `p`. */
  *#pause(p: number): Generator<undefined, void> {
    yield;
    this.#yieldAt = p + this.#slice;
    this.#work = 0;
  }

  /** Counts `bytes` more of decoded form (and `items` more entries or streams). */
  #grow(bytes: number, items: number): void {
    this.#pending += bytes;
    this.#pendingItems += items;
    if (this.#pendingItems >= ACCOUNT_EVERY || this.#pending >= ACCOUNT_BYTES) this.#flush();
  }

  /** Reports what is pending to the accounting hook. */
  #flush(): void {
    const bytes = this.#pending;
    this.#pending = 0;
    this.#pendingItems = 0;
    if (!this.#account || bytes === 0) return;
    const answer = this.#account(bytes);
    if (answer !== true) throw new Failure(answer.failure, answer.error);
  }
}

/**
 * An entry whose line is `line` (a view of the body, or its own unescaped bytes) and whose
 * metadata is written after it as the protobuf fields the writer copies, sorted by name.
 */
function makeEntry(
  body: Uint8Array,
  seconds: number,
  nanos: number,
  line: Uint8Array,
  metadata: Map<string, string> | undefined,
): WireEntry {
  if (metadata === undefined || metadata.size === 0) {
    const inBody = line.buffer === body.buffer;
    const source = inBody ? body : line;
    const lineStart = inBody ? line.byteOffset - body.byteOffset : 0;
    return new WireEntry({
      seconds,
      nanos,
      source,
      lineStart,
      lineEnd: lineStart + line.length,
      metaStart: 0,
      metaEnd: 0,
      metaSize: 0,
    });
  }
  const names = [...metadata.keys()].sort(compareBytes);
  const pairs = names.map((name) => [encoder.encode(name), encoder.encode(metadata.get(name)!)]);
  let size = line.length;
  let metaSize = 0;
  for (const [name, value] of pairs) {
    const inner = (name.length > 0 ? 1 + varintLength(name.length) + name.length : 0) +
      (value.length > 0 ? 1 + varintLength(value.length) + value.length : 0);
    size += 1 + varintLength(inner) + inner;
    metaSize += name.length + value.length;
  }
  const out = new Uint8Array(size);
  out.set(line, 0);
  let o = line.length;
  for (const [name, value] of pairs) {
    const inner = (name.length > 0 ? 1 + varintLength(name.length) + name.length : 0) +
      (value.length > 0 ? 1 + varintLength(value.length) + value.length : 0);
    out[o++] = 0x1a;
    o = writeVarint(out, o, inner);
    if (name.length > 0) {
      out[o++] = 0x0a;
      o = writeVarint(out, o, name.length);
      out.set(name, o);
      o += name.length;
    }
    if (value.length > 0) {
      out[o++] = 0x12;
      o = writeVarint(out, o, value.length);
      out.set(value, o);
      o += value.length;
    }
  }
  return new WireEntry({
    seconds,
    nanos,
    source: out,
    lineStart: 0,
    lineEnd: line.length,
    metaStart: line.length,
    metaEnd: o,
    metaSize,
  });
}

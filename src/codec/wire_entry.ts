/**
 * An entry decoded from a protobuf push that keeps its line and structured metadata as the bytes
 * the client sent. The writer copies those bytes into its batch without turning them into strings
 * and back; `line` and `metadata` are decoded only when something reads them.
 *
 * @module
 */
import type { Entry, LabelPair } from "../types.ts";
import { readMetadata } from "./proto_fields.ts";
import { utf8Length } from "./utf8.ts";

const decoder = new TextDecoder();

/** Where a {@link WireEntry}'s bytes are in the decoded push body. */
export interface WireEntryParts {
  seconds: number;
  nanos: number;
  /** The decoded (decompressed) push body. */
  source: Uint8Array;
  lineStart: number;
  lineEnd: number;
  /**
   * The structured-metadata fields (tags included), contiguous in `source`; `metaStart === metaEnd`
   * when there are none or when `pairs` holds them instead.
   */
  metaStart: number;
  metaEnd: number;
  /** Bytes of metadata names and values. */
  metaSize: number;
  /** The metadata, when its fields were not contiguous in the entry. */
  pairs?: LabelPair[];
}

/**
 * An {@link Entry} backed by the bytes of a protobuf push.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WireEntry } from "./wire_entry.ts";
 *
 * const source = new TextEncoder().encode("xhello");
 * const e = new WireEntry({
 *   seconds: 1, nanos: 2, source, lineStart: 1, lineEnd: 6,
 *   metaStart: 0, metaEnd: 0, metaSize: 0,
 * });
 * assert.equal(e.line, "hello");
 * assert.equal(e.size, 5);
 * assert.equal(e.metadata, undefined);
 * ```
 */
export class WireEntry implements Entry {
  seconds: number;
  nanos: number;
  readonly source: Uint8Array;
  readonly lineStart: number;
  readonly lineEnd: number;
  readonly metaStart: number;
  readonly metaEnd: number;
  /** Bytes of line, metadata names and values: what Loki and Alloy count. */
  readonly size: number;
  readonly pairs: LabelPair[] | undefined;

  constructor(p: WireEntryParts) {
    this.seconds = p.seconds;
    this.nanos = p.nanos;
    this.source = p.source;
    this.lineStart = p.lineStart;
    this.lineEnd = p.lineEnd;
    this.metaStart = p.metaStart;
    this.metaEnd = p.metaEnd;
    this.size = p.lineEnd - p.lineStart + p.metaSize;
    this.pairs = p.pairs;
  }

  /** The line, decoded from UTF-8 (invalid bytes read as U+FFFD). */
  get line(): string {
    return decoder.decode(this.source.subarray(this.lineStart, this.lineEnd));
  }

  /** The structured metadata, or `undefined` when there is none. */
  get metadata(): LabelPair[] | undefined {
    if (this.pairs) return this.pairs;
    if (this.metaStart === this.metaEnd) return undefined;
    return readMetadata(this.source, this.metaStart, this.metaEnd);
  }

  /** A plain-object copy (what `JSON.stringify` writes): line and metadata as strings. */
  toJSON(): Entry {
    const metadata = this.metadata;
    const plain: Entry = { seconds: this.seconds, nanos: this.nanos, line: this.line };
    if (metadata) plain.metadata = metadata;
    return plain;
  }
}

/**
 * Bytes of an entry's line, structured-metadata names and values: what Loki and Alloy count for
 * batch sizes and limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entrySize } from "./wire_entry.ts";
 *
 * assert.equal(entrySize({ seconds: 0, nanos: 0, line: "abé", metadata: [{ name: "k", value: "vv" }] }), 7);
 * ```
 */
export function entrySize(e: Entry): number {
  if (e instanceof WireEntry) return e.size;
  let n = utf8Length(e.line);
  if (e.metadata) { for (const p of e.metadata) n += utf8Length(p.name) + utf8Length(p.value); }
  return n;
}

/**
 * Bytes a decoded entry object holds in this process while its request is handled (measured on
 * Deno and Bun: 106–133 bytes of heap per `WireEntry`, 130–170 of RSS), not counting the body it
 * points into. The receive side counts it against `max_inflight_bytes` as entries are decoded.
 */
export const DECODED_ENTRY_BYTES = 160;

/**
 * Bytes a stream holds in a queued batch besides its label string: its map entry, byte ranges and
 * protobuf framing.
 */
export const QUEUED_STREAM_BYTES = 256;

/**
 * Bytes an entry holds once queued for Loki: its line and structured metadata, their protobuf
 * framing, its timestamp, and the batch's bookkeeping. This, not {@link entrySize}, is what
 * `queue_config.capacity` counts, so an entry whose cost is not in its line (an empty line) is
 * not free.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queuedEntryBytes } from "./wire_entry.ts";
 *
 * assert.equal(queuedEntryBytes({ seconds: 0, nanos: 0, line: "" }), 32);
 * assert.equal(queuedEntryBytes({ seconds: 0, nanos: 0, line: "ab", metadata: [{ name: "k", value: "v" }] }), 44);
 * ```
 */
export function queuedEntryBytes(e: Entry): number {
  if (e instanceof WireEntry) {
    const framing = e.pairs
      ? 8 * e.pairs.length
      : e.metaEnd - e.metaStart - (e.size - (e.lineEnd - e.lineStart));
    return e.size + framing + 32;
  }
  return entrySize(e) + 32 + (e.metadata ? 8 * e.metadata.length : 0);
}

/**
 * Bytes a stream's label string holds in a queued batch: the key as a JS string and as the
 * UTF-8 bytes of the request to Loki, plus {@link QUEUED_STREAM_BYTES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queuedStreamBytes } from "./wire_entry.ts";
 *
 * assert.equal(queuedStreamBytes('{a="1"}'), 256 + 3 * 7);
 * ```
 */
export function queuedStreamBytes(key: string): number {
  return QUEUED_STREAM_BYTES + 3 * key.length;
}

/**
 * Turns decoded text lines into {@link WireEntry}s backed by UTF-8 bytes, written into shared
 * chunks: one `encodeInto` per line, no per-line array, and the size Loki counts known at once.
 *
 * @module
 */
import type { LabelPair } from "../types.ts";
import { utf8Length } from "./utf8.ts";
import { WireEntry } from "./wire_entry.ts";

const encoder = new TextEncoder();
const CHUNK_BYTES = 256 * 1024;

/**
 * A writer of line bytes for the entries of one request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineArena } from "./line_arena.ts";
 *
 * const arena = new LineArena();
 * const e = arena.entry(1, 2, "héllo", [{ name: "k", value: "v" }]);
 * assert.equal(e.line, "héllo");
 * assert.equal(e.size, 8);
 * assert.deepEqual(e.metadata, [{ name: "k", value: "v" }]);
 * ```
 */
export class LineArena {
  #chunk = new Uint8Array(0);
  #pos = 0;

  /** An entry for `line` (and its structured metadata, kept as strings). */
  entry(seconds: number, nanos: number, line: string, pairs?: LabelPair[]): WireEntry {
    const most = line.length * 3;
    if (this.#pos + most > this.#chunk.length) {
      this.#chunk = new Uint8Array(Math.max(CHUNK_BYTES, most));
      this.#pos = 0;
    }
    const lineStart = this.#pos;
    const { written } = encoder.encodeInto(line, this.#chunk.subarray(lineStart));
    this.#pos += written;
    let metaSize = 0;
    if (pairs) { for (const p of pairs) metaSize += utf8Length(p.name) + utf8Length(p.value); }
    return new WireEntry({
      seconds,
      nanos,
      source: this.#chunk,
      lineStart,
      lineEnd: lineStart + written,
      metaStart: 0,
      metaEnd: 0,
      metaSize,
      pairs,
    });
  }
}

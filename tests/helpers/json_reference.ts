// The JSON push decoder lokirelay had before its byte-level one (JSON.parse, then the object
// graph): kept as a reference that ordinary bodies decode to the same requests.
/**
 * Loki's JSON push format (v1):
 * `{"streams":[{"stream":{"app":"a"},"values":[["<unix ns>","<line>",{"k":"v"}]]}]}`.
 *
 * KEEP IN SYNC WITH: grafana/alloy internal/component/loki/source/api/internal/loghttp/push.go
 *
 * @module
 */
import type { LabelPair, PushRequest, PushStream } from "../../src/types.ts";
import { WireEntry } from "../../src/codec/wire_entry.ts";
import { compareBytes } from "../../src/labels/format_labels.ts";
import { GO_ZERO_TIME_SECONDS, parseNanoString } from "../../src/codec/timestamp.ts";
import { utf8Length } from "../../src/codec/utf8.ts";

/** Decodes a JSON push body (the reference implementation). */
export function decodePushJson(text: string): PushRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(text.trim() === "" ? "EOF" : `invalid JSON: ${(err as Error).message}`);
  }
  if (body === null) return { streams: [] };
  if (!isObject(body)) throw new SyntaxError('push body must be a JSON object with "streams"');
  const raw = streamsOf(body);
  if (raw === undefined || raw === null) return { streams: [] };
  if (!Array.isArray(raw)) throw new SyntaxError('"streams" must be an array');
  const streams: PushStream[] = [];
  const arena = new LineArena();
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    if (s === null) continue;
    if (!isObject(s)) throw new SyntaxError(`streams[${i}] must be an object`);
    streams.push({ labels: labelString(s.stream, i), entries: entriesOf(s.values, i, arena) });
  }
  return { streams };
}

function streamsOf(body: Record<string, unknown>): unknown {
  if ("streams" in body) return body.streams;
  const key = Object.keys(body).find((k) => k.toLowerCase() === "streams");
  return key === undefined ? undefined : body[key];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function labelString(stream: unknown, i: number): string {
  if (stream === undefined) return "{}";
  if (!isObject(stream)) throw new SyntaxError(`streams[${i}].stream must be an object`);
  const names = Object.keys(stream).sort(compareBytes);
  let out = "{";
  for (let j = 0; j < names.length; j++) {
    const v = stream[names[j]];
    if (j > 0) out += ", ";
    out += `${names[j]}=${JSON.stringify(typeof v === "string" ? v : JSON.stringify(v))}`;
  }
  return out + "}";
}

function entriesOf(values: unknown, i: number, arena: LineArena): WireEntry[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new SyntaxError(`streams[${i}].values must be an array`);
  const entries: WireEntry[] = [];
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (v === null) continue;
    if (!Array.isArray(v)) {
      throw new SyntaxError(`streams[${i}].values[${j}] must be an array [ts, line, {metadata}]`);
    }
    entries.push(entryOf(v, `streams[${i}].values[${j}]`, arena));
  }
  return entries;
}

function entryOf(v: unknown[], path: string, arena: LineArena): WireEntry {
  if (v.length === 0) return arena.entry(GO_ZERO_TIME_SECONDS, 0, "");
  const [ts, line = "", md] = v;
  if (typeof ts !== "string") throw new SyntaxError(`${path}[0]: timestamp must be a string`);
  if (typeof line !== "string") throw new SyntaxError(`${path}[1]: line must be a string`);
  const { seconds, nanos } = parseNanoString(ts);
  let pairs: LabelPair[] | undefined;
  if (v.length > 2) {
    if (!isObject(md)) throw new SyntaxError(`${path}[2]: structured metadata must be an object`);
    const metadata: LabelPair[] = [];
    for (const name in md) {
      const value = md[name];
      if (typeof value !== "string") {
        throw new SyntaxError(`${path}[2].${name}: structured metadata value must be a string`);
      }
      metadata.push({ name, value });
    }
    if (metadata.length > 0) pairs = metadata;
  }
  return arena.entry(seconds, nanos, line, pairs);
}

const encoder = new TextEncoder();
const CHUNK_BYTES = 256 * 1024;

/** Writes decoded lines into shared chunks as UTF-8. */
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

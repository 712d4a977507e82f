/**
 * One endpoint's reader of the WAL: it reads records in order from the endpoint's cursor,
 * following the writer's acknowledged tail, and hands their entries to the endpoint as its queue
 * makes room. Its cursor is the first record not yet delivered or dropped by the endpoint, so a
 * healthy endpoint is never held back by a slow one, and a slow one catches up from disk.
 *
 * A record that is torn or corrupt (checksum, framing or content) ends what is read of its
 * segment: the rest is cut, counted and logged, and reading goes on with the next segment.
 *
 * @module
 */
import type { Labels, Stream } from "../types.ts";
import type { WalFiles } from "../runtime.ts";
import type { Logger } from "../log/logger.ts";
import type { Endpoint } from "../forward/endpoint.ts";
import { DeliveryTicket } from "../forward/delivery_ticket.ts";
import { queuedEntryBytes, queuedStreamBytes } from "../codec/wire_entry.ts";
import { checkRecord, decodeRecord, RECORD_HEADER_BYTES } from "./wal_record.ts";
import { segmentName } from "./segment_name.ts";
import type { Position } from "./wal_cursors.ts";
import type { WalWriter } from "./wal_writer.ts";
import type { WalMetrics } from "./wal_metrics.ts";
import { WAL_READ_BYTES } from "../config/memory_bound.ts";

/** What a reader needs besides its endpoint. */
export interface WalReaderDeps {
  files: WalFiles;
  dir: string;
  writer: WalWriter;
  metrics: WalMetrics;
  logger: Logger;
  /** The labels of a stream key (cached). */
  labelsOf: (key: string) => Labels;
  /** Puts `external_labels` under streams. */
  external: (streams: Stream[]) => Stream[];
  /** Segments below this index were written before this start: reading them is a replay. */
  replayBelow: number;
}

interface Outstanding {
  end: Position;
  appendedAt: number;
  done: boolean;
}

/** Reads the WAL for one endpoint. */
export class WalReader {
  readonly endpoint: Endpoint;
  readonly #deps: WalReaderDeps;
  #pos: Position;
  #outstanding: Outstanding[] = [];
  #cursor: Position;
  #stop = new AbortController();
  #running: Promise<void> | undefined;
  #progress: (() => void)[] = [];
  #chunk: { segment: number; offset: number; bytes: Uint8Array } | undefined;

  constructor(endpoint: Endpoint, start: Position, deps: WalReaderDeps) {
    this.endpoint = endpoint;
    this.#deps = deps;
    this.#pos = { ...start };
    this.#cursor = { ...start };
  }

  /** The first record not yet delivered or dropped by the endpoint. */
  get cursor(): Position {
    return this.#cursor;
  }

  /** When the oldest record not yet delivered or dropped was written (ms), or `undefined`. */
  get oldestUnsent(): number | undefined {
    return this.#outstanding.find((o) => !o.done)?.appendedAt;
  }

  /** Whether everything acknowledged so far has been read and settled. */
  get caughtUp(): boolean {
    const w = this.#deps.writer;
    return this.#outstanding.length === 0 && this.#pos.segment === w.live &&
      this.#pos.offset >= w.liveAcked;
  }

  /** Starts reading. */
  start(): void {
    this.#running ??= this.#run().catch((err) => {
      this.#deps.logger.error("write-ahead log reader stopped", {
        endpoint: this.endpoint.endpoint.host,
        error: (err as Error).message,
      });
    });
  }

  /**
   * Resolves the next time the cursor moves or the reader reaches the tail, or when `signal`
   * aborts (and then forgets the caller).
   */
  progressed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      this.#progress.push(resolve);
      signal?.addEventListener("abort", () => {
        this.#progress = this.#progress.filter((p) => p !== resolve);
        resolve();
      }, { once: true });
    });
  }

  /** Stops reading (what was handed to the endpoint is the endpoint's to finish). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const writer = this.#deps.writer;
    while (!signal.aborted) {
      const { segment, offset } = this.#pos;
      const live = segment === writer.live;
      const size = live ? writer.liveAcked : (writer.sizes.get(segment) ?? -1);
      if (size < 0) {
        this.#moveTo(this.#next(segment));
        continue;
      }
      if (offset >= size) {
        if (!live) {
          this.#moveTo(this.#next(segment));
          continue;
        }
        this.#moveTo(this.#pos);
        this.#notify();
        await writer.acked(signal);
        continue;
      }
      const found = writer.recent(segment, offset) ?? await this.#read(segment, offset, size);
      if (typeof found === "string") {
        this.#cut(segment, offset, size, found);
        this.#chunk = undefined;
        this.#moveTo(this.#next(segment, live));
        continue;
      }
      const record = found;
      const end = { segment, offset: offset + record.length };
      await this.#hand(record, end, signal);
      this.#pos = end;
    }
  }

  /**
   * The record at `offset` of `segment` (whose readable bytes end at `size`), read through a
   * chunk of the file, or how it is broken: `torn` (it runs past the end) or `corrupt`.
   */
  async #read(
    segment: number,
    offset: number,
    size: number,
  ): Promise<Uint8Array | "torn" | "corrupt"> {
    let chunk = this.#chunk;
    if (!chunk || chunk.segment !== segment || offset < chunk.offset) chunk = undefined;
    // At most: the chunk held, a first read, and a second one sized by the header it found.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (chunk) {
        const at = offset - chunk.offset;
        const length = checkRecord(chunk.bytes, at);
        if (length < 0) return "corrupt";
        if (length > 0) return chunk.bytes.subarray(at, at + length);
        if (at + RECORD_HEADER_BYTES <= chunk.bytes.length) {
          const view = new DataView(chunk.bytes.buffer, chunk.bytes.byteOffset);
          if (offset + RECORD_HEADER_BYTES + view.getUint32(at, true) > size) return "torn";
        } else if (chunk.offset + chunk.bytes.length >= size) return "torn";
      }
      const declared = chunk ? this.#declared(chunk, offset) : 0;
      const want = Math.min(size - offset, Math.max(WAL_READ_BYTES, declared));
      const path = `${this.#deps.dir}/${segmentName(segment)}`;
      chunk = { segment, offset, bytes: await this.#deps.files.read(path, offset, want) };
      this.#chunk = chunk;
    }
    return "torn";
  }

  /** The whole length the record at `offset` declares, when `chunk` holds its header. */
  #declared(chunk: { offset: number; bytes: Uint8Array }, offset: number): number {
    const at = offset - chunk.offset;
    if (at < 0 || at + RECORD_HEADER_BYTES > chunk.bytes.length) return 0;
    const view = new DataView(chunk.bytes.buffer, chunk.bytes.byteOffset);
    return RECORD_HEADER_BYTES + view.getUint32(at, true);
  }

  /** The start of the segment after `segment` (skipping missing ones), or its end when live. */
  #next(segment: number, stayLive = false): Position {
    const w = this.#deps.writer;
    if (stayLive && segment === w.live) return { segment, offset: w.liveAcked };
    let next = segment + 1;
    while (next < w.live && !w.sizes.has(next)) next++;
    return { segment: Math.min(next, w.live), offset: 0 };
  }

  #cut(segment: number, offset: number, size: number, how: string): void {
    const m = this.#deps.metrics;
    m.corruptRecords.inc();
    m.discardedBytes.inc(size - offset);
    this.#deps.logger.error("write-ahead log record cut", {
      endpoint: this.endpoint.endpoint.host,
      segment: segmentName(segment),
      offset,
      record: how,
      discarded_bytes: size - offset,
    });
  }

  /** Decodes a record and hands its entries to the endpoint once its queue has room. */
  async #hand(record: Uint8Array, end: Position, signal: AbortSignal): Promise<void> {
    const decoded = decodeRecord(record.subarray(RECORD_HEADER_BYTES));
    if (!decoded.ok) {
      this.#cut(end.segment, end.offset - record.length, end.offset, "unreadable");
      const item = { end, appendedAt: 0, done: false };
      this.#outstanding.push(item);
      this.#settle(item);
      return;
    }
    const ep = this.endpoint;
    let streams: Stream[] = decoded.request.streams.map((s) => ({
      labels: this.#deps.labelsOf(s.labels),
      key: s.labels,
      entries: s.entries,
    }));
    streams = this.#deps.external(streams);
    let bytes = 0;
    for (const s of streams) {
      bytes += queuedStreamBytes(s.key);
      for (const e of s.entries) bytes += queuedEntryBytes(e);
    }
    while (!ep.budget.hasRoom(bytes)) {
      this.#notify();
      await ep.budget.freed(signal);
      if (signal.aborted) return;
    }
    const item: Outstanding = { end, appendedAt: decoded.appendedAt, done: false };
    this.#outstanding.push(item);
    const tenant = decoded.tenant ?? ep.endpoint.tenantId ?? "";
    const ticket = new DeliveryTicket((outcome) => {
      if (outcome === "done") this.#settle(item);
    });
    if (end.segment < this.#deps.replayBelow) {
      this.#deps.metrics.replayedEntries.inc({ host: ep.endpoint.host }, decoded.entries);
    }
    ep.take(tenant, streams, ticket);
  }

  /** Reads on from `pos`; with nothing outstanding, the cursor moves there too. */
  #moveTo(pos: Position): void {
    this.#pos = pos;
    if (this.#outstanding.length === 0) this.#cursor = { ...pos };
  }

  /** Marks a record settled and moves the cursor past every settled record at the front. */
  #settle(item: Outstanding): void {
    item.done = true;
    while (this.#outstanding.length > 0 && this.#outstanding[0].done) {
      this.#cursor = this.#outstanding.shift()!.end;
    }
    if (this.#outstanding.length === 0) this.#cursor = { ...this.#pos };
    this.#notify();
  }

  #notify(): void {
    const waiting = this.#progress;
    this.#progress = [];
    for (const w of waiting) w();
  }
}

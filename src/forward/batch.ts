/**
 * A batch being filled for one tenant of one endpoint: entries are encoded as Loki's protobuf as
 * they arrive (so a send never pays for a whole batch at once, and the queue holds bytes, not
 * objects), grouped into streams by label set when the batch is sealed.
 *
 * @module
 */
import type { Entry, Stream } from "../types.ts";
import { EntryEncoder, type StreamParts } from "../codec/encode_proto.ts";
import { entrySize, queuedEntryBytes, queuedStreamBytes } from "../codec/wire_entry.ts";
import type { DeliveryTicket, TicketOutcome } from "./delivery_ticket.ts";

/**
 * A batch closed to new entries. It keeps its entry buffer until it is compressed, so that its
 * `PushRequest` protobuf can be assembled again if the first copy was handed to a worker that
 * failed; {@link freeze} trades that for an exactly sized copy.
 */
export class SealedBatch {
  readonly tenant: string;
  readonly entries: number;
  /** Bytes of lines and metadata (Loki's measure: metrics, `batch_size`). */
  readonly bytes: number;
  /** Bytes charged to the queue for this batch (see `queuedEntryBytes`). */
  readonly queued: number;
  /** The takes whose entries this batch holds (with the WAL on). */
  readonly tickets: readonly DeliveryTicket[];
  /** The snappy block, once compression has started. */
  block: Promise<Uint8Array> | undefined;
  #writer: EntryEncoder | undefined;
  #streams: StreamParts[];
  #frozen: Uint8Array | undefined;

  constructor(
    tenant: string,
    counts: { entries: number; bytes: number; queued: number; tickets: DeliveryTicket[] },
    writer: EntryEncoder,
    streams: StreamParts[],
  ) {
    this.tenant = tenant;
    this.entries = counts.entries;
    this.bytes = counts.bytes;
    this.queued = counts.queued;
    this.tickets = counts.tickets;
    this.#writer = writer;
    this.#streams = streams;
  }

  /** The batch's `PushRequest` protobuf: a new array at each call, unless frozen. */
  body(): Uint8Array {
    return this.#frozen ?? this.#writer!.assemble(this.#streams);
  }

  /** Keeps one exactly sized protobuf and lets the entry buffer go. */
  freeze(): void {
    this.#frozen = this.body();
    this.release();
  }

  /** Lets the entry buffer go (back to the pool); only a frozen body remains. */
  release(): void {
    this.#writer?.release();
    this.#writer = undefined;
  }

  /** Tells the takes whose entries this batch holds what became of it. */
  settle(outcome: TicketOutcome): void {
    for (const t of this.tickets) t.release(outcome);
  }
}

/** A batch for one tenant. */
export class OpenBatch {
  readonly tenant: string;
  bytes = 0;
  /** Bytes charged to the queue so far: entries, and each stream's labels once. */
  queued = 0;
  entries = 0;
  readonly tickets: DeliveryTicket[] = [];
  #writer = new EntryEncoder(16 * 1024);
  #streams = new Map<string, number[]>();
  #current: number[] | undefined;
  #currentKey = "";

  constructor(tenant: string) {
    this.tenant = tenant;
  }

  /**
   * Adds one entry of `size` bytes (Loki's measure) to the stream `key`; returns the bytes it
   * adds to the queue (the entry, and the stream's labels the first time this batch sees them).
   */
  add(key: string, entry: Entry, size: number, ticket?: DeliveryTicket): number {
    let queued = queuedEntryBytes(entry);
    if (ticket && this.tickets[this.tickets.length - 1] !== ticket) {
      this.tickets.push(ticket);
      ticket.hold();
    }
    const at = this.#writer.pos;
    let ranges = this.#current;
    if (key !== this.#currentKey || ranges === undefined) {
      ranges = this.#streams.get(key);
      if (ranges === undefined) {
        this.#streams.set(key, ranges = []);
        queued += queuedStreamBytes(key);
      }
      if (ranges.length === 0 || ranges[ranges.length - 1] !== at) ranges.push(at, at);
      this.#current = ranges;
      this.#currentKey = key;
    }
    this.#writer.appendEntry(entry);
    ranges[ranges.length - 1] = this.#writer.pos;
    this.bytes += size;
    this.queued += queued;
    this.entries++;
    return queued;
  }

  /** Closes the batch; its entry buffer goes with the sealed batch (add nothing after this). */
  seal(): SealedBatch {
    const streams: StreamParts[] = [];
    for (const [labels, ranges] of this.#streams) streams.push({ labels, ranges });
    return new SealedBatch(this.tenant, this, this.#writer, streams);
  }
}

/**
 * Splits streams into batches of at most `maxBytes` (a batch always takes at least one entry),
 * continuing `current` while it has room. Full batches are returned sealed, with the bytes all
 * these entries add to the queue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fillBatches, OpenBatch } from "./batch.ts";
 *
 * const e = (line: string) => ({ seconds: 0, nanos: 0, line });
 * const { sealed, open, queued } = fillBatches(
 *   undefined,
 *   [{ key: '{a="1"}', labels: { a: "1" }, entries: [e("aaaa"), e("bbbb"), e("cccc")] }],
 *   { tenant: "t", maxBytes: 8 },
 * );
 * assert.deepEqual(sealed.map((b) => b.entries), [2]);
 * assert.equal(open.entries, 1);
 * assert.equal(queued, 3 * (4 + 32) + 2 * (256 + 3 * '{a="1"}'.length)); // the stream twice
 * assert.ok(open instanceof OpenBatch);
 * ```
 */
export function fillBatches(
  current: OpenBatch | undefined,
  streams: Stream[],
  options: { tenant: string; maxBytes: number; ticket?: DeliveryTicket },
): { sealed: SealedBatch[]; open: OpenBatch; queued: number } {
  const sealed: SealedBatch[] = [];
  let queued = 0;
  let open = current ?? new OpenBatch(options.tenant);
  for (const stream of streams) {
    for (const entry of stream.entries) {
      const size = entrySize(entry);
      if (open.entries > 0 && open.bytes + size > options.maxBytes) {
        sealed.push(open.seal());
        open = new OpenBatch(options.tenant);
      }
      queued += open.add(stream.key, entry, size, options.ticket);
    }
  }
  return { sealed, open, queued };
}

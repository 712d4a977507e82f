/**
 * The live tail behind `GET /tail`: entries accepted after a subscriber connects, filtered by its
 * label matchers, as Server-Sent Events. Built so that a tail can never hurt the relay:
 *
 * - each subscriber has a token bucket (`rate` entries a second, as a burst too); entries past it
 *   are dropped and counted in the stream;
 * - each subscriber's stream holds at most `bufferBytes`; what a slow reader cannot take is
 *   dropped and counted, never queued;
 * - an entry is copied (its first `lineChars` characters) into the event's bytes when it is
 *   published, so nothing keeps a request's body alive;
 * - at most `maxSubscribers` at once, and each stream ends after `lifetimeMs` (the browser's
 *   `EventSource` reconnects), so a forgotten tab holds nothing for long.
 *
 * @module
 */
import type { Accepted, Entry, Labels } from "../types.ts";
import { WireEntry } from "../codec/wire_entry.ts";
import type { LabelFilter } from "./label_matchers.ts";

/** Bounds of the tail. */
export interface TailLimits {
  /** Entries a second each subscriber gets at most (and its burst). */
  rate: number;
  maxSubscribers: number;
  /** Bytes of events one subscriber's stream holds while its reader is slow. */
  bufferBytes: number;
  /** Characters of a line shown (longer ones are cut and marked). */
  lineChars: number;
  /** Seconds between keep-alive comments (they also find closed connections). */
  heartbeatSeconds: number;
}

/** The tail's bounds. */
export const TAIL_LIMITS: TailLimits = {
  rate: 100,
  maxSubscribers: 8,
  bufferBytes: 256 * 1024,
  lineChars: 4096,
  heartbeatSeconds: 5,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Subscriber {
  filter: LabelFilter;
  controller: ReadableStreamDefaultController<Uint8Array>;
  tokens: number;
  refilledAt: number;
  endsAt: number;
  rateLimited: number;
  slowClient: number;
  reported: number;
}

/** The time of an entry as RFC 3339 with nanoseconds. */
function timeOf(e: Entry): string {
  const iso = new Date(e.seconds * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(e.nanos).padStart(9, "0")}Z`;
}

/** The first `chars` characters of an entry's line, decoding no more of its bytes than needed. */
function lineOf(e: Entry, chars: number): string {
  let line: string;
  if (e instanceof WireEntry) {
    const end = Math.min(e.lineEnd, e.lineStart + chars * 4);
    line = decoder.decode(e.source.subarray(e.lineStart, end));
  } else line = e.line;
  return line.length > chars ? line.slice(0, chars) + "…" : line;
}

/**
 * The subscribers of the live tail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TailHub } from "./tail_hub.ts";
 *
 * let now = 0;
 * const hub = new TailHub(() => now, { rate: 2 });
 * const stream = hub.subscribe((labels) => labels.app === "api", 60_000)!;
 * const entry = (line: string) => ({ seconds: 1700000000, nanos: 5, line });
 * hub.publish({
 *   tenant: "t1",
 *   streams: [
 *     { labels: { app: "api" }, key: '{app="api"}', entries: [entry("a"), entry("b"), entry("c")] },
 *     { labels: { app: "web" }, key: '{app="web"}', entries: [entry("w")] },
 *   ],
 *   entryCount: 4,
 *   byteSize: 4,
 *   queuedBytes: 0,
 * });
 * now = 1000;
 * hub.tick();
 * hub.close();
 * const text = await new Response(stream).text();
 * assert.match(text, /^retry: 1000\n\n/);
 * assert.match(text, /"line":"a"/);
 * assert.match(text, /"line":"b"/);
 * assert.doesNotMatch(text, /"line":"[cw]"/);
 * assert.match(text, /event: dropped\ndata: \{"rate_limited":1,"slow_client":0\}/);
 * ```
 */
export class TailHub {
  readonly #now: () => number;
  readonly #limits: TailLimits;
  readonly #subs = new Set<Subscriber>();
  #ticks = 0;

  constructor(now: () => number, limits: Partial<TailLimits> = {}) {
    this.#now = now;
    this.#limits = { ...TAIL_LIMITS, ...limits };
  }

  /** The bounds in force. */
  get limits(): TailLimits {
    return this.#limits;
  }

  /** Subscribers connected now. */
  get size(): number {
    return this.#subs.size;
  }

  /**
   * A new subscriber's event stream, or `undefined` when `maxSubscribers` are connected. The
   * stream ends after `lifetimeMs` or when its reader cancels it.
   */
  subscribe(filter: LabelFilter, lifetimeMs: number): ReadableStream<Uint8Array> | undefined {
    if (this.#subs.size >= this.#limits.maxSubscribers) return undefined;
    const now = this.#now();
    let sub: Subscriber;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        sub = {
          filter,
          controller,
          tokens: this.#limits.rate,
          refilledAt: now,
          endsAt: now + lifetimeMs,
          rateLimited: 0,
          slowClient: 0,
          reported: 0,
        };
        this.#subs.add(sub);
        controller.enqueue(encoder.encode(`retry: 1000\n\n: lokirelay live tail\n\n`));
      },
      cancel: () => {
        this.#subs.delete(sub);
      },
    }, { highWaterMark: this.#limits.bufferBytes, size: (chunk) => chunk.byteLength });
  }

  /** Hands accepted entries to every subscriber whose matchers take their stream. */
  publish(accepted: Accepted): void {
    if (this.#subs.size === 0) return;
    const now = this.#now();
    const tenant = accepted.tenant ?? "";
    for (const sub of this.#subs) {
      this.#refill(sub, now);
      for (const stream of accepted.streams) {
        if (!sub.filter(stream.labels)) continue;
        const entries = stream.entries;
        for (let i = 0; i < entries.length; i++) {
          if (sub.tokens < 1) {
            sub.rateLimited += entries.length - i;
            break;
          }
          sub.tokens--;
          this.#send(sub, this.#event(tenant, stream.labels, entries[i]));
        }
      }
    }
  }

  /**
   * Called about once a second: reports drops, sends keep-alives, ends streams that have lived
   * their time.
   */
  tick(): void {
    const now = this.#now();
    const heartbeat = ++this.#ticks % this.#limits.heartbeatSeconds === 0;
    for (const sub of this.#subs) {
      const dropped = sub.rateLimited + sub.slowClient;
      if (dropped > sub.reported) {
        sub.reported = dropped;
        const data = JSON.stringify({ rate_limited: sub.rateLimited, slow_client: sub.slowClient });
        this.#send(sub, encoder.encode(`event: dropped\ndata: ${data}\n\n`), true);
      } else if (heartbeat) this.#send(sub, encoder.encode(": ping\n\n"), true);
      if (now >= sub.endsAt) this.#end(sub);
    }
  }

  /** Ends every stream (the relay stops). */
  close(): void {
    for (const sub of this.#subs) this.#end(sub);
  }

  #refill(sub: Subscriber, now: number): void {
    const rate = this.#limits.rate;
    sub.tokens = Math.min(rate, sub.tokens + (now - sub.refilledAt) * rate / 1000);
    sub.refilledAt = now;
  }

  #event(tenant: string, labels: Labels, e: Entry): Uint8Array {
    const data = JSON.stringify({
      time: timeOf(e),
      tenant,
      labels,
      line: lineOf(e, this.#limits.lineChars),
    });
    return encoder.encode(`event: entry\ndata: ${data}\n\n`);
  }

  #send(sub: Subscriber, bytes: Uint8Array, notice = false): void {
    const room = sub.controller.desiredSize ?? 0;
    if (room >= bytes.byteLength || (notice && room > 0)) {
      sub.controller.enqueue(bytes);
    } else if (!notice) sub.slowClient++;
  }

  #end(sub: Subscriber): void {
    this.#subs.delete(sub);
    try {
      sub.controller.close();
    } catch {
      // already closed or cancelled
    }
  }
}

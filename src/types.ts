/**
 * The data that flows through the relay, from decode to the sink.
 *
 * @module
 */

/** A label set: name → value. A label with an empty value does not exist. */
export type Labels = Record<string, string>;

/** One name/value pair of structured metadata, order as received. */
export interface LabelPair {
  name: string;
  value: string;
}

/**
 * One log entry. The timestamp is split into whole seconds and nanoseconds (0 ≤ nanos < 1e9)
 * so that nanosecond precision survives without a `bigint` per entry. Entries the relay decodes
 * keep their line as the bytes received (`WireEntry`): `line` and `metadata` are then getters that
 * decode on each read, and `JSON.stringify` gives the plain form.
 */
export interface Entry {
  /** Whole seconds since the Unix epoch (may be negative). */
  seconds: number;
  /** Nanoseconds within the second, 0 to 999 999 999. */
  nanos: number;
  /** The log line. */
  line: string;
  /** Structured metadata; absent or empty when there is none. */
  metadata?: LabelPair[];
}

/** A stream as it is on the wire: the label string (`{app="a"}`) and its entries. */
export interface PushStream {
  labels: string;
  entries: Entry[];
}

/** Loki's `PushRequest`: what one push carries, before labels are parsed. */
export interface PushRequest {
  streams: PushStream[];
}

/** A stream after the label pipeline: labels parsed, fixed labels set, relabelled, `__*` removed. */
export interface Stream {
  /**
   * The stream's own tenant, when a `__tenant_id__` label set one other than the request's;
   * `undefined`: the tenant of the {@link Accepted} it is in.
   */
  tenant?: string;
  labels: Labels;
  /** The canonical label string of `labels` (`{a="x", b="y"}`, sorted): the stream's key. */
  key: string;
  entries: Entry[];
}

/** What one accepted request hands to the sink: its streams and the tenant from `X-Scope-OrgID`. */
export interface Accepted {
  /** The tenant, or `undefined` when the request named none. */
  tenant?: string;
  streams: Stream[];
  /** Entries in all streams. */
  entryCount: number;
  /** Bytes of lines and structured metadata in all streams (Loki's and Alloy's batch-size measure). */
  byteSize: number;
  /**
   * Bytes these entries will hold once queued for Loki: lines, metadata, timestamps, framing and
   * each stream's labels (see `queuedEntryBytes`). What `queue_config.capacity` counts.
   */
  queuedBytes: number;
}

/**
 * The sink's answer to an offer: taken; refused for now because a queue or the WAL's disk bound
 * is full (`full`) or because the WAL cannot write (`unavailable`), the client being told when to
 * retry; or refused because the relay is stopping.
 */
export type SinkResult =
  | { status: "ok" }
  | { status: "full"; retryAfterSeconds: number; reason: string }
  | { status: "unavailable"; retryAfterSeconds: number; reason: string }
  | { status: "closed" };

/** Where accepted entries go: the Loki forwarder, or stdout when no `forward_to` is configured. */
export interface Sink {
  /**
   * Takes all of `accepted` or none of it; with `waitMs`, a full sink waits up to that long for
   * room before it answers. Never throws for a full queue. What it keeps of the entries it copies
   * before it answers: their bytes are views of the request's body, whose buffer is reused once
   * the request is answered.
   */
  offer(accepted: Accepted, waitMs?: number): SinkResult | Promise<SinkResult>;
  /**
   * Whether an offer of at least `bytes` could be taken, asked before a request body is read so
   * that an overloaded relay refuses early and cheaply, holding nothing. With `waitMs`, a full
   * sink waits up to that long for room before it answers. Optional: a sink without it is asked
   * by `offer`.
   */
  hasRoom?(waitMs?: number, bytes?: number): SinkResult | Promise<SinkResult>;
  /**
   * Bytes an offer of `accepted` holds in memory beyond the entries until it is answered (the
   * write-ahead log's records, while they are written and synced). The route takes them from the
   * request's in-flight hold first. Optional: none.
   */
  heldBytes?(accepted: Accepted): number;
  /** Stops taking entries, delivers what is held within the drain timeout, then resolves. */
  close(): Promise<void>;
}

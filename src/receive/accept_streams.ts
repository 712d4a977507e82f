/**
 * Turns a decoded push into what is handed to the sink: labels resolved per stream, entries
 * stamped with the receive time unless incoming timestamps are kept.
 *
 * @module
 */
import type { Accepted, PushRequest, Stream } from "../types.ts";
import type { ResolvedStream } from "./stream_resolver.ts";
import type { Stampable } from "./receive_clock.ts";
import { entrySize, queuedEntryBytes, queuedStreamBytes } from "../codec/wire_entry.ts";
import type { ValidationSettings } from "../config/settings.ts";
import { checkEntries } from "../limits/loki_validation.ts";
import { RefusalReport } from "../limits/refusal_report.ts";

/** Options of {@link acceptStreams}. */
export interface AcceptOptions {
  resolve: (labelString: string) => ResolvedStream;
  /** Sets the receive time on entries, in order (see `createReceiveClock`). */
  stamp: (entries: Stampable[]) => void;
  useIncomingTimestamp: boolean;
  /** The request's tenant (`X-Scope-OrgID`, the default, or the credential's pin). */
  tenant?: string;
  /** Whether a `__tenant_id__` label may set a stream's tenant (not when a credential pins it). */
  labelTenants?: boolean;
  /** Loki's limits, checked on each stream and entry (labels are checked by `resolve`). */
  validation?: ValidationSettings;
  /** The time entries are checked against (ms since the epoch). */
  now?: number;
}

/**
 * What was accepted, the last stream error (Alloy's partial success), entries skipped by reason,
 * and what Loki's limits refused.
 */
export interface AcceptResult {
  accepted: Accepted;
  error?: string;
  skipped: Record<string, number>;
  /** Present when Loki's limits are on. */
  refused?: RefusalReport;
}

/** Streams resolved, and entries stamped and sized, between two yields of {@link acceptSteps}. */
const STEP_STREAMS = 256;
const STEP_ENTRIES = 8192;

/**
 * Accepts the streams of a push request, step by step (it yields every few hundred streams or
 * few thousand entries, so many unique streams never hold the event loop). Streams whose labels
 * fail to parse are skipped and the last error is returned; streams dropped by relabelling or
 * left without labels are counted by reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptSteps } from "./accept_streams.ts";
 * import { createStreamResolver } from "./stream_resolver.ts";
 * import { runToEnd } from "../codec/decode_result.ts";
 *
 * const { accepted, error } = runToEnd(acceptSteps(
 *   { streams: [
 *     { labels: '{app="a"}', entries: [{ seconds: 1, nanos: 2, line: "hi" }] },
 *     { labels: "{bad-name=1}", entries: [{ seconds: 1, nanos: 2, line: "x" }] },
 *   ] },
 *   {
 *     resolve: createStreamResolver({ labels: {}, relabel: null }),
 *     stamp: (entries) => entries.forEach((e) => Object.assign(e, { seconds: 9, nanos: 9 })),
 *     useIncomingTimestamp: false,
 *   },
 * ));
 * assert.equal(accepted.entryCount, 1);
 * assert.deepEqual(accepted.streams[0].entries[0], { seconds: 9, nanos: 9, line: "hi" });
 * assert.equal(accepted.byteSize, 2);
 * assert.equal(accepted.queuedBytes, 2 + 32 + 256 + 3 * '{app="a"}'.length);
 * assert.match(error!, /parse error/);
 * ```
 */
export function* acceptSteps(
  req: PushRequest,
  options: AcceptOptions,
): Generator<undefined, AcceptResult> {
  const streams: Stream[] = [];
  const skipped: Record<string, number> = {};
  let error: string | undefined;
  let entryCount = 0;
  let byteSize = 0;
  let queuedBytes = 0;
  let work = 0;
  const v = options.validation;
  const refused = v ? new RefusalReport() : undefined;
  const now = options.now ?? Date.now();
  for (let i = 0; i < req.streams.length; i++) {
    if (++work >= STEP_STREAMS) {
      work = 0;
      yield;
    }
    const s = req.streams[i];
    if (s.entries.length === 0) continue;
    const resolved = options.resolve(s.labels);
    if (resolved.kind === "error") {
      error = resolved.error;
      continue;
    }
    if (resolved.kind === "dropped") {
      skipped[resolved.reason] = (skipped[resolved.reason] ?? 0) + s.entries.length;
      continue;
    }
    const tenant = (options.labelTenants !== false && resolved.tenant) || options.tenant;
    if (resolved.refusal) {
      let bytes = 0;
      for (const e of s.entries) bytes += entrySize(e);
      refused!.add(resolved.refusal, tenant ?? "", s.entries.length, bytes);
      continue;
    }
    if (!options.useIncomingTimestamp) options.stamp(s.entries);
    let entries = s.entries;
    if (v) {
      const checked = checkEntries(entries, resolved.key, v, now);
      for (const r of checked.refused) refused!.add(r.refusal, tenant ?? "", 1, r.bytes);
      refused!.truncated.entries += checked.truncated.entries;
      refused!.truncated.bytes += checked.truncated.bytes;
      entries = checked.kept;
      if (entries.length === 0) continue;
    }
    for (const e of entries) {
      byteSize += entrySize(e);
      queuedBytes += queuedEntryBytes(e);
    }
    queuedBytes += queuedStreamBytes(resolved.key);
    entryCount += entries.length;
    work += Math.floor(entries.length * STEP_STREAMS / STEP_ENTRIES);
    const stream: Stream = { labels: resolved.labels, key: resolved.key, entries };
    if (tenant !== options.tenant && tenant !== undefined) stream.tenant = tenant;
    streams.push(stream);
  }
  const accepted: Accepted = { streams, entryCount, byteSize, queuedBytes };
  if (options.tenant !== undefined) accepted.tenant = options.tenant;
  const result: AcceptResult = { accepted, skipped };
  if (error !== undefined) result.error = error;
  if (refused) result.refused = refused;
  return result;
}

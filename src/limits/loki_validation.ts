/**
 * Loki's validation (`pkg/distributor/validator.go`), done at the relay: per stream, its labels
 * (label count, name and value lengths); per entry, in Loki's order, its age, its time in the
 * future, its line size (or the line is cut, with `max_line_size_truncate`), its structured
 * metadata size and count. Each refusal gets Loki's message and discard reason; only the stream or
 * entry concerned is refused.
 *
 * @module
 */
import type { Entry, Labels } from "../types.ts";
import type { ValidationSettings } from "../config/settings.ts";
import { WireEntry } from "../codec/wire_entry.ts";
import { utf8Length } from "../codec/utf8.ts";
import { countMetadata } from "../codec/proto_fields.ts";
import { compareBytes } from "../labels/format_labels.ts";

/** Loki's discard reasons for what this module refuses. */
export type DiscardReason =
  | "line_too_long"
  | "greater_than_max_sample_age"
  | "too_far_in_future"
  | "max_label_names_per_series"
  | "label_name_too_long"
  | "label_value_too_long"
  | "structured_metadata_too_large"
  | "structured_metadata_too_many";

/** A refusal: Loki's reason and message. */
export interface Refusal {
  reason: DiscardReason;
  error: string;
}

/** Loki does not count this label against `max_label_names_per_series` (it may add it itself). */
const SERVICE_NAME = "service_name";

/**
 * Checks a stream's labels (after the relay's label pipeline, with `external_labels` under them)
 * as Loki's `ValidateLabels` does; `key` is the stream's label string, named in the messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLabels } from "./loki_validation.ts";
 * import { validationSettings } from "../config/resolve_edge.ts";
 * import { configSchema } from "../config/config_schema.ts";
 *
 * const v = validationSettings(configSchema.parse({ limits: { max_label_names_per_series: 1 } }).limits)!;
 * assert.equal(checkLabels({ app: "a", service_name: "s" }, '{app="a", service_name="s"}', v), undefined);
 * assert.deepEqual(checkLabels({ app: "a", env: "p" }, '{app="a", env="p"}', v), {
 *   reason: "max_label_names_per_series",
 *   error: `entry for stream '{app="a", env="p"}' has 2 label names; limit 1`,
 * });
 * ```
 */
export function checkLabels(
  labels: Labels,
  key: string,
  v: ValidationSettings,
): Refusal | undefined {
  if (v.externalLabels) labels = { ...v.externalLabels, ...labels };
  const names = Object.keys(labels);
  if (v.maxLabelNames > 0) {
    const count = names.length - (labels[SERVICE_NAME] !== undefined ? 1 : 0);
    if (count > v.maxLabelNames) {
      return {
        reason: "max_label_names_per_series",
        error: `entry for stream '${key}' has ${count} label names; limit ${v.maxLabelNames}`,
      };
    }
  }
  if (v.maxLabelNameBytes === 0 && v.maxLabelValueBytes === 0) return undefined;
  // Loki checks the labels in its order: by name, byte by byte.
  for (const name of names.sort(compareBytes)) {
    if (v.maxLabelNameBytes > 0 && utf8Length(name) > v.maxLabelNameBytes) {
      return {
        reason: "label_name_too_long",
        error: `stream '${key}' has label name too long: '${name}'`,
      };
    }
    if (v.maxLabelValueBytes > 0 && utf8Length(labels[name]) > v.maxLabelValueBytes) {
      return {
        reason: "label_value_too_long",
        error: `stream '${key}' has label value too long: '${labels[name]}'`,
      };
    }
  }
  return undefined;
}

/** What {@link checkEntries} found: the entries kept and each refusal with its entry's bytes. */
export interface EntriesChecked {
  /** The entries that pass (the same array when all of them do), cut lines included. */
  kept: Entry[];
  refused: { refusal: Refusal; bytes: number }[];
  /** Lines cut to `max_line_size` and the bytes cut off. */
  truncated: { entries: number; bytes: number };
}

/**
 * Checks the entries of one stream as Loki's `ValidateEntry` does, at time `nowMs`; `key` is the
 * stream's label string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkEntries } from "./loki_validation.ts";
 * import { validationSettings } from "../config/resolve_edge.ts";
 * import { configSchema } from "../config/config_schema.ts";
 *
 * const v = validationSettings(configSchema.parse({ limits: { max_line_size: 4 } }).limits)!;
 * const r = checkEntries([
 *   { seconds: 1, nanos: 0, line: "ok" },
 *   { seconds: 2, nanos: 0, line: "too long" },
 * ], '{app="a"}', v, 5000);
 * assert.deepEqual(r.kept.map((e) => e.line), ["ok"]);
 * assert.equal(
 *   r.refused[0].refusal.error,
 *   `max entry size '4' bytes exceeded for stream '{app="a"}' while adding an entry with length '8' bytes`,
 * );
 * ```
 */
export function checkEntries(
  entries: Entry[],
  key: string,
  v: ValidationSettings,
  nowMs: number,
): EntriesChecked {
  const oldest = v.maxAgeMs === undefined ? -Infinity : nowMs - v.maxAgeMs;
  const newest = v.futureGraceMs === undefined ? Infinity : nowMs + v.futureGraceMs;
  // Whole seconds strictly inside (after, before) pass without the exact comparison.
  const window: TimeWindow = {
    oldest,
    newest,
    after: oldest / 1000 + 1,
    before: newest / 1000 - 1,
  };
  const metaLimits = v.maxMetadataBytes > 0 || v.maxMetadataEntries > 0;
  const truncated = { entries: 0, bytes: 0 };
  const refused: EntriesChecked["refused"] = [];
  let kept: Entry[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    let e = entries[i];
    const lineBytes = lineLength(e);
    if (v.truncateLines && v.maxLineBytes > 0 && lineBytes > v.maxLineBytes) {
      const cut = truncate(e, v.maxLineBytes, v.truncateSuffix);
      if (cut) {
        truncated.entries++;
        truncated.bytes += lineBytes - cut.keptBytes;
        e = cut.entry;
        kept ??= entries.slice(0, i);
      }
    }
    const refusal = checkEntry(e, key, v, window, metaLimits);
    if (refusal) {
      refused.push({ refusal, bytes: sizeOf(e) });
      kept ??= entries.slice(0, i);
      continue;
    }
    kept?.push(e);
  }
  return { kept: kept ?? entries, refused, truncated };
}

/** The times an entry may have (ms), and whole seconds safely inside them. */
interface TimeWindow {
  oldest: number;
  newest: number;
  after: number;
  before: number;
}

function checkEntry(
  e: Entry,
  key: string,
  v: ValidationSettings,
  window: TimeWindow,
  metaLimits: boolean,
): Refusal | undefined {
  const { oldest, newest } = window;
  const inside = e.seconds > window.after && e.seconds < window.before;
  if (!inside && compareTime(e, oldest) < 0) {
    return {
      reason: "greater_than_max_sample_age",
      error: `entry for stream '${key}' has timestamp too old: ${rfc3339(e.seconds)}, ` +
        `oldest acceptable timestamp is: ${rfc3339(Math.floor(oldest / 1000))}`,
    };
  }
  if (!inside && compareTime(e, newest) > 0) {
    return {
      reason: "too_far_in_future",
      error: `entry for stream '${key}' has timestamp too new: ${rfc3339(e.seconds)}`,
    };
  }
  const lineBytes = lineLength(e);
  if (v.maxLineBytes > 0 && lineBytes > v.maxLineBytes) {
    return {
      reason: "line_too_long",
      error: `max entry size '${v.maxLineBytes}' bytes exceeded for stream '${key}' while ` +
        `adding an entry with length '${lineBytes}' bytes`,
    };
  }
  if (!metaLimits) return undefined;
  const pairs = metadataCount(e);
  if (pairs === 0) return undefined;
  const metaBytes = sizeOf(e) - lineBytes;
  if (v.maxMetadataBytes > 0 && metaBytes > v.maxMetadataBytes) {
    return {
      reason: "structured_metadata_too_large",
      error: `stream '${key}' has structured metadata too large: '${metaBytes}' bytes, limit: ` +
        `'${v.maxMetadataBytes}' bytes. Please see \`limits_config.max_structured_metadata_size\` ` +
        `or contact your Loki administrator to increase it`,
    };
  }
  if (v.maxMetadataEntries > 0 && pairs > v.maxMetadataEntries) {
    return {
      reason: "structured_metadata_too_many",
      error: `stream '${key}' has too many structured metadata labels: '${pairs}', limit: ` +
        `'${v.maxMetadataEntries}'. Please see ` +
        "`limits_config.max_structured_metadata_entries_count` or contact your Loki " +
        "administrator to increase it",
    };
  }
  return undefined;
}

/** Bytes of an entry's line. */
function lineLength(e: Entry): number {
  return e instanceof WireEntry ? e.lineEnd - e.lineStart : utf8Length(e.line);
}

/** Structured metadata pairs of an entry, counted without decoding them when they are bytes. */
function metadataCount(e: Entry): number {
  if (e instanceof WireEntry && !e.pairs) return countMetadata(e.source, e.metaStart, e.metaEnd);
  return e.metadata?.length ?? 0;
}

/** Bytes of line and metadata (Loki's entry size). */
function sizeOf(e: Entry): number {
  if (e instanceof WireEntry) return e.size;
  let n = utf8Length(e.line);
  for (const p of e.metadata ?? []) n += utf8Length(p.name) + utf8Length(p.value);
  return n;
}

/**
 * The entry with its line cut to `max` bytes, `suffix` included (Loki cuts to `max - suffix` and
 * appends it; nothing is cut when the suffix alone is that long). The cut backs off to the start
 * of a UTF-8 character, so a cut line is still text.
 */
function truncate(
  e: Entry,
  max: number,
  suffix: string,
): { entry: Entry; keptBytes: number } | undefined {
  const room = max - utf8Length(suffix);
  if (room <= 0) return undefined;
  const bytes = e instanceof WireEntry
    ? e.source.subarray(e.lineStart, e.lineEnd)
    : new TextEncoder().encode(e.line);
  let end = room;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  if (e instanceof WireEntry && suffix === "") {
    const entry = new WireEntry({
      seconds: e.seconds,
      nanos: e.nanos,
      source: e.source,
      lineStart: e.lineStart,
      lineEnd: e.lineStart + end,
      metaStart: e.metaStart,
      metaEnd: e.metaEnd,
      metaSize: e.size - (e.lineEnd - e.lineStart),
      ...(e.pairs && { pairs: e.pairs }),
    });
    return { entry, keptBytes: end };
  }
  const line = new TextDecoder().decode(bytes.subarray(0, end)) + suffix;
  const entry: Entry = { seconds: e.seconds, nanos: e.nanos, line };
  const metadata = e.metadata;
  if (metadata) entry.metadata = metadata;
  return { entry, keptBytes: end };
}

/**
 * The sign of an entry's time minus `ms`, exact to the nanosecond as Loki compares (a float of
 * milliseconds since the epoch cannot hold nanoseconds: an entry 1 ns past a bound would pass).
 */
function compareTime(e: Entry, ms: number): number {
  const whole = Math.floor(ms);
  const entryMs = e.seconds * 1000 + Math.floor(e.nanos / 1e6);
  if (entryMs !== whole) return entryMs - whole;
  return e.nanos % 1e6 - Math.round((ms - whole) * 1e6);
}

/** A time in whole seconds as Go's `time.RFC3339` writes it (fractions cut), in UTC. */
function rfc3339(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return `${seconds}s after the epoch`;
  return date.toISOString().replace(".000Z", "Z");
}

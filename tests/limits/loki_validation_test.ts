// Loki's validation at the relay, check by check, against Loki's own wording
// (pkg/validation/validate.go and pkg/distributor/validator.go, main of Aug 2026): the message,
// the discard reason, the order of the checks, sizes in UTF-8 bytes, times in RFC 3339 UTC.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkEntries,
  checkLabels,
  type DiscardReason,
  type Refusal,
} from "../../src/limits/loki_validation.ts";
import { validationSettings } from "../../src/config/resolve_edge.ts";
import { type ConfigInput, configSchema } from "../../src/config/config_schema.ts";
import { LOKI_DEFAULT_LIMITS } from "../../src/config/limits_schema.ts";
import { formatLabels } from "../../src/labels/format_labels.ts";
import { WireEntry } from "../../src/codec/wire_entry.ts";
import { decodePushRequest } from "../../src/codec/decode_proto.ts";
import { encodeRef } from "../helpers/reference_proto.ts";
import type { Entry, Labels } from "../../src/types.ts";

/** The validation settings of a `limits` block, as the relay resolves them. */
const limits = (block: NonNullable<ConfigInput["limits"]>) => {
  const v = validationSettings(configSchema.parse({ limits: block }).limits);
  assert.ok(v, "limits on");
  return v;
};

/** Labels checked under their own label string, as the resolver does. */
const labels = (l: Labels, v: ReturnType<typeof limits>) => checkLabels(l, formatLabels(l), v);

/** 2026-08-22T12:00:00Z, in ms. */
const NOW = Date.UTC(2026, 7, 22, 12, 0, 0);
const NOW_S = NOW / 1000;
const DAY_S = 86_400;
const KEY = '{app="a"}';

const at = (seconds: number, nanos = 0, line = "x"): Entry => ({ seconds, nanos, line });
const line = (text: string, metadata?: Entry["metadata"]): Entry => ({
  seconds: NOW_S,
  nanos: 0,
  line: text,
  ...(metadata && { metadata }),
});
const errors = (r: ReturnType<typeof checkEntries>) => r.refused.map((x) => x.refusal.error);
const reasons = (r: ReturnType<typeof checkEntries>) => r.refused.map((x) => x.refusal.reason);

test("label count: service_name is not counted; the message gives the count without it", () => {
  const v = limits({ max_label_names_per_series: 2 });
  assert.equal(labels({ app: "a", env: "p" }, v), undefined);
  assert.equal(labels({ app: "a", env: "p", service_name: "s" }, v), undefined);
  assert.deepEqual(labels({ app: "a", env: "p", pod: "x" }, v), {
    reason: "max_label_names_per_series",
    error: `entry for stream '{app="a", env="p", pod="x"}' has 3 label names; limit 2`,
  });
  assert.deepEqual(labels({ app: "a", env: "p", pod: "x", service_name: "s" }, v), {
    reason: "max_label_names_per_series",
    error:
      `entry for stream '{app="a", env="p", pod="x", service_name="s"}' has 3 label names; limit 2`,
  });
});

test("label name and value lengths are in UTF-8 bytes; Loki quotes the name or the value", () => {
  const v = limits({ max_label_name_length: 4, max_label_value_length: 4 });
  assert.equal(labels({ abcd: "éé" }, v), undefined); // 4 bytes each
  assert.deepEqual(labels({ abcde: "v" }, v), {
    reason: "label_name_too_long",
    error: `stream '{abcde="v"}' has label name too long: 'abcde'`,
  });
  assert.deepEqual(labels({ app: "ééé" }, v), {
    reason: "label_value_too_long",
    error: `stream '{app="ééé"}' has label value too long: 'ééé'`,
  });
  // Only names, only values: the other check is off (0).
  assert.equal(labels({ app: "x".repeat(100) }, limits({ max_label_name_length: 4 })), undefined);
  assert.equal(
    labels({ ["n".repeat(100)]: "x" }, limits({ max_label_value_length: 4 })),
    undefined,
  );
});

test("label checks go by name in byte order, the name before the value of each label", () => {
  const v = limits({ max_label_name_length: 4, max_label_value_length: 2 });
  // "abcde" (name too long) sorts before "b" (value too long): Loki names the first it meets.
  assert.equal(labels({ b: "long", abcde: "v" }, v)?.reason, "label_name_too_long");
  assert.equal(
    labels({ b: "long", c: "v", abcd: "also" }, v)?.error,
    `stream '{abcd="also", b="long", c="v"}' has label value too long: 'also'`,
  );
  // U+E000 is EE 80 80 in UTF-8 and sorts before U+1F600 (F0 9F 98 80), though not in UTF-16.
  const pua = "\u{E000}";
  const emoji = "\u{1F600}";
  const r = labels({ [emoji]: "long-emoji", [pua]: "long-pua" }, v);
  assert.equal(r?.reason, "label_value_too_long");
  assert.match(r.error, /has label value too long: 'long-pua'$/);
});

test("label count is checked before lengths, and the stream string is the one Loki sees", () => {
  const v = limits({ max_label_names_per_series: 1, max_label_value_length: 1 });
  assert.equal(labels({ a: "long", b: "long" }, v)?.reason, "max_label_names_per_series");
  assert.equal(
    checkLabels({ a: "long" }, "{KEY}", v)?.error,
    "stream '{KEY}' has label value too long: 'long'",
  );
});

test("too old: Loki's message with RFC 3339 UTC times in whole seconds; the bound passes", () => {
  const v = limits({ reject_old_samples: true, reject_old_samples_max_age: "7d" });
  const oldest = NOW_S - 7 * DAY_S;
  const r = checkEntries([at(oldest - 1), at(oldest), at(NOW_S)], KEY, v, NOW);
  assert.deepEqual(r.kept.map((e) => e.seconds), [oldest, NOW_S]);
  assert.deepEqual(r.refused, [{
    refusal: {
      reason: "greater_than_max_sample_age",
      error: `entry for stream '{app="a"}' has timestamp too old: 2026-08-15T11:59:59Z, ` +
        `oldest acceptable timestamp is: 2026-08-15T12:00:00Z`,
    },
    bytes: 1,
  }]);
});

test("too old: compared to the nanosecond, fractions cut in the message", () => {
  const v = limits({ reject_old_samples: true, reject_old_samples_max_age: "7d" });
  const now = NOW + 750; // 12:00:00.750
  const oldest = NOW_S - 7 * DAY_S;
  const r = checkEntries(
    [
      at(oldest, 749_999_999), // 1 ns before the bound
      at(oldest, 750_000_000), // on it
    ],
    KEY,
    v,
    now,
  );
  assert.deepEqual(r.kept.map((e) => e.nanos), [750_000_000]);
  assert.deepEqual(errors(r), [
    `entry for stream '{app="a"}' has timestamp too old: 2026-08-15T12:00:00Z, ` +
    `oldest acceptable timestamp is: 2026-08-15T12:00:00Z`,
  ]);
});

test("too old: a time before 1970 is written as Go writes it (the second below)", () => {
  const v = limits({ reject_old_samples: true, reject_old_samples_max_age: "1h" });
  const r = checkEntries([at(-1, 500_000_000)], KEY, v, NOW);
  assert.match(errors(r)[0], /has timestamp too old: 1969-12-31T23:59:59Z, /);
});

test("reject_old_samples off: no age check, whatever reject_old_samples_max_age says", () => {
  const v = limits({ reject_old_samples_max_age: "1h", max_line_size: 100 });
  assert.equal(v.maxAgeMs, undefined);
  assert.equal(checkEntries([at(0)], KEY, v, NOW).refused.length, 0);
});

test("too far in the future: Loki's message; the grace bound itself passes, 1 ns past does not", () => {
  const v = limits({ creation_grace_period: "10m" });
  const newest = NOW_S + 600;
  const r = checkEntries([at(newest), at(newest, 1), at(newest + 3600, 999_999_999)], KEY, v, NOW);
  assert.deepEqual(r.kept.map((e) => [e.seconds, e.nanos]), [[newest, 0]]);
  assert.deepEqual(reasons(r), ["too_far_in_future", "too_far_in_future"]);
  assert.deepEqual(errors(r), [
    `entry for stream '{app="a"}' has timestamp too new: 2026-08-22T12:10:00Z`,
    `entry for stream '{app="a"}' has timestamp too new: 2026-08-22T13:10:00Z`,
  ]);
});

test("line too long: in UTF-8 bytes, Loki's message; refused bytes are the entry's", () => {
  const v = limits({ max_line_size: 4 });
  const meta = [{ name: "k", value: "vv" }];
  const r = checkEntries([line("abcd"), line("éé"), line("ééé", meta), line("abcde")], KEY, v, NOW);
  assert.deepEqual(r.kept.map((e) => e.line), ["abcd", "éé"]);
  assert.deepEqual(r.refused, [
    {
      refusal: {
        reason: "line_too_long",
        error: `max entry size '4' bytes exceeded for stream '{app="a"}' while adding an entry ` +
          `with length '6' bytes`,
      },
      bytes: 6 + 3,
    },
    {
      refusal: {
        reason: "line_too_long",
        error: `max entry size '4' bytes exceeded for stream '{app="a"}' while adding an entry ` +
          `with length '5' bytes`,
      },
      bytes: 5,
    },
  ]);
  assert.deepEqual(r.truncated, { entries: 0, bytes: 0 });
});

test("nothing refused: the very same entries array comes back", () => {
  const entries = [line("ab"), line("cd")];
  assert.equal(checkEntries(entries, KEY, limits({ max_line_size: 4 }), NOW).kept, entries);
});

test("Loki's order: age, then future, then line size, then metadata size, then count", () => {
  const v = limits({
    reject_old_samples: true,
    reject_old_samples_max_age: "1h",
    creation_grace_period: "1m",
    max_line_size: 2,
    max_structured_metadata_size: 4,
    max_structured_metadata_entries_count: 1,
  });
  const big = [{ name: "a", value: "1234" }, { name: "b", value: "1" }]; // 7 bytes, 2 pairs
  const many = [{ name: "a", value: "1" }, { name: "b", value: "1" }]; // 4 bytes, 2 pairs
  const r = checkEntries(
    [
      { seconds: 0, nanos: 0, line: "long", metadata: big },
      { seconds: NOW_S + 3600, nanos: 0, line: "long", metadata: big },
      { seconds: NOW_S, nanos: 0, line: "long", metadata: big },
      { seconds: NOW_S, nanos: 0, line: "ok", metadata: big },
      { seconds: NOW_S, nanos: 0, line: "ok", metadata: many },
    ],
    KEY,
    v,
    NOW,
  );
  assert.deepEqual(reasons(r), [
    "greater_than_max_sample_age",
    "too_far_in_future",
    "line_too_long",
    "structured_metadata_too_large",
    "structured_metadata_too_many",
  ]);
  assert.deepEqual(r.refused.map((x) => x.bytes), [11, 11, 11, 9, 6]);
});

test("structured metadata size: names and values in bytes, Loki's message", () => {
  const v = limits({ max_structured_metadata_size: 10 });
  const r = checkEntries(
    [
      line("x", [{ name: "trace", value: "12345" }]), // 10: the limit
      line("x", [{ name: "trace", value: "1234é" }]), // 11
      line("x"),
    ],
    KEY,
    v,
    NOW,
  );
  assert.equal(r.kept.length, 2);
  assert.deepEqual(r.refused, [{
    refusal: {
      reason: "structured_metadata_too_large",
      error: `stream '{app="a"}' has structured metadata too large: '11' bytes, limit: '10' ` +
        "bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki " +
        "administrator to increase it",
    },
    bytes: 12,
  }]);
});

test("structured metadata count: Loki's message", () => {
  const v = limits({ max_structured_metadata_entries_count: 2 });
  const pairs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `k${i}`, value: "v" }));
  const r = checkEntries([line("x", pairs(2)), line("x", pairs(3))], KEY, v, NOW);
  assert.equal(r.kept.length, 1);
  assert.deepEqual(r.refused, [{
    refusal: {
      reason: "structured_metadata_too_many",
      error: `stream '{app="a"}' has too many structured metadata labels: '3', limit: '2'. ` +
        "Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki " +
        "administrator to increase it",
    },
    bytes: 1 + 3 * 3,
  }]);
});

test("structured metadata count: pairs of empty names and values count too", () => {
  const v = limits({ max_structured_metadata_entries_count: 1 });
  const empty = [{ name: "", value: "" }, { name: "", value: "" }];
  const r = checkEntries([line("x", empty)], KEY, v, NOW);
  assert.equal(r.kept.length, 0);
  assert.equal(r.refused[0]?.refusal.reason, "structured_metadata_too_many");
});

test("truncate: lines cut to max_line_size with no identifier by default, as Loki", () => {
  assert.equal(LOKI_DEFAULT_LIMITS.max_line_size_truncate_identifier, "");
  const v = limits({ max_line_size: 5, max_line_size_truncate: true });
  assert.equal(v.truncateSuffix, "");
  const r = checkEntries([line("abcdefgh"), line("abc"), line("12345678901")], KEY, v, NOW);
  assert.deepEqual(r.kept.map((e) => e.line), ["abcde", "abc", "12345"]);
  assert.deepEqual(r.refused, []);
  assert.deepEqual(r.truncated, { entries: 2, bytes: 3 + 6 });
});

test("truncate: the cut backs off to a UTF-8 character boundary", () => {
  const v = limits({ max_line_size: 5, max_line_size_truncate: true });
  // "abcd" + "é" (C3 A9) + "f": byte 5 is inside "é", so the cut is at 4.
  const r = checkEntries([line("abcdéf"), line("€€"), line("😀😀")], KEY, v, NOW);
  assert.deepEqual(r.kept.map((e) => e.line), ["abcd", "€", "😀"]);
  assert.deepEqual(r.truncated, { entries: 3, bytes: 3 + 3 + 4 });
  for (const e of r.kept) assert.ok(new TextEncoder().encode(e.line).length <= 5);
});

test("truncate with max_line_size_truncate_identifier: cut to max minus it, then it appended", () => {
  const v = limits({
    max_line_size: 8,
    max_line_size_truncate: true,
    max_line_size_truncate_identifier: "…", // 3 bytes
  });
  const meta = [{ name: "k", value: "v" }];
  const r = checkEntries([line("abcdefghij", meta), line("abcdefgh")], KEY, v, NOW);
  assert.deepEqual(r.kept, [line("abcde…", meta), line("abcdefgh")]);
  assert.equal(new TextEncoder().encode(r.kept[0].line).length, 8);
  // Loki counts the bytes cut off the line, before the identifier is added.
  assert.deepEqual(r.truncated, { entries: 1, bytes: 5 });
});

test("truncate: an identifier as long as max_line_size cuts nothing; the line is refused", () => {
  const v = limits({
    max_line_size: 3,
    max_line_size_truncate: true,
    max_line_size_truncate_identifier: "[…]",
  });
  const r = checkEntries([line("abcdef")], KEY, v, NOW);
  assert.deepEqual(r.kept, []);
  assert.deepEqual(reasons(r), ["line_too_long"]);
  assert.deepEqual(r.truncated, { entries: 0, bytes: 0 });
});

test("truncate then check: a cut line can still be refused for its age, with its cut size", () => {
  const v = limits({
    max_line_size: 4,
    max_line_size_truncate: true,
    reject_old_samples: true,
    reject_old_samples_max_age: "1h",
  });
  const r = checkEntries([at(0, 0, "abcdefgh"), at(NOW_S, 0, "abcdefgh")], KEY, v, NOW);
  assert.deepEqual(r.kept.map((e) => e.line), ["abcd"]);
  assert.deepEqual(reasons(r), ["greater_than_max_sample_age"]);
  assert.equal(r.refused[0].bytes, 4);
  assert.deepEqual(r.truncated, { entries: 2, bytes: 8 });
});

test("structured metadata count of protobuf entries, counted on the wire bytes", () => {
  const pairs = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `k${i}`, value: "é".repeat(i * 50) }));
  const req = decodePushRequest(encodeRef([{
    labels: KEY,
    entries: [0, 1, 2, 3, 130].map((n, i) => ({
      timestamp: { seconds: NOW_S, nanos: i },
      line: `l${n}`,
      structuredMetadata: pairs(n),
    })),
  }]));
  const entries = req.streams[0].entries;
  assert.ok(entries.every((e) => e instanceof WireEntry));
  const r = checkEntries(entries, KEY, limits({ max_structured_metadata_entries_count: 2 }), NOW);
  assert.deepEqual(r.kept.map((e) => e.line), ["l0", "l1", "l2"]);
  assert.deepEqual(
    r.refused.map((x) => x.refusal.error.match(/labels: '(\d+)'/)?.[1]),
    ["3", "130"],
  );
});

test("truncate a protobuf entry: the cut stays on the wire bytes, metadata kept", () => {
  const req = decodePushRequest(encodeRef([{
    labels: KEY,
    entries: [
      {
        timestamp: { seconds: NOW_S, nanos: 7 },
        line: "abcdéf",
        structuredMetadata: [{ name: "trace", value: "t1" }],
      },
      { timestamp: { seconds: NOW_S, nanos: 8 }, line: "xyz" },
    ],
  }]));
  const entries = req.streams[0].entries;
  assert.ok(entries[0] instanceof WireEntry);
  const r = checkEntries(
    entries,
    KEY,
    limits({ max_line_size: 5, max_line_size_truncate: true }),
    NOW,
  );
  const [cut, kept] = r.kept;
  assert.ok(cut instanceof WireEntry);
  assert.equal(cut.line, "abcd");
  assert.equal(cut.size, 4 + 7);
  assert.deepEqual(cut.metadata, [{ name: "trace", value: "t1" }]);
  assert.deepEqual([cut.seconds, cut.nanos], [NOW_S, 7]);
  assert.equal(kept, entries[1]);
  assert.deepEqual(r.truncated, { entries: 1, bytes: 3 });

  const suffixed = checkEntries(
    entries,
    KEY,
    limits({
      max_line_size: 5,
      max_line_size_truncate: true,
      max_line_size_truncate_identifier: "~",
    }),
    NOW,
  );
  assert.deepEqual(JSON.parse(JSON.stringify(suffixed.kept[0])), {
    seconds: NOW_S,
    nanos: 7,
    line: "abcd~",
    metadata: [{ name: "trace", value: "t1" }],
  });
});

test("a limit at 0 is off; loki_defaults fills in Loki's defaults, a set field wins", () => {
  const v = limits({ loki_defaults: true, max_label_names_per_series: 0 });
  assert.equal(
    labels(Object.fromEntries([...Array(40)].map((_, i) => [`l${i}`, "v"])), v),
    undefined,
  );
  assert.equal(v.maxLineBytes, 256 * 1024);
  assert.equal(v.maxMetadataBytes, 64 * 1024);
  assert.equal(v.maxMetadataEntries, 128);
  assert.equal(v.maxLabelNameBytes, 1024);
  assert.equal(v.maxLabelValueBytes, 2048);
  assert.equal(v.maxAgeMs, 7 * DAY_S * 1000);
  assert.equal(v.futureGraceMs, 10 * 60 * 1000);
  assert.equal(v.truncateLines, false);
  const r = checkEntries(
    [line("x".repeat(256 * 1024)), line("x".repeat(256 * 1024 + 1))],
    KEY,
    v,
    NOW,
  );
  assert.deepEqual(r.refused.map((x) => x.bytes), [256 * 1024 + 1]);
});

test("the discard reasons are exactly Loki's names for these limits", () => {
  const v = limits({
    max_label_names_per_series: 1,
    max_label_name_length: 3,
    max_label_value_length: 3,
    max_line_size: 3,
    max_structured_metadata_size: 3,
    max_structured_metadata_entries_count: 1,
    reject_old_samples: true,
    reject_old_samples_max_age: "1h",
    creation_grace_period: "1m",
  });
  const seen = new Set<DiscardReason>();
  const note = (r: Refusal | undefined) => r && seen.add(r.reason);
  note(labels({ a: "1", b: "2" }, v));
  note(labels({ long: "1" }, v));
  note(labels({ a: "long" }, v));
  const r = checkEntries(
    [
      at(0),
      at(NOW_S + 3600),
      line("long"),
      line("x", [{ name: "kk", value: "vv" }]),
      line("x", [{ name: "a", value: "" }, { name: "b", value: "" }]),
    ],
    KEY,
    v,
    NOW,
  );
  for (const x of r.refused) note(x.refusal);
  assert.deepEqual([...seen].sort(), [
    "greater_than_max_sample_age",
    "label_name_too_long",
    "label_value_too_long",
    "line_too_long",
    "max_label_names_per_series",
    "structured_metadata_too_large",
    "structured_metadata_too_many",
    "too_far_in_future",
  ]);
});

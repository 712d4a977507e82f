/**
 * The `limits` block: Loki's own validation limits, under Loki's names (`limits_config`), checked
 * at the relay so that a client learns of a refusal (400, Loki's grouped message) instead of
 * being answered 204 for entries Loki then refuses. Off unless set; `loki_defaults: true` applies
 * Loki's defaults, and any field set beside it wins.
 *
 * @module
 */
import { z } from "zod";
import { lokiDurationSchema, sizeSchema } from "./schema_helpers.ts";

/**
 * Loki's default for each limit (`pkg/validation/limits.go`), as `loki_defaults: true` applies.
 * Sizes use Loki's units (`256KB` is 262144 bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOKI_DEFAULT_LIMITS } from "./limits_schema.ts";
 *
 * assert.equal(LOKI_DEFAULT_LIMITS.max_label_names_per_series, 15);
 * ```
 */
export const LOKI_DEFAULT_LIMITS = {
  max_line_size: "256KB",
  max_line_size_truncate: false,
  max_line_size_truncate_identifier: "",
  max_label_names_per_series: 15,
  max_label_name_length: 1024,
  max_label_value_length: 2048,
  max_structured_metadata_size: "64KB",
  max_structured_metadata_entries_count: 128,
  reject_old_samples: true,
  reject_old_samples_max_age: "7d",
  creation_grace_period: "10m",
} as const;

const count = (what: string) => z.int().min(0).optional().describe(`${what}; 0: no limit.`);

/**
 * Schema of the `limits` block. A field left out is off, or Loki's default with `loki_defaults`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { limitsSchema } from "./limits_schema.ts";
 *
 * assert.deepEqual(limitsSchema.parse(undefined), { loki_defaults: false });
 * assert.equal(limitsSchema.parse({ max_line_size: "1MB" }).max_line_size, "1MB");
 * assert.equal(limitsSchema.safeParse({ max_lines: 1 }).success, false);
 * ```
 */
export const limitsSchema = z.strictObject({
  loki_defaults: z.boolean().default(false).describe(
    "Apply Loki's default limits (256KB lines, 15 label names, 1024/2048-byte label names and " +
      "values, 64KB/128 structured metadata, 7d oldest, 10m in the future) to every field left " +
      "out. Off: only the fields set here apply (an Alloy user sees no new refusal).",
  ),
  max_line_size: sizeSchema.optional().describe(
    "Largest line in bytes (reason line_too_long); 0: no limit.",
  ),
  max_line_size_truncate: z.boolean().optional().describe(
    "Cut lines longer than max_line_size instead of refusing them (counted as mutated).",
  ),
  max_line_size_truncate_identifier: z.string().optional().describe(
    "Text put at the end of a cut line, within max_line_size.",
  ),
  max_label_names_per_series: count(
    "Labels per stream, service_name not counted as in Loki (reason max_label_names_per_series)",
  ),
  max_label_name_length: count("Bytes of a label name (reason label_name_too_long)"),
  max_label_value_length: count("Bytes of a label value (reason label_value_too_long)"),
  max_structured_metadata_size: sizeSchema.optional().describe(
    "Bytes of an entry's structured metadata names and values (reason " +
      "structured_metadata_too_large); 0: no limit.",
  ),
  max_structured_metadata_entries_count: count(
    "Structured metadata pairs of an entry (reason structured_metadata_too_many)",
  ),
  reject_old_samples: z.boolean().optional().describe(
    "Refuse entries older than reject_old_samples_max_age (reason greater_than_max_sample_age).",
  ),
  reject_old_samples_max_age: lokiDurationSchema.optional().describe(
    "Age past which entries are refused when reject_old_samples is on (Loki: 7d).",
  ),
  creation_grace_period: lokiDurationSchema.optional().describe(
    "How far in the future an entry's timestamp may be (reason too_far_in_future); " +
      "left out (without loki_defaults): no limit.",
  ),
}).prefault({}).describe(
  "Loki's validation limits (limits_config names), checked before the relay answers. Only the " +
    "streams or entries concerned are refused; the rest is forwarded, and the answer is 400 in " +
    "Loki's form (N errors like: …), counted by Loki's discard reason.",
);

/** The `limits` block as parsed. */
export type LimitsConfig = z.output<typeof limitsSchema>;

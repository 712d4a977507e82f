/**
 * Zod building blocks shared by the config schemas: durations, sizes, URLs, label maps.
 *
 * @module
 */
import { z } from "zod";
import { parseDuration, parseSize } from "./units.ts";

/**
 * A Go-style duration string ("500ms", "1m30s").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationSchema } from "./schema_helpers.ts";
 *
 * assert.equal(durationSchema.parse("1s"), "1s");
 * assert.equal(durationSchema.safeParse("1 second").success, false);
 * ```
 */
export const durationSchema = z.string().check((ctx) => {
  try {
    parseDuration(ctx.value);
  } catch {
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `${JSON.stringify(ctx.value)} is not a duration (e.g. "500ms", "1m30s")`,
    });
  }
});

/**
 * A duration as Loki's config writes them: Go's units plus `d` and `w` ("168h", "7d").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lokiDurationSchema } from "./schema_helpers.ts";
 *
 * assert.equal(lokiDurationSchema.parse("7d"), "7d");
 * assert.equal(lokiDurationSchema.safeParse("7 days").success, false);
 * ```
 */
export const lokiDurationSchema = z.string().check((ctx) => {
  try {
    parseDuration(ctx.value, true);
  } catch {
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `${JSON.stringify(ctx.value)} is not a duration (e.g. "168h", "7d", "10m")`,
    });
  }
});

/**
 * A size: "100MiB", "1MB", "512KiB" or a byte count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sizeSchema } from "./schema_helpers.ts";
 *
 * assert.equal(sizeSchema.parse("1MiB"), "1MiB");
 * assert.equal(sizeSchema.safeParse("1 megabyte").success, false);
 * ```
 */
export const sizeSchema = z.union([z.string(), z.number()]).check((ctx) => {
  try {
    parseSize(ctx.value);
  } catch {
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `${JSON.stringify(ctx.value)} is not a size (e.g. "100MiB", "512KiB", 1048576)`,
    });
  }
});

/**
 * An absolute http(s) URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpUrlSchema } from "./schema_helpers.ts";
 *
 * assert.equal(httpUrlSchema.safeParse("http://loki:3100/loki/api/v1/push").success, true);
 * assert.equal(httpUrlSchema.safeParse("htp:/x").success, false);
 * ```
 */
export const httpUrlSchema = z.string().check((ctx) => {
  const ok = URL.canParse(ctx.value) && /^https?:$/.test(new URL(ctx.value).protocol);
  if (!ok) {
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `${JSON.stringify(ctx.value)} is not a valid URL`,
    });
  }
});

/**
 * A map of names to strings (`labels`, `external_labels`, `headers`) that keeps every key of the
 * file, `__proto__` included (zod's record drops that one silently). The result is a new plain
 * object holding exactly the keys given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelMapSchema } from "./schema_helpers.ts";
 *
 * assert.deepEqual(labelMapSchema.parse({ env: "prod" }), { env: "prod" });
 * const proto = labelMapSchema.parse(JSON.parse('{"__proto__":"x"}'));
 * assert.deepEqual(Object.keys(proto), ["__proto__"]);
 * assert.equal(labelMapSchema.safeParse({ env: 1 }).success, false);
 * assert.equal(labelMapSchema.safeParse([]).success, false);
 * ```
 */
export const labelMapSchema = z.custom<Record<string, string>>(() => true).check((ctx) => {
  const map = ctx.value as unknown;
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    ctx.issues.push({ code: "invalid_type", expected: "record", input: map });
    return;
  }
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== "string") {
      ctx.issues.push({ code: "invalid_type", expected: "string", input: value, path: [key] });
    }
  }
}).transform((map) => Object.fromEntries(Object.entries(map)));

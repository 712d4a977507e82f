/**
 * The configuration's JSON Schema, generated from the zod schema the loader uses (zod 4 writes
 * JSON Schema itself), so editors validate and complete every field with its description and
 * default. `lokirelay schema` prints it; a copy is kept in `src/config/lokirelay.schema.json`.
 *
 * @module
 */
import { z } from "zod";
import { configSchema } from "./config_schema.ts";

/** Where the README and `lokirelay convert` point `$schema`: a copy next to the config file. */
export const SCHEMA_REF = "./lokirelay.schema.json";

/**
 * The JSON Schema (draft 2020-12) of the configuration file as it is written: every field
 * optional, with its description and its default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJsonSchema } from "./json_schema.ts";
 *
 * const schema = configJsonSchema() as {
 *   title: string;
 *   additionalProperties: boolean;
 *   properties: Record<string, { default?: unknown; description?: string }>;
 * };
 * assert.equal(schema.title, "lokirelay configuration");
 * assert.equal(schema.additionalProperties, false);
 * assert.equal(schema.properties.max_send_message_size.default, "100MiB");
 * assert.match(schema.properties.use_incoming_timestamp.description!, /timestamps/);
 * ```
 */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    io: "input",
    target: "draft-2020-12",
    // The one custom type is `labelMapSchema` (a record that keeps `__proto__`): a string map.
    unrepresentable: "any",
    override: (ctx) => {
      if ((ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def.type === "custom") {
        ctx.jsonSchema.type = "object";
        ctx.jsonSchema.additionalProperties = { type: "string" };
      }
    },
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "lokirelay configuration",
    description: "lokirelay's JSON config file: loki.source.api's arguments at the top level, " +
      "loki.write endpoint blocks in forward_to.",
    ...rest,
  };
}

/**
 * The schema as the text `lokirelay schema` prints and the repository keeps: two-space JSON and a
 * final newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJsonSchemaText } from "./json_schema.ts";
 *
 * const text = configJsonSchemaText();
 * assert.ok(text.endsWith("}\n"));
 * assert.equal(JSON.parse(text).type, "object");
 * ```
 */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + "\n";
}

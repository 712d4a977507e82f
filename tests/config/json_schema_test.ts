// The config's JSON Schema: generated from the loader's zod schema, kept in the repository, with a
// description on every field and the loader's defaults.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configJsonSchema, configJsonSchemaText } from "../../src/config/json_schema.ts";
import { parseConfig } from "../../src/config/parse_config.ts";

const COMMITTED = new URL("../../src/config/lokirelay.schema.json", import.meta.url);

interface Node {
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  additionalProperties?: boolean | Node;
}

/** Every property of the schema, at any depth, as [path, node]. */
function properties(node: Node, path = ""): [string, Node][] {
  const found: [string, Node][] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const at = path === "" ? key : `${path}.${key}`;
    found.push([at, child], ...properties(child, at));
  }
  if (node.items) found.push(...properties(node.items, `${path}[]`));
  for (const alt of node.anyOf ?? []) found.push(...properties(alt, path));
  return found;
}

test("the committed schema is the generated one", () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    configJsonSchemaText(),
    "src/config/lokirelay.schema.json is stale: refresh it with `npx deno task schema`",
  );
});

test("every field at every depth has a description", () => {
  const all = properties(configJsonSchema() as Node);
  assert.ok(all.length > 60, `found ${all.length} fields`);
  const undocumented = all.filter(([, node]) => !node.description).map(([path]) => path);
  assert.deepEqual(undocumented, []);
});

test("the schema's defaults are the loader's defaults", () => {
  const all = new Map(properties(configJsonSchema() as Node));
  const config = parseConfig({ forward_to: [{ url: "http://loki/push" }] });
  assert.ok(config.ok);
  const parsed = config.config as Record<string, unknown>;
  for (const [path, node] of all) {
    if (!("default" in node) || path.includes("[]") || path.startsWith("http.tls")) continue;
    const value = path.split(".").reduce<unknown>(
      (v, k) => (v as Record<string, unknown>)[k],
      parsed,
    );
    const isBlock = typeof value === "object" && value !== null && !Array.isArray(value) &&
      Object.keys(value).length > 0;
    if (isBlock) continue; // a block's default is {}, which its fields' defaults fill in
    assert.deepEqual(value, node.default, path);
  }
  const endpoint = all.get("forward_to[].queue_config.capacity");
  assert.equal(endpoint?.default, "10MiB");
  assert.equal(all.get("relabel_rules[].replacement")?.default, "$1");
});

test("unknown fields are refused by the schema as by the loader; $schema is accepted", () => {
  const schema = configJsonSchema() as Node;
  assert.equal(schema.additionalProperties, false);
  assert.equal(properties(schema).find(([p]) => p === "http")?.[1].additionalProperties, false);
  const withRef = parseConfig({ $schema: "./lokirelay.schema.json", labels: { a: "b" } });
  assert.equal(withRef.ok, true);
  assert.equal(parseConfig({ $schema: 5 }).ok, false);
});

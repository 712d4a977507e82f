// The shape of src/: data flows one way (adapter → relay → route → decode → streams → sink →
// forward → encode → send), so every import points down this ladder of layers, never back up,
// and no module reaches itself through its imports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = new URL("../src/", import.meta.url).pathname;

/** Layers, lowest first: a module may import its own layer or a lower one. */
const LAYERS: string[][] = [
  ["types.ts", "version.ts", "config_issues.ts", "tenant_id.ts", "log/"],
  ["codec/", "labels/", "tenant_groups.ts"],
  ["rules/"],
  ["config/", "auth/"],
  ["runtime.ts"],
  ["http/", "sinks/", "forward/", "limits/"],
  ["wal/"],
  ["receive/", "status/"],
  ["relay.ts"],
  ["cli.ts", "adapters/", "convert/"],
  ["main.ts"],
];

function layerOf(file: string): number {
  const i = LAYERS.findIndex((layer) =>
    layer.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p))
  );
  if (i < 0) throw new Error(`src/${file} belongs to no layer: add it to LAYERS`);
  return i;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

/** Relative imports and re-exports of a module (doc examples excluded), as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)[^"'`]*?from\s+["'](\.[^"']+)["']/gm)) {
    found.push(relative(SRC, resolve(dirname(join(SRC, file)), m[1])));
  }
  return found;
}

const files = sourceFiles(SRC).sort();
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test("src/ has no import that runs back up the layers", () => {
  const back: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      if (layerOf(target) > layerOf(file)) back.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(back, []);
});

test("src/ has no import circle", () => {
  const state = new Map<string, "visiting" | "done">();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      circles.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "visiting");
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, "done");
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(circles, []);
});

test("every import names an existing module (the graph above is complete)", () => {
  const missing = [...graph].flatMap(([file, imports]) =>
    imports.filter((t) => !graph.has(t)).map((t) => `${file} → ${t}`)
  );
  assert.deepEqual(missing, []);
  assert.ok(files.length > 40, `found ${files.length} modules`);
});

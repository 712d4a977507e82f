/**
 * `lokirelay convert FILE.alloy [--partial]`: an Alloy file in, lokirelay's JSON config out (with
 * a `$schema` reference), every problem and warning one line each with its line number. Pure:
 * the caller reads the file and writes the outcome.
 *
 * @module
 */
import { compileAnchored } from "../rules/regex.ts";
import { SCHEMA_REF } from "../config/json_schema.ts";
import { convertAlloy, type ConvertNote } from "./convert_alloy.ts";

/** What to print and the exit code. */
export interface ConvertOutcome {
  /** The JSON config (empty when problems stop the conversion). */
  stdout: string;
  /** Problems, warnings and hints, one per line. */
  stderr: string;
  code: 0 | 1;
}

/** RE2, as the relabel code runs it, for the converter's `__tenant_id__` checks. */
function matchesRe2(regex: string, value: string): boolean | undefined {
  const compiled = compileAnchored(regex);
  return compiled.ok ? compiled.re.testExact(value) : undefined;
}

/** `FILE:LINE: message`, or `FILE: message` for the whole file (line 0). */
function noteLine(file: string, note: ConvertNote, kind: string): string {
  const where = note.line > 0 ? `${file}:${note.line}` : file;
  return `${where}: ${kind}${note.message}\n`;
}

/**
 * Converts the text of an Alloy file. With problems (something Alloy does that the output would
 * not), nothing is printed on stdout and the code is 1, unless `partial` is set: then the
 * translated part is printed and the code is 0. Warnings (accepted, no effect) never fail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertFile } from "./convert_file.ts";
 *
 * const alloy = [
 *   'loki.source.api "in" {',
 *   "  forward_to = [loki.write.out.receiver]",
 *   "}",
 *   'loki.write "out" {',
 *   "  endpoint {",
 *   '    url = "http://loki:3100/loki/api/v1/push"',
 *   "    oauth2 {",
 *   '      client_id = "x"',
 *   "    }",
 *   "  }",
 *   "}",
 * ].join("\n");
 * const r = convertFile("a.alloy", alloy, { partial: false });
 * assert.equal(r.code, 1);
 * assert.equal(r.stdout, "");
 * assert.match(r.stderr, /^a\.alloy:7: .*no OAuth 2\.0 client/m);
 *
 * const p = convertFile("a.alloy", alloy, { partial: true });
 * assert.equal(p.code, 0);
 * assert.deepEqual(JSON.parse(p.stdout), {
 *   $schema: "./lokirelay.schema.json",
 *   forward_to: [{ url: "http://loki:3100/loki/api/v1/push" }],
 * });
 * ```
 */
export function convertFile(
  file: string,
  text: string,
  options: { partial: boolean },
): ConvertOutcome {
  const r = convertAlloy(text, { matchesRegex: matchesRe2 });
  let stderr = "";
  for (const p of r.problems) stderr += noteLine(file, p, "");
  for (const w of r.warnings) stderr += noteLine(file, w, "warning: ");
  const failed = r.problems.length > 0 && !options.partial;
  if (failed) {
    stderr += `${r.problems.length} problem(s): nothing printed; --partial prints what was ` +
      `translated\n`;
    return { stdout: "", stderr, code: 1 };
  }
  if (r.needsEnv) {
    stderr += "the config holds ${VAR} references: run lokirelay with --config-expand-env\n";
  }
  const config = { $schema: SCHEMA_REF, ...r.config };
  return { stdout: JSON.stringify(config, null, 2) + "\n", stderr, code: 0 };
}

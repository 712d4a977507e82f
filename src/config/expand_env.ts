/**
 * Environment-variable expansion of a configuration file's text (`--config-expand-env`):
 *
 * - `${NAME}` is the variable's value; NAME is `[A-Za-z_][A-Za-z0-9_]*`. An unset variable is an
 *   error naming it and its line (a variable set to `""` expands to `""`).
 * - `${NAME:-default}` is the value, or `default` when the variable is unset or empty (as in a
 *   POSIX shell, and as Alloy's `coalesce(sys.env("NAME"), "default")` behaves). The default
 *   runs to the first `}`; inside it `$$` is a literal `$`.
 * - `$$` is a literal `$` (so `$${1}` is the relabel replacement `${1}`).
 * - A `$` followed by anything but `{` or `$` is kept as is (`$1` stays `$1`).
 * - `${` followed by anything else (`${1}`, `${}`, an unclosed `${A`) is an error.
 *
 * @module
 */

/** What {@link expandEnv} returns. */
export type ExpandEnvResult = { ok: true; text: string } | { ok: false; errors: string[] };

/** Options of {@link expandEnv}. */
export interface ExpandEnvOptions {
  /**
   * The text is JSON: a value expanded inside a JSON string literal is escaped for it (a `"`,
   * `\` or newline in a secret stays inside the string). Defaults are inserted as written.
   * @default false
   */
  json?: boolean;
}

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

/**
 * Expands `${NAME}`, `${NAME:-default}` and `$$` in `text`, reporting every error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandEnv } from "./expand_env.ts";
 *
 * const env = { TOKEN: "s3cret", EMPTY: "" };
 * assert.deepEqual(expandEnv("Bearer ${TOKEN} costs $$5, keeps $1", env), {
 *   ok: true,
 *   text: "Bearer s3cret costs $5, keeps $1",
 * });
 * assert.deepEqual(expandEnv("${EMPTY:-dflt} ${MISSING:-x$$y} $${1}", env), {
 *   ok: true,
 *   text: "dflt x$y ${1}",
 * });
 * assert.deepEqual(expandEnv("a\nb ${NOPE}\n${1}", env), {
 *   ok: false,
 *   errors: [
 *     'line 2: environment variable "NOPE" is not set (give a default with ${NOPE:-default})',
 *     'line 3: "${1}" is not a variable reference (write $${ for a literal "${")',
 *   ],
 * });
 * assert.deepEqual(expandEnv('{"p": "${TOKEN}"}', { TOKEN: 'a"b' }, { json: true }), {
 *   ok: true,
 *   text: '{"p": "a\\"b"}',
 * });
 * ```
 */
export function expandEnv(
  text: string,
  env: Record<string, string | undefined>,
  options: ExpandEnvOptions = {},
): ExpandEnvResult {
  const errors: string[] = [];
  let out = "";
  let line = 1;
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== "$") {
      if (ch === "\n") line++;
      if (options.json) {
        if (inString && ch === "\\") {
          out += text.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (ch === '"') inString = !inString;
      }
      out += ch;
      i++;
      continue;
    }
    if (text[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (text[i + 1] !== "{") {
      out += "$";
      i++;
      continue;
    }
    const m = REFERENCE.exec(text.slice(i));
    if (m === null) {
      const end = text.indexOf("}", i);
      const shown = end < 0 || text.slice(i, end).includes("\n")
        ? text.slice(i, i + 2)
        : text.slice(i, end + 1);
      errors.push(
        `line ${line}: ${
          JSON.stringify(shown)
        } is not a variable reference (write $\${ for a literal "\${")`,
      );
      out += "${";
      i += 2;
      continue;
    }
    const [whole, name, fallback] = m;
    const value = env[name];
    let replacement: string;
    if (fallback !== undefined && (value === undefined || value === "")) {
      replacement = fallback.replaceAll("$$", "$");
    } else if (value === undefined) {
      errors.push(
        `line ${line}: environment variable ${
          JSON.stringify(name)
        } is not set (give a default with \${${name}:-default})`,
      );
      replacement = "";
    } else {
      replacement = options.json && inString ? JSON.stringify(value).slice(1, -1) : value;
    }
    for (const c of whole) if (c === "\n") line++;
    out += replacement;
    i += whole.length;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, text: out };
}

/**
 * The command line: `lokirelay [--config FILE] [--loki-url URL] [--check-config] …`,
 * `lokirelay relabel --config FILE '{app="a"}'`, `lokirelay schema` and
 * `lokirelay convert FILE.alloy [--partial]`. Parsing only (config loading: `config/load_config.ts`);
 * no listening. Light on purpose: the executable reads it before the rest of the program loads.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LogFormat, LogLevel } from "./log/logger.ts";

/** What the command line asks for. */
export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "schema" }
  | { kind: "hash-password" }
  | { kind: "hash-token" }
  | { kind: "convert"; file: string; partial: boolean }
  | { kind: "error"; message: string }
  | {
    kind: "run" | "check" | "relabel";
    configPath?: string;
    lokiUrl?: string;
    /** `--config-expand-env`: expand `${VAR}` references in the config file's text. */
    expandEnv: boolean;
    logLevel: LogLevel;
    logFormat: LogFormat;
    labels?: string;
  };

/** `--help` text. */
export const USAGE = `Usage: lokirelay [options]
       lokirelay relabel --config FILE '{app="a", env="b"}'
       lokirelay convert FILE.alloy [--partial] > lokirelay.json
       lokirelay schema > lokirelay.schema.json
       lokirelay hash-password < password.txt
       lokirelay hash-token < token.txt

Receives logs over the Loki push API and forwards them to Loki.

Options:
  --config FILE        JSON config file (default: built-in; entries go to stdout)
  --config-expand-env  expand \${VAR}, \${VAR:-default} and $$ in the config file first
  --loki-url URL       forward to this one Loki push URL (sets forward_to)
  --check-config       validate the config, print the effective config and the settings
                       that have no effect, exit 0 or 1
  --log-level LEVEL    debug | info | warn | error (default info)
  --log-format FORMAT  logfmt | json (default logfmt)
  --help               show this help
  --version            show the version

Subcommands:
  relabel              run the config's relabel_rules on a label set; prints the result or "dropped"
  convert              translate an Alloy config (loki.source.api, loki.relabel, loki.write) to
                       lokirelay's JSON; lists what it cannot translate and exits 1 (0 with
                       --partial, which prints what was translated)
  schema               print the config's JSON Schema
  hash-password        read a password on stdin, print its scrypt hash for
                       auth.basic_users[].password_hash
  hash-token           read a token on stdin, print its SHA-256 for auth.bearer_tokens[].token_sha256
`;

const LEVELS = ["debug", "info", "warn", "error"];
const FORMATS = ["logfmt", "json"];

/**
 * Parses command-line arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommand } from "./cli.ts";
 *
 * assert.deepEqual(parseCommand(["--config", "c.json", "--check-config"]), {
 *   kind: "check", configPath: "c.json", lokiUrl: undefined, expandEnv: false, logLevel: "info",
 *   logFormat: "logfmt", labels: undefined,
 * });
 * assert.deepEqual(parseCommand(["convert", "a.alloy", "--partial"]), {
 *   kind: "convert", file: "a.alloy", partial: true,
 * });
 * assert.equal(parseCommand(["--bogus"]).kind, "error");
 * assert.deepEqual(parseCommand(["hash-password"]), { kind: "hash-password" });
 * assert.equal(parseCommand(["hash-token", "s3cret"]).kind, "error");
 * ```
 */
export function parseCommand(args: string[]): Command {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        "loki-url": { type: "string" },
        "check-config": { type: "boolean" },
        "config-expand-env": { type: "boolean" },
        partial: { type: "boolean" },
        "log-level": { type: "string", default: "info" },
        "log-format": { type: "string", default: "logfmt" },
        help: { type: "boolean" },
        version: { type: "boolean" },
      },
    }));
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (!LEVELS.includes(values["log-level"])) {
    return {
      kind: "error",
      message: `--log-level "${values["log-level"]}" is not one of ${LEVELS}`,
    };
  }
  if (!FORMATS.includes(values["log-format"])) {
    return {
      kind: "error",
      message: `--log-format "${values["log-format"]}" is not one of ${FORMATS}`,
    };
  }
  if (positionals[0] === "schema") {
    if (positionals.length !== 1) return { kind: "error", message: "schema takes no argument" };
    return { kind: "schema" };
  }
  if (positionals[0] === "hash-password" || positionals[0] === "hash-token") {
    if (positionals.length !== 1) {
      return {
        kind: "error",
        message: `${positionals[0]} reads the secret on stdin, not as an argument`,
      };
    }
    return positionals[0] === "hash-password" ? { kind: "hash-password" } : { kind: "hash-token" };
  }
  if (positionals[0] === "convert") {
    if (positionals.length !== 2) {
      return { kind: "error", message: "convert takes one Alloy file, e.g. config.alloy" };
    }
    return { kind: "convert", file: positionals[1], partial: values.partial === true };
  }
  if (values.partial) return { kind: "error", message: "--partial goes with convert" };
  const common = {
    configPath: values.config,
    lokiUrl: values["loki-url"],
    expandEnv: values["config-expand-env"] === true,
    logLevel: values["log-level"] as LogLevel,
    logFormat: values["log-format"] as LogFormat,
  };
  if (positionals[0] === "relabel") {
    if (positionals.length !== 2) {
      return { kind: "error", message: "relabel takes one label set, e.g. '{app=\"a\"}'" };
    }
    return { kind: "relabel", ...common, labels: positionals[1] };
  }
  if (positionals.length > 0) {
    return { kind: "error", message: `unexpected argument "${positionals[0]}"` };
  }
  return { kind: values["check-config"] ? "check" : "run", ...common, labels: undefined };
}

/**
 * Renders a config for printing with secret values replaced by `"<secret>"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactSecrets } from "./cli.ts";
 *
 * assert.equal(
 *   redactSecrets({ basic_auth: { username: "u", password: "p" } }),
 *   '{\n  "basic_auth": {\n    "username": "u",\n    "password": "<secret>"\n  }\n}',
 * );
 * assert.doesNotMatch(redactSecrets({ auth: { bearer_tokens: [{ token: "t0k3n" }] } }), /t0k3n/);
 * ```
 */
export function redactSecrets(config: unknown): string {
  const secret = /^(password|password_hash|bearer_token|token|token_sha256|key_pem|credentials)$/;
  return JSON.stringify(config, (k, v) => (secret.test(k) && v ? "<secret>" : v), 2);
}

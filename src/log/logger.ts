/**
 * The relay's own log lines: logfmt (or JSON) with level, message and fields, one line each,
 * written through an injected `write` so the core never touches stderr itself.
 *
 * @module
 */

/** Log levels, most verbose first. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** Output shape of a log line. */
export type LogFormat = "logfmt" | "json";
/** Extra fields of a log line. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A leveled logger. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lines below this level are not written. @default "info" */
  level?: LogLevel;
  /** @default "logfmt" */
  format?: LogFormat;
  /** Receives each line, newline included. */
  write: (line: string) => void;
  /** @default () => new Date() */
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Creates a logger.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "./logger.ts";
 *
 * const lines: string[] = [];
 * const log = createLogger({ write: (l) => lines.push(l), now: () => new Date(0) });
 * log.info("listening", { addr: "127.0.0.1:8080" });
 * log.debug("hidden");
 * assert.deepEqual(lines, [
 *   'ts=1970-01-01T00:00:00.000Z level=info msg=listening addr=127.0.0.1:8080\n',
 * ]);
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const min = RANK[options.level ?? "info"];
  const format = options.format ?? "logfmt";
  const now = options.now ?? (() => new Date());
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (RANK[level] < min) return;
    const record: LogFields = { ts: now().toISOString(), level, msg, ...fields };
    options.write((format === "json" ? JSON.stringify(record) : logfmt(record)) + "\n");
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/**
 * A logger that writes nothing.
 *
 * @example
 * ```ts
 * import { silentLogger } from "./logger.ts";
 * silentLogger.error("never shown");
 * ```
 */
export const silentLogger: Logger = createLogger({ write: () => {}, level: "error" });

function logfmt(record: LogFields): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const text = String(value);
    const plain = text !== "" && /^[^\s"=\\]+$/.test(text);
    parts.push(`${key}=${plain ? text : JSON.stringify(text)}`);
  }
  return parts.join(" ");
}

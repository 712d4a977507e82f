/**
 * The last errors the status page shows: refusals sent to clients, failures from Loki, reloads.
 * Fed by wrapping the relay's logger, so every place that logs one is covered and nothing else
 * has to know about the page. Bounded: a fixed number of events of each kind, each field cut.
 *
 * @module
 */
import type { LogFields, Logger, LogLevel } from "../log/logger.ts";

/** Which list an event belongs to. */
export type EventKind = "client" | "loki" | "reload";

/** One event, as logged. */
export interface RecentEvent {
  /** When, in ms since the epoch. */
  time: number;
  level: LogLevel;
  msg: string;
  fields: Record<string, string | number | boolean>;
}

/** Events kept of each kind. */
export const EVENTS_PER_KIND = 20;
/** Characters kept of a field's value. */
const FIELD_CHARS = 300;

/** Which list a log line belongs to, if any. */
function kindOf(level: LogLevel, msg: string, fields: LogFields): EventKind | undefined {
  if (msg.startsWith("config reload")) return "reload";
  if (level !== "warn" && level !== "error") return undefined;
  if (fields.endpoint !== undefined) return "loki";
  if (msg === "request refused" || msg === "request failed") return "client";
  return undefined;
}

/**
 * The last {@link EVENTS_PER_KIND} events of each kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecentEvents } from "./recent_events.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const events = new RecentEvents(() => 1000);
 * const log = events.tap(silentLogger);
 * log.warn("request refused", { route: "loki_api_v1_push", status: 400, reason: "bad" });
 * log.info("listening");
 * log.error("entries dropped", { endpoint: "loki:3100", reason: "ingester_error" });
 * assert.deepEqual(events.list("client").map((e) => e.fields.reason), ["bad"]);
 * assert.equal(events.list("loki")[0].msg, "entries dropped");
 * assert.deepEqual(events.list("reload"), []);
 * ```
 */
export class RecentEvents {
  readonly #now: () => number;
  readonly #lists: Record<EventKind, RecentEvent[]> = { client: [], loki: [], reload: [] };

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Records `msg` if it is one the page shows. */
  note(level: LogLevel, msg: string, fields: LogFields = {}): void {
    const kind = kindOf(level, msg, fields);
    if (kind === undefined) return;
    const kept: RecentEvent["fields"] = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      kept[key] = typeof value === "string" && value.length > FIELD_CHARS
        ? value.slice(0, FIELD_CHARS) + "…"
        : value;
    }
    const list = this.#lists[kind];
    list.push({ time: this.#now(), level, msg, fields: kept });
    if (list.length > EVENTS_PER_KIND) list.shift();
  }

  /** The events of `kind`, newest first. */
  list(kind: EventKind): RecentEvent[] {
    return this.#lists[kind].toReversed();
  }

  /** A logger that writes through `logger` and records what the page shows. */
  tap(logger: Logger): Logger {
    const wrap = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      this.note(level, msg, fields);
      logger[level](msg, fields);
    };
    return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
  }
}

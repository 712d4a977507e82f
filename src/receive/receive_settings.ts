/**
 * Builds the receive settings from a parsed config: size limit, timestamp policy and the
 * cached per-stream label pipeline with the compiled relabel rules.
 *
 * @module
 */
import type { Config } from "../config/config_schema.ts";
import { parseSize } from "../config/units.ts";
import { compileRules, relabel } from "../rules/mod.ts";
import type { ReceiveSettings } from "./receive_context.ts";
import { createStreamResolver } from "./stream_resolver.ts";

/** `max_send_message_size` when it is 0 or less: 100 MiB, as in Alloy. */
export const DEFAULT_MAX_SEND_MESSAGE_SIZE = 100 * 1024 * 1024;

/**
 * Derives the settings the receive routes use from a parsed config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "../config/parse_config.ts";
 * import { receiveSettings } from "./receive_settings.ts";
 *
 * const parsed = parseConfig({ max_send_message_size: 0 });
 * assert.equal(parsed.ok && receiveSettings(parsed.config).maxBytes, 104857600);
 * ```
 */
export function receiveSettings(config: Config): ReceiveSettings {
  const size = parseSize(config.max_send_message_size);
  const rules = config.relabel_rules.length > 0 ? compileRules(config.relabel_rules) : null;
  return {
    maxBytes: size > 0 ? size : DEFAULT_MAX_SEND_MESSAGE_SIZE,
    maxInflightBytes: parseSize(config.max_inflight_bytes),
    useIncomingTimestamp: config.use_incoming_timestamp,
    resolve: createStreamResolver({
      labels: config.labels,
      relabel: rules && ((labels) => relabel(labels, rules)),
    }),
  };
}

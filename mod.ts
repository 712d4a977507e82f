/**
 * lokirelay: receive logs over the Loki push API and forward them to Loki, on Deno and Bun.
 *
 * The relay is one web-standard `fetch(request)` handler: mount it in any server.
 *
 * @example Handle a push without a server
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRelay } from "./mod.ts";
 *
 * let out = "";
 * const relay = createRelay({ labels: { job: "demo" } }, { stdout: (text) => (out += text) });
 * const res = await relay.fetch(new Request("http://relay/loki/api/v1/raw", {
 *   method: "POST",
 *   body: "hello\n",
 * }));
 * assert.equal(res.status, 204);
 * assert.equal(JSON.parse(out).values[0][1], "hello");
 * await relay.close();
 * ```
 *
 * @module
 */
export { createRelay, type Relay, type RelayDeps, type ReloadResult } from "./src/relay.ts";
export { parseConfig, type ParseConfigResult } from "./src/config/parse_config.ts";
export type { Config, ConfigInput } from "./src/config/config_schema.ts";
export { compileRules, relabel } from "./src/rules/mod.ts";
export type { RelabelRule } from "./src/rules/mod.ts";
export { decodePushRequest, encodePushRequest } from "./src/push/proto_codec.ts";
export { decodePushJson } from "./src/push/json_codec.ts";
export { parseLabels } from "./src/labels/parse_labels.ts";
export { formatLabels } from "./src/labels/format_labels.ts";
export type {
  Batch,
  Entry,
  LabelPair,
  Labels,
  PushRequest,
  PushStream,
  Sink,
  SinkResult,
  Stream,
} from "./src/types.ts";
export { VERSION } from "./src/version.ts";

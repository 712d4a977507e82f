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
export {
  createRelay,
  isSettings,
  type Relay,
  type RelayOptions,
  type ReloadResult,
} from "./src/relay.ts";
export { createRuntime, type Runtime } from "./src/runtime.ts";
export { parseConfig, type ParseConfigResult } from "./src/config/parse_config.ts";
export { resolveSettings, type SettingsResult } from "./src/config/resolve_settings.ts";
export type { Config, ConfigInput } from "./src/config/config_schema.ts";
export type {
  ClientTlsSettings,
  EndpointSettings,
  ForwardSettings,
  ListenerSettings,
  ReceiveSettings,
  ServerTlsSettings,
  Settings,
} from "./src/config/settings.ts";
export { compileRules, relabel } from "./src/rules/mod.ts";
export type { RelabelRule } from "./src/rules/mod.ts";
export { decodePushRequest } from "./src/codec/decode_proto.ts";
export { encodePushRequest } from "./src/codec/encode_proto.ts";
export { decodePushJson } from "./src/codec/decode_json.ts";
export { parseLabels } from "./src/labels/parse_labels.ts";
export { formatLabels } from "./src/labels/format_labels.ts";
export type {
  Accepted,
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

import { test } from "node:test";
import assert from "node:assert/strict";
import { inputMemoryTargetBytes, memoryTargetBytes } from "../../src/config/memory_bound.ts";
import { resolveSettings } from "../../src/config/resolve_settings.ts";

test("the memory target read from raw JSON (before start-up loads the schema) is the resolved one", () => {
  const url = "http://127.0.0.1:3100/loki/api/v1/push";
  const configs: Record<string, unknown>[] = [
    {},
    { forward_to: [{ url }] },
    { max_inflight_bytes: "16MiB", forward_to: [{ url, queue_config: { capacity: "100MiB" } }] },
    {
      max_inflight_bytes: 1048576,
      forward_to: [{ url }, { url, queue_config: { capacity: 2048 } }],
    },
    { forward_to: [{ url }, { url }], wal: { enabled: true, dir: "/tmp/x" } },
    { forward_to: [{ url }], wal: { enabled: false } },
  ];
  for (const config of configs) {
    const resolved = resolveSettings(config);
    assert.ok(resolved.ok, JSON.stringify(config));
    assert.equal(
      inputMemoryTargetBytes(config),
      memoryTargetBytes(resolved.settings),
      JSON.stringify(config),
    );
  }
});

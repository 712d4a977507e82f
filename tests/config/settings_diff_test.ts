import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveSettings } from "../../src/config/resolve_settings.ts";
import { diffSettings, sameValue } from "../../src/config/settings_diff.ts";
import type { ConfigInput } from "../../src/config/config_schema.ts";

function settings(config: ConfigInput) {
  const r = resolveSettings(config);
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r.settings;
}

test("diffSettings() says which part a change concerns", () => {
  const base = settings({ forward_to: [{ url: "http://a/push" }] });
  const cases: [ConfigInput, Partial<ReturnType<typeof diffSettings>>][] = [
    [{ forward_to: [{ url: "http://a/push" }] }, {
      listener: false,
      receive: false,
      forward: false,
    }],
    [{ http: { listen_port: 9999 }, forward_to: [{ url: "http://a/push" }] }, { listener: true }],
    [{ graceful_shutdown_timeout: "1s", forward_to: [{ url: "http://a/push" }] }, {
      listener: true,
    }],
    [{ labels: { a: "b" }, forward_to: [{ url: "http://a/push" }] }, { receive: true }],
    [{ max_inflight_bytes: "1MiB", forward_to: [{ url: "http://a/push" }] }, { receive: true }],
    [{ external_labels: { c: "1" }, forward_to: [{ url: "http://a/push" }] }, {
      forward: true,
      carried: [0],
    }],
    [{ forward_to: [{ url: "http://a/push", batch_wait: "2s" }] }, {
      forward: true,
      carried: [-1],
    }],
    [{}, { forward: true, carried: [] }],
  ];
  for (const [config, expected] of cases) {
    const diff = diffSettings(base, settings(config));
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(diff[key as keyof typeof diff], value, `${JSON.stringify(config)} ${key}`);
    }
  }
});

test("diffSettings() carries each unchanged endpoint once, wherever it moved in the list", () => {
  const a = { url: "http://a/push" };
  const b = { url: "http://b/push" };
  const prev = settings({ forward_to: [a, b, a] });
  const next = settings({ forward_to: [b, a, a, a] });
  assert.deepEqual(diffSettings(prev, next).carried, [1, 0, 2, -1]);
});

test("a secret file whose content changed is a changed endpoint", () => {
  const read = (content: string) => () => content;
  const config = { forward_to: [{ url: "http://a/push", bearer_token_file: "/t" }] };
  const one = resolveSettings(config, read("one"));
  const two = resolveSettings(config, read("two"));
  assert.ok(one.ok && two.ok);
  assert.deepEqual(diffSettings(one.settings, two.settings).carried, [-1]);
});

test("sameValue() compares plain data deeply", () => {
  assert.equal(sameValue({ a: { b: [1, "x"] } }, { a: { b: [1, "x"] } }), true);
  assert.equal(sameValue({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(sameValue([1], { 0: 1 }), false);
  assert.equal(sameValue(null, {}), false);
  assert.equal(sameValue(undefined, undefined), true);
});

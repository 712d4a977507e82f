// Settings accepted for Alloy compatibility that have no effect: found by resolveSettings, one
// warning each with its path; a new case is one row of the table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { configWarnings, type NoEffectRule } from "../../src/config/config_warnings.ts";
import { parseConfig } from "../../src/config/parse_config.ts";
import { resolveSettings } from "../../src/config/resolve_settings.ts";

test("headers the relay sets itself are warnings, with their paths; others are not", () => {
  const r = resolveSettings({
    forward_to: [
      { url: "http://a/push", headers: { "X-Team": "a", "content-type": "text/plain" } },
      {
        url: "http://b/push",
        bearer_token: "t",
        headers: { Authorization: "Basic eA==", "X-Scope-OrgID": "team-b" },
      },
      { url: "http://c/push", headers: { Authorization: "Basic eA==" } },
    ],
  });
  assert.ok(r.ok);
  assert.deepEqual(r.warnings, [
    {
      path: "forward_to[0].headers.content-type",
      message: "no effect: the relay sets this header itself (as Alloy does)",
    },
    {
      path: "forward_to[1].headers.X-Scope-OrgID",
      message: "no effect: the tenant is the push's X-Scope-OrgID, or tenant_id for pushes without",
    },
    {
      path: "forward_to[1].headers.Authorization",
      message: "no effect when basic_auth, bearer_token or bearer_token_file is set",
    },
  ]);
  // The warned-about value really has no effect: the relay's own header wins.
  assert.equal(r.settings.forward!.endpoints[1].headers.authorization, "Bearer t");
});

test("a config without such settings has no warning", () => {
  const r = resolveSettings({ forward_to: [{ url: "http://a/push", headers: { "X-A": "1" } }] });
  assert.deepEqual(r.ok && r.warnings, []);
});

test("rules match lists, maps and plain keys", () => {
  const parsed = parseConfig({
    labels: { a: "1", b: "" },
    use_incoming_timestamp: true,
    forward_to: [{ url: "http://a/push" }, { url: "http://b/push", name: "b" }],
  });
  assert.ok(parsed.ok);
  const rules: NoEffectRule[] = [
    { path: "labels.*", applies: (_k, v) => v === "", message: "empty" },
    { path: "use_incoming_timestamp", applies: (_k, v) => v === true, message: "set" },
    { path: "forward_to[].name", applies: () => true, message: "named" },
    { path: "forward_to[]", applies: (_k, v, [top]) => "labels" in top && !!v, message: "ep" },
  ];
  assert.deepEqual(configWarnings(parsed.config, rules), [
    { path: "labels.b", message: "empty" },
    { path: "use_incoming_timestamp", message: "set" },
    { path: "forward_to[1].name", message: "named" },
    { path: "forward_to[0]", message: "ep" },
    { path: "forward_to[1]", message: "ep" },
  ]);
});

test("the WAL's read frequencies are warnings only when they are set", () => {
  const url = "http://a/push";
  const set = resolveSettings({
    forward_to: [{ url }],
    wal: { enabled: true, min_read_frequency: "100ms", max_read_frequency: "2s" },
  });
  assert.ok(set.ok);
  assert.deepEqual(set.warnings.map((w) => w.path), [
    "wal.min_read_frequency",
    "wal.max_read_frequency",
  ]);
  const unset = resolveSettings({ forward_to: [{ url }], wal: { enabled: true } });
  assert.ok(unset.ok);
  assert.deepEqual(unset.warnings, []);
});

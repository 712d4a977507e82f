// Tenant policy through the relay: the default tenant, the allow-list, a credential's binding and
// pin, and a tenant set by a `__tenant_id__` label, fanning one push out to several tenants, all
// the way to Loki's X-Scope-OrgID.
import { test } from "node:test";
import assert from "node:assert/strict";
import { captureRelay, flatEntries } from "../helpers/capture_sink.ts";
import { JSON_HEADERS, jsonBody, post } from "../helpers/push.ts";
import { startHarness } from "../helpers/relay_harness.ts";

const stream = (labels: Record<string, string>, line: string) => ({
  stream: labels,
  values: [["1700000000000000000", line]],
});
const push = (
  relay: { fetch(r: Request): Promise<Response> },
  streams: unknown[],
  headers: Record<string, string> = {},
) => post(relay, jsonBody(streams), { ...JSON_HEADERS, ...headers });

/** Writes `__tenant_id__` from a stream's `team` label (a Promtail tenant stage, as a rule). */
const TEAM_RULE = {
  action: "replace" as const,
  source_labels: ["team"],
  target_label: "__tenant_id__",
};

test("tenants.default names the tenant of pushes without X-Scope-OrgID; the header wins", async () => {
  const { relay, sink } = captureRelay({ tenants: { default: "edge" } });
  assert.equal((await push(relay, [stream({ app: "a" }, "x")])).status, 204);
  assert.equal(
    (await push(relay, [stream({ app: "a" }, "y")], { "x-scope-orgid": "ops" })).status,
    204,
  );
  assert.deepEqual(flatEntries(sink).map((e) => e.tenant), ["edge", "ops"]);
  await relay.close();
});

test("tenants.allowed: another tenant, or none, is refused 403 with nothing taken", async () => {
  const { relay, sink } = captureRelay({ tenants: { allowed: ["a", "b"] } });
  const other = await push(relay, [stream({ app: "a" }, "x")], { "x-scope-orgid": "c" });
  assert.equal(other.status, 403);
  assert.equal(await other.text(), 'tenant "c" is not allowed (tenants.allowed)\n');
  const none = await push(relay, [stream({ app: "a" }, "x")]);
  assert.equal(none.status, 403);
  assert.match(await none.text(), /a tenant is required/);
  assert.equal(sink.accepted.length, 0);
  assert.equal(
    (await push(relay, [stream({ app: "a" }, "x")], { "x-scope-orgid": "b" })).status,
    204,
  );
  assert.equal(sink.accepted.length, 1);
  await relay.close();
});

test("a credential bound to tenants: 403 for any other, nothing taken", async () => {
  const { relay, sink } = captureRelay({
    auth: { bearer_tokens: [{ name: "team-a", token: "ta", tenants: ["a"] }] },
  });
  const headers = (tenant?: string) => ({
    authorization: "Bearer ta",
    ...(tenant ? { "x-scope-orgid": tenant } : {}),
  });
  const other = await push(relay, [stream({ app: "a" }, "x")], headers("b"));
  assert.equal(other.status, 403);
  assert.equal(await other.text(), 'credential "team-a" may not push for tenant "b"\n');
  assert.equal((await push(relay, [stream({ app: "a" }, "x")], headers())).status, 403);
  assert.equal(sink.accepted.length, 0);
  assert.equal((await push(relay, [stream({ app: "a" }, "x")], headers("a"))).status, 204);
  assert.deepEqual(flatEntries(sink).map((e) => e.tenant), ["a"]);
  assert.match(
    await relay.registry.metrics(),
    /lokirelay_auth_failures_total\{reason="forbidden"\} 2/,
  );
  await relay.close();
});

test("a pinned credential writes for its tenant whatever the header or a label says", async () => {
  const { relay, sink } = captureRelay({
    auth: { bearer_tokens: [{ token: "pin", tenant: "pinned" }] },
    relabel_rules: [TEAM_RULE],
  });
  const res = await push(
    relay,
    [stream({ app: "a" }, "x"), stream({ app: "b", team: "ops" }, "y")],
    { authorization: "Bearer pin", "x-scope-orgid": "someone-else" },
  );
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(sink).map((e) => e.tenant), ["pinned", "pinned"]);
  await relay.close();
});

test("a relabel rule writing __tenant_id__ fans one push out to several tenants, up to Loki", async () => {
  const h = await startHarness({
    config: { relabel_rules: [TEAM_RULE], tenants: { default: "fallback" } },
  });
  try {
    const res = await push(h.relay, [
      stream({ app: "a", team: "ops" }, "one"),
      stream({ app: "b", team: "dev" }, "two"),
      stream({ app: "c" }, "three"),
      stream({ app: "d", team: "ops" }, "four"),
    ]);
    assert.equal(res.status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 4);
    assert.deepEqual(h.loki.lines().sort(), [
      'dev|{app="b", team="dev"}|two',
      'fallback|{app="c"}|three',
      'ops|{app="a", team="ops"}|one',
      'ops|{app="d", team="ops"}|four',
    ]);
    // One Loki request per tenant, each with its own X-Scope-OrgID.
    assert.deepEqual(
      h.loki.received.map((r) => r.headers["x-scope-orgid"]).sort(),
      ["dev", "fallback", "ops"],
    );
    assert.equal(await h.metric('lokirelay_receive_entries_total{tenant="ops"}'), 2);
    assert.equal(await h.metric('lokirelay_receive_entries_total{tenant="dev"}'), 1);
  } finally {
    await h.stop();
  }
});

test("label tenants obey the binding and the allow-list: 403, the whole push refused", async () => {
  const { relay, sink } = captureRelay({
    relabel_rules: [TEAM_RULE],
    tenants: { allowed: ["ops", "dev"] },
    auth: { bearer_tokens: [{ name: "ops-only", token: "t", tenants: ["ops"] }] },
  });
  const headers = { authorization: "Bearer t", "x-scope-orgid": "ops" };
  const bound = await push(
    relay,
    [stream({ app: "a", team: "ops" }, "x"), stream({ app: "b", team: "dev" }, "y")],
    headers,
  );
  assert.equal(bound.status, 403);
  assert.equal(
    await bound.text(),
    'credential "ops-only" may not push for tenant "dev" (set by a __tenant_id__ label)\n',
  );
  const unknown = await push(relay, [stream({ app: "a", team: "qa" }, "x")], headers);
  assert.equal(unknown.status, 403);
  assert.equal(sink.accepted.length, 0);
  await relay.close();
});

test("a client's own __tenant_id__ label is not a tenant; an invalid one from a rule is a stream error", async () => {
  const { relay, sink } = captureRelay({ relabel_rules: [TEAM_RULE] });
  const own = await push(relay, [stream({ app: "a", __tenant_id__: "sneaky" }, "x")], {
    "x-scope-orgid": "mine",
  });
  assert.equal(own.status, 204);
  const bad = await push(relay, [
    stream({ app: "a", team: "not a tenant" }, "x"),
    stream({ app: "b" }, "y"),
  ]);
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /__tenant_id__ "not a tenant": tenant may only contain/);
  assert.deepEqual(flatEntries(sink).map((e) => [e.tenant, e.line]), [["mine", "x"], [
    undefined,
    "y",
  ]]);
  await relay.close();
});

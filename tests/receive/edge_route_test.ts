// The edge blocks through the push route, end to end: the relay's own fetch, a fake Loki behind
// it, a fake clock. Which tenant a stream is written for, what a rate refuses (and that it is not
// forwarded), what Loki's limits refuse (only the streams or entries concerned, in Loki's words),
// what shows on /metrics, and the config errors of these blocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness } from "../helpers/relay_harness.ts";
import { type Fetcher, JSON_HEADERS, jsonBody, post, pushLines } from "../helpers/push.ts";
import { resolveSettings } from "../../src/config/resolve_settings.ts";

/** Writes `__tenant_id__` from a stream's `team` label (a Promtail tenant stage, as a rule). */
const TEAM_RULE = {
  action: "replace" as const,
  source_labels: ["team"],
  target_label: "__tenant_id__",
};

/** The harness clock's time, 2026-11-24T06:00:00Z, in ns as a JSON push writes it. */
const NOW_NS = "1795500000000000000";

const stream = (labels: Record<string, string>, ...lines: string[]) => ({
  stream: labels,
  values: lines.map((l) => [NOW_NS, l]),
});

const push = (relay: Fetcher, streams: unknown[], tenant?: string) =>
  post(relay, jsonBody(streams), {
    ...JSON_HEADERS,
    ...(tenant !== undefined && { "x-scope-orgid": tenant }),
  });

/** The value of one series as `GET /metrics` shows it (0 when absent). */
async function scrape(relay: Fetcher, series: string): Promise<number> {
  const res = await relay.fetch(new Request("http://relay/metrics"));
  assert.equal(res.status, 200);
  const line = (await res.text()).split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** A one-line refusal: the status and the whole body. */
async function refusal(res: Response): Promise<[number, string]> {
  const body = await res.text();
  assert.equal(body.indexOf("\n"), body.length - 1, `one line: ${JSON.stringify(body)}`);
  return [res.status, body.slice(0, -1)];
}

test("tenants.default is the tenant of pushes without X-Scope-OrgID, forwarded as such", async () => {
  const h = await startHarness({ config: { tenants: { default: "edge" } } });
  try {
    assert.equal((await pushLines(h.relay, ["no header"])).status, 204);
    assert.equal((await pushLines(h.relay, ["with header"], { tenant: "ops" })).status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 2);
    assert.deepEqual(h.loki.lines().sort(), [
      'edge|{app="a"}|no header',
      'ops|{app="a"}|with header',
    ]);
    assert.equal(await scrape(h.relay, 'lokirelay_receive_entries_total{tenant="edge"}'), 1);
  } finally {
    await h.stop();
  }
});

test("tenants.allowed: any other tenant is refused 403 with a one-line reason, nothing sent", async () => {
  const h = await startHarness({
    config: { tenants: { allowed: ["a", "ops"] }, relabel_rules: [TEAM_RULE] },
  });
  try {
    assert.deepEqual(await refusal(await pushLines(h.relay, ["x"], { tenant: "b" })), [
      403,
      'tenant "b" is not allowed (tenants.allowed)',
    ]);
    assert.deepEqual(await refusal(await pushLines(h.relay, ["x"])), [
      403,
      "a tenant is required (X-Scope-OrgID): tenants.allowed is set",
    ]);
    // A rule-set tenant is held to the same list; the whole push is refused.
    const mixed = await push(h.relay, [
      stream({ app: "a" }, "fine"),
      stream({ app: "b", team: "dev" }, "dev line"),
    ], "a");
    assert.deepEqual(await refusal(mixed), [
      403,
      'tenant "dev" is not allowed (tenants.allowed) (set by a __tenant_id__ label)',
    ]);
    assert.equal((await push(h.relay, [stream({ app: "c", team: "ops" }, "ok")], "a")).status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.received.length === 1);
    await h.time.advance(1000);
    assert.deepEqual(h.loki.lines(), ['ops|{app="c", team="ops"}|ok']);
    assert.equal(await scrape(h.relay, 'lokirelay_auth_failures_total{reason="forbidden"}'), 3);
  } finally {
    await h.stop();
  }
});

test("a rule-set __tenant_id__ routes its stream to that tenant; a client's own is ignored", async () => {
  const h = await startHarness({ config: { relabel_rules: [TEAM_RULE] } });
  try {
    const res = await push(h.relay, [
      stream({ app: "a" }, "header tenant"),
      stream({ app: "b", team: "ops" }, "to ops"),
      stream({ app: "c", __tenant_id__: "evil" }, "client label"),
      stream({ app: "d", team: "sec", __tenant_id__: "evil" }, "rule wins"),
    ], "base");
    assert.equal(res.status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 4);
    assert.deepEqual(h.loki.lines().sort(), [
      'base|{app="a"}|header tenant',
      'base|{app="c"}|client label',
      'ops|{app="b", team="ops"}|to ops',
      'sec|{app="d", team="sec"}|rule wins',
    ]);
    // One request per tenant, each with its own X-Scope-OrgID.
    assert.deepEqual(
      h.loki.received.map((r) => r.headers["x-scope-orgid"]).sort(),
      ["base", "ops", "sec"],
    );
    assert.equal(await scrape(h.relay, 'lokirelay_receive_entries_total{tenant="ops"}'), 1);
    assert.equal(await scrape(h.relay, 'lokirelay_receive_entries_total{tenant="base"}'), 2);
  } finally {
    await h.stop();
  }
});

test("over a rate: 429 with Retry-After in whole seconds, nothing forwarded; later it passes", async () => {
  const h = await startHarness({
    config: { rate_limits: { per_tenant: { entries_per_second: 0.5, entries_burst: 2 } } },
  });
  try {
    assert.equal((await pushLines(h.relay, ["a1", "a2"], { tenant: "a" })).status, 204);
    const limited = await pushLines(h.relay, ["late-1"], { tenant: "a" });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "2");
    assert.match(await limited.text(), /^ingestion rate limit exceeded for tenant "a" /);
    // Another tenant has its own bucket.
    assert.equal((await pushLines(h.relay, ["b1"], { tenant: "b" })).status, 204);

    await h.time.advance(1000);
    const sooner = await pushLines(h.relay, ["late-2"], { tenant: "a" });
    assert.equal(sooner.status, 429);
    assert.equal(sooner.headers.get("retry-after"), "1");
    await h.time.advance(1000);
    assert.equal((await pushLines(h.relay, ["a3"], { tenant: "a" })).status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 4);
    assert.deepEqual(h.loki.lines().sort(), [
      'a|{app="a"}|a1',
      'a|{app="a"}|a2',
      'a|{app="a"}|a3',
      'b|{app="a"}|b1',
    ]);
    assert.equal(await scrape(h.relay, 'lokirelay_rate_limited_pushes_total{tenant="a"}'), 2);
    assert.equal(await scrape(h.relay, 'lokirelay_rate_limited_pushes_total{tenant="b"}'), 0);
    assert.equal(await scrape(h.relay, 'lokirelay_receive_entries_total{tenant="a"}'), 3);
  } finally {
    await h.stop();
  }
});

test("a push larger than a burst is refused 413 (it could never pass), and counted", async () => {
  const h = await startHarness({
    config: {
      rate_limits: {
        per_tenant: { entries_per_second: 10, entries_burst: 2 },
        global: { bytes_per_second: 100 },
      },
    },
  });
  try {
    const many = await pushLines(h.relay, ["1", "2", "3"], { tenant: "a" });
    assert.equal(many.status, 413);
    assert.equal(many.headers.get("retry-after"), null);
    assert.deepEqual(await refusal(many), [
      413,
      'a push of 3 entries is more than the burst of tenant "a" (10 entries/s, burst 2): ' +
      "send smaller pushes",
    ]);
    const big = await pushLines(h.relay, ["x".repeat(101)], { tenant: "b" });
    assert.deepEqual(await refusal(big), [
      413,
      "a push of 101 bytes is more than the burst of all tenants (100 bytes/s, burst 100): " +
      "send smaller pushes",
    ]);
    assert.equal((await pushLines(h.relay, ["x".repeat(100)], { tenant: "b" })).status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 1);
    assert.deepEqual(h.loki.lines(), [`b|{app="a"}|${"x".repeat(100)}`]);
    assert.equal(await scrape(h.relay, 'lokirelay_rate_limited_pushes_total{tenant="a"}'), 1);
    assert.equal(await scrape(h.relay, 'lokirelay_rate_limited_pushes_total{tenant="~all"}'), 1);
  } finally {
    await h.stop();
  }
});

test("limits on: the good stream is forwarded, the answer is 400 in Loki's grouped form", async () => {
  const h = await startHarness({
    config: { limits: { max_line_size: 10, max_label_names_per_series: 2 } },
  });
  try {
    const long = "x".repeat(20);
    const res = await push(h.relay, [
      stream({ app: "bad" }, long, long),
      stream({ a: "1", b: "2", c: "3" }, "abc", "de"),
      stream({ app: "good" }, "fine", "0123456789"),
    ], "t");
    assert.deepEqual(await refusal(res), [
      400,
      `2 errors like: max entry size '10' bytes exceeded for stream '{app="bad"}' while adding ` +
      `an entry with length '20' bytes; 1 errors like: entry for stream '{a="1", b="2", c="3"}' ` +
      `has 3 label names; limit 2`,
    ]);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 2);
    assert.deepEqual(h.loki.lines(), ['t|{app="good"}|fine', 't|{app="good"}|0123456789']);
    const m = (name: string, reason: string) =>
      scrape(h.relay, `lokirelay_discarded_${name}_total{reason="${reason}",tenant="t"}`);
    assert.equal(await m("entries", "line_too_long"), 2);
    assert.equal(await m("bytes", "line_too_long"), 40);
    assert.equal(await m("entries", "max_label_names_per_series"), 2);
    assert.equal(await m("bytes", "max_label_names_per_series"), 5);
    assert.equal(await scrape(h.relay, 'lokirelay_receive_entries_total{tenant="t"}'), 2);
  } finally {
    await h.stop();
  }
});

test("limits on: entries too old or too new against the relay's clock, in Loki's words", async () => {
  const h = await startHarness({
    config: {
      limits: {
        reject_old_samples: true,
        reject_old_samples_max_age: "1h",
        creation_grace_period: "10m",
      },
    },
  });
  try {
    const res = await post(
      h.relay,
      jsonBody([{
        stream: { app: "a" },
        values: [
          ["1795496399000000000", "old"], // 1 h 1 s ago
          ["1795500000000000000", "now"],
          ["1795500601500000000", "new"], // 10 min 1.5 s ahead
        ],
      }]),
      { ...JSON_HEADERS, "x-scope-orgid": "t" },
    );
    assert.deepEqual(await refusal(res), [
      400,
      `1 errors like: entry for stream '{app="a"}' has timestamp too old: 2026-11-24T04:59:59Z, ` +
      `oldest acceptable timestamp is: 2026-11-24T05:00:00Z; 1 errors like: entry for stream ` +
      `'{app="a"}' has timestamp too new: 2026-11-24T06:10:01Z`,
    ]);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 1);
    assert.deepEqual(h.loki.lines(), ['t|{app="a"}|now']);
    const m = (reason: string) =>
      scrape(h.relay, `lokirelay_discarded_entries_total{reason="${reason}",tenant="t"}`);
    assert.equal(await m("greater_than_max_sample_age"), 1);
    assert.equal(await m("too_far_in_future"), 1);
  } finally {
    await h.stop();
  }
});

test("limits with max_line_size_truncate: the line is cut and forwarded, 204, counted", async () => {
  const h = await startHarness({
    config: { limits: { max_line_size: 5, max_line_size_truncate: true } },
  });
  try {
    assert.equal((await pushLines(h.relay, ["abcdéf", "ok"], { tenant: "t" })).status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 2);
    assert.deepEqual(h.loki.lines(), ['t|{app="a"}|abcd', 't|{app="a"}|ok']);
    const m = (name: string) =>
      scrape(h.relay, `lokirelay_mutated_${name}_total{reason="line_too_long",tenant="t"}`);
    assert.equal(await m("entries"), 1);
    assert.equal(await m("bytes"), 3);
  } finally {
    await h.stop();
  }
});

test("a line cut in a stream whose tenant a rule set is counted for that tenant", async () => {
  const h = await startHarness({
    config: {
      relabel_rules: [TEAM_RULE],
      limits: { max_line_size: 5, max_line_size_truncate: true },
    },
  });
  try {
    const res = await push(h.relay, [stream({ app: "b", team: "ops" }, "abcdefgh")], "base");
    assert.equal(res.status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 1);
    assert.deepEqual(h.loki.lines(), ['ops|{app="b", team="ops"}|abcde']);
    const m = (tenant: string) =>
      scrape(h.relay, `lokirelay_mutated_entries_total{reason="line_too_long",tenant="${tenant}"}`);
    assert.equal(await m("ops"), 1);
    assert.equal(await m("base"), 0);
  } finally {
    await h.stop();
  }
});

test("limits count external_labels, which Loki sees under every stream", async () => {
  const h = await startHarness({
    config: { external_labels: { cluster: "c1" }, limits: { max_label_names_per_series: 2 } },
  });
  try {
    const res = await push(h.relay, [
      stream({ app: "a" }, "two with cluster"),
      stream({ app: "b", cluster: "own" }, "its own cluster wins"),
      stream({ app: "c", env: "p" }, "three"),
    ], "t");
    assert.deepEqual(await refusal(res), [
      400,
      `entry for stream '{app="c", env="p"}' has 3 label names; limit 2`,
    ]);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 2);
    assert.deepEqual(h.loki.lines().map((l) => l.split("|")[2]).sort(), [
      "its own cluster wins",
      "two with cluster",
    ]);
  } finally {
    await h.stop();
  }
});

test("limits off (the default): nothing Loki's defaults would refuse is refused here", async () => {
  const h = await startHarness();
  try {
    const labels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`l${i}`, "v"]));
    labels["n".repeat(1100)] = "v".repeat(2100);
    const huge = "x".repeat(300 * 1024);
    const res = await post(
      h.relay,
      jsonBody([{
        stream: labels,
        values: [
          ["1000000000", huge], // 1970
          ["1895500000000000000", "far future"],
          [
            NOW_NS,
            "much metadata",
            Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, "v".repeat(400)])),
          ],
        ],
      }]),
      JSON_HEADERS,
    );
    assert.equal(res.status, 204);
    await h.time.advance(1000);
    await h.loki.waitFor(() => h.loki.lines().length === 3);
    const got = h.loki.received.flatMap((r) => r.streams.flatMap((s) => s.entries));
    assert.deepEqual(got.map((e) => e.line?.length), [huge.length, 10, 13]);
    assert.equal(got[2].structuredMetadata?.length, 200);
    assert.doesNotMatch(
      await (await h.relay.fetch(new Request("http://relay/metrics"))).text(),
      /^lokirelay_discarded_entries_total\{/m,
    );
  } finally {
    await h.stop();
  }
});

test("config errors in tenants, rate_limits and limits name the field and the value", () => {
  const r = resolveSettings({
    tenants: { default: "a b", allowed: [] },
    rate_limits: {
      per_tenant: { entries_per_second: -1, entries_burst: 0.5, bytes_per_second: "lots" },
      overrides: { "bad tenant": { entries_per_second: 1 } },
      global: { bytes_burst: -3 },
    },
    limits: {
      max_line_size: "huge",
      max_label_names_per_series: -2,
      max_label_name_length: 1.5,
      reject_old_samples: "yes",
      reject_old_samples_max_age: "7 days",
      creation_grace_period: "1y",
      max_lines: 3,
    },
  });
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, [
    `tenants.default: "a b": tenant may only contain letters, digits and !-_.*'()`,
    "tenants.allowed: [] is out of range (Too small: expected array to have >=1 items)",
    "rate_limits.per_tenant.entries_per_second: -1 is out of range (Too small: expected number " +
    "to be >=0)",
    "rate_limits.per_tenant.entries_burst: expected int, got 0.5",
    'rate_limits.per_tenant.bytes_per_second: "lots" is not a size (e.g. "100MiB", "512KiB", ' +
    "1048576)",
    `rate_limits.overrides.bad tenant: "bad tenant": tenant may only contain letters, digits and ` +
    `!-_.*'()`,
    'rate_limits.global.bytes_burst: -3 is not a size (e.g. "100MiB", "512KiB", 1048576)',
    'limits.max_line_size: "huge" is not a size (e.g. "100MiB", "512KiB", 1048576)',
    "limits.max_label_names_per_series: -2 is out of range (Too small: expected number to be >=0)",
    "limits.max_label_name_length: expected int, got 1.5",
    'limits.reject_old_samples: expected boolean, got "yes"',
    'limits.reject_old_samples_max_age: "7 days" is not a duration (e.g. "168h", "7d", "10m")',
    'limits.creation_grace_period: "1y" is not a duration (e.g. "168h", "7d", "10m")',
    "limits.max_lines: unknown field",
  ]);
  // Checked against each other once each field is valid.
  const crossed = resolveSettings({ tenants: { default: "b", allowed: ["a"] } });
  assert.ok(!crossed.ok);
  assert.deepEqual(crossed.errors, ['tenants.default: "b" is not in tenants.allowed']);
});

test("a reload with a bad limits block is refused and the running limits stay", async () => {
  const h = await startHarness({ config: { limits: { max_line_size: 4 } } });
  try {
    const result = h.relay.reload({
      forward_to: [{ url: h.loki.url }],
      limits: { max_line_size: -1 },
    });
    assert.deepEqual(result, {
      ok: false,
      errors: ['limits.max_line_size: -1 is not a size (e.g. "100MiB", "512KiB", 1048576)'],
    });
    assert.equal((await pushLines(h.relay, ["12345"], { tenant: "t" })).status, 400);
  } finally {
    await h.stop();
  }
});

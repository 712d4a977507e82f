// Ingest authentication through the relay: missing, wrong and right credentials per scheme on the
// push routes; 401 with the challenge; nothing taken when refused; /ready and /metrics open unless
// protected; the operator routes only for a credential bound to no tenant; secrets never logged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { captureRelay, flatEntries } from "../helpers/capture_sink.ts";
import { JSON_HEADERS, jsonBody, post } from "../helpers/push.ts";
import { createLogger } from "../../src/log/logger.ts";
import { hashPassword } from "../../src/auth/password_hash.ts";

const TOKEN = "tok-9f2c1e77d0b14a5c";
const PASSWORD = "hunter2-but-longer";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const basic = (user: string, password: string) =>
  "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
const body = jsonBody([{ stream: { app: "a" }, values: [["1700000000000000000", "hello"]] }]);

async function authRelay(extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const { relay, sink } = captureRelay({
    auth: {
      bearer_tokens: [{ name: "ci", token_sha256: sha256(TOKEN) }],
      basic_users: [{
        username: "ann",
        password_hash: await hashPassword(PASSWORD, { ln: 12, r: 8, p: 1 }),
      }],
      ...extra,
    },
  }, { logger: createLogger({ level: "debug", write: (l) => logs.push(l) }) });
  const push = (authorization?: string, path = "/loki/api/v1/push") =>
    post(
      relay,
      body,
      { ...JSON_HEADERS, ...(authorization ? { authorization } : {}) },
      path,
    );
  return { relay, sink, logs, push };
}

test("no credentials: 401 with both challenges, nothing taken", async () => {
  const { relay, sink, push } = await authRelay();
  for (const path of ["/loki/api/v1/push", "/api/v1/push", "/api/prom/push", "/loki/api/v1/raw"]) {
    const res = await push(undefined, path);
    assert.equal(res.status, 401, path);
    assert.equal(
      res.headers.get("www-authenticate"),
      'Basic realm="lokirelay", charset="UTF-8", Bearer realm="lokirelay"',
    );
    assert.equal(await res.text(), "authentication required\n");
  }
  assert.equal(sink.accepted.length, 0);
  await relay.close();
});

test("wrong credentials of each scheme: 401, nothing taken; right ones: 204, delivered", async () => {
  const { relay, sink, push } = await authRelay();
  for (
    const header of [
      "Bearer not-the-token",
      `Bearer ${TOKEN}x`,
      basic("ann", "wrong"),
      basic("bob", PASSWORD),
      "Basic !!!",
      "Digest username=ann",
    ]
  ) {
    const res = await push(header);
    assert.equal(res.status, 401, header);
    assert.ok(res.headers.get("www-authenticate"));
  }
  assert.equal(sink.accepted.length, 0);
  assert.equal((await push(`Bearer ${TOKEN}`)).status, 204);
  assert.equal((await push(basic("ann", PASSWORD))).status, 204);
  assert.equal(flatEntries(sink).length, 2);
  const metrics = await relay.registry.metrics();
  assert.match(metrics, /lokirelay_auth_failures_total\{reason="wrong"\} 4/);
  assert.match(metrics, /lokirelay_auth_failures_total\{reason="malformed"\} 2/);
  assert.match(metrics, /lokirelay_auth_requests_total\{credential="ci"\} 1/);
  assert.match(metrics, /lokirelay_auth_requests_total\{credential="ann"\} 1/);
  await relay.close();
});

test("/ready and /metrics stay open by default; protect_* closes them", async () => {
  const open = await authRelay();
  assert.equal((await open.relay.fetch(new Request("http://relay/ready"))).status, 200);
  assert.equal((await open.relay.fetch(new Request("http://relay/metrics"))).status, 200);
  await open.relay.close();
  const closed = await authRelay({ protect_metrics: true, protect_ready: true });
  assert.equal((await closed.relay.fetch(new Request("http://relay/ready"))).status, 401);
  assert.equal((await closed.relay.fetch(new Request("http://relay/metrics"))).status, 401);
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal(
    (await closed.relay.fetch(new Request("http://relay/ready", { headers: auth }))).status,
    200,
  );
  const metrics = await closed.relay.fetch(new Request("http://relay/metrics", { headers: auth }));
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /lokirelay_auth_failures_total/);
  await closed.relay.close();
});

test("the status page, its JSON, the tail and reload need a credential bound to no tenant", async () => {
  const { relay } = captureRelay({
    auth: {
      bearer_tokens: [
        { name: "ops", token: "ops-token" },
        { name: "team", token: "team-token", tenants: ["a"] },
        { name: "pinned", token: "pin-token", tenant: "a" },
      ],
    },
  }, { reload: () => Promise.resolve({ ok: true }) });
  const get = (path: string, token?: string, method = "GET") =>
    relay.fetch(
      new Request(`http://relay${path}`, {
        method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
    );
  for (const path of ["/", "/status"]) {
    assert.equal((await get(path)).status, 401, path);
    assert.equal((await get(path, "team-token")).status, 403, path);
    assert.equal((await get(path, "pin-token")).status, 403, path);
    assert.equal((await get(path, "ops-token")).status, 200, path);
  }
  assert.equal((await get("/tail")).status, 401);
  assert.equal((await get("/-/reload", undefined, "POST")).status, 401);
  assert.equal((await get("/-/reload", "team-token", "POST")).status, 403);
  assert.equal((await get("/-/reload", "ops-token", "POST")).status, 200);
  await relay.close();
});

test("with auth off (the default) every route is open, as in Alloy", async () => {
  const { relay, sink } = captureRelay({});
  assert.equal((await post(relay, body, JSON_HEADERS)).status, 204);
  assert.equal((await relay.fetch(new Request("http://relay/status"))).status, 200);
  assert.equal(sink.accepted.length, 1);
  await relay.close();
});

test("no secret reaches the log, the metrics or a response", async () => {
  const { relay, logs, push } = await authRelay();
  await push(`Bearer ${TOKEN}zz`);
  await push(basic("ann", PASSWORD + "!"));
  await push(`Bearer ${TOKEN}`);
  await push(basic("ann", PASSWORD));
  const metrics = await relay.registry.metrics();
  const everything = logs.join("") + metrics;
  assert.ok(logs.some((l) => /401/.test(l)), "refusals are logged");
  for (
    const secret of [
      TOKEN,
      PASSWORD,
      sha256(TOKEN),
      Buffer.from(`ann:${PASSWORD}`).toString("base64"),
    ]
  ) {
    assert.ok(!everything.includes(secret), `found ${secret.slice(0, 6)}…`);
  }
  await relay.close();
});

// Ingest auth end to end: the relay runs as a real process (dist/lokirelay when LOKIRELAY_BIN is
// set), its secrets made by its own `hash-password` / `hash-token`, real clients push over
// loopback sockets and a fake Loki records what gets through.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { pinoLoki } from "pino-loki";
import { type Child, runRelay, startRelay } from "../helpers/spawn_relay.ts";
import { type FakeLoki, startFakeLoki } from "../helpers/fake_loki.ts";
import { makeCerts } from "../helpers/certs.ts";
import { curl } from "../helpers/curl.ts";

const require = createRequire(import.meta.url);

const dir = mkdtempSync(join(tmpdir(), "lokirelay-auth-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

// Secrets: printable ASCII (winston-loki encodes basicAuth with btoa, Latin-1 only).
const WINNIE_PASSWORD = "w1nst0n correct horse:battery";
const PINA_PASSWORD = "p1n0-staple";
const CI_TOKEN = "ci-token-0123456789abcdef";
const OPS_TOKEN = "ops-token-fedcba9876543210";

/** Runs `lokirelay <command>` with `secret` (and a newline, as `echo` gives) on stdin. */
async function hashWith(command: "hash-password" | "hash-token", secret: string) {
  const out = await runRelay([command], secret + "\n");
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, "");
  assert.ok(out.stdout.endsWith("\n") && !out.stdout.slice(0, -1).includes("\n"), out.stdout);
  return out.stdout.trim();
}

const basic = (user: string, password: string) => "Basic " + btoa(`${user}:${password}`);
const bearer = (token: string) => `Bearer ${token}`;

async function listening(child: Child): Promise<string> {
  const [, port] = await child.waitFor(/msg=listening .*addr=127\.0\.0\.1:(\d+)/);
  return `http://127.0.0.1:${port}`;
}

/** Waits until `pattern` occurs `count` times on the child's stderr. */
async function occurrences(child: Child, pattern: RegExp, count: number, ms = 10_000) {
  const global = new RegExp(pattern.source, "g");
  const deadline = Date.now() + ms;
  while ((child.stderr.match(global)?.length ?? 0) < count) {
    if (Date.now() > deadline) throw new Error(`${pattern} not seen ${count}×:\n${child.stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One push in Loki's JSON form. */
function push(base: string, line: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/loki/api/v1/push`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      streams: [{ stream: { app: "curlish" }, values: [[`${Date.now()}000000`, line]] }],
    }),
  });
}

function metricValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function stop(child: Child, loki: FakeLoki) {
  child.kill("SIGTERM");
  const code = await child.exited;
  await loki.close();
  assert.equal(code, 0, child.stderr);
}

const ROTATED = ["rotate-one-aaaaaaaa", "rotate-two-bbbbbbbb", "rotate-three-cccccc"];
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * The hashes the tests configure, made by `lokirelay` processes started at once and shared by
 * the tests (a password hash is a deliberately slow scrypt, and each process starts a runtime):
 * both passwords, the CI token and the token rotated in. The others are SHA-256 digests made
 * here, the same digest as hash-token's (checked on the CI token).
 */
let made: Promise<Record<string, string>> | undefined;
function secrets(): Promise<Record<string, string>> {
  made ??= (async () => {
    const [winnie, pina, ci, rot1] = await Promise.all([
      hashWith("hash-password", WINNIE_PASSWORD),
      hashWith("hash-password", PINA_PASSWORD),
      hashWith("hash-token", CI_TOKEN),
      hashWith("hash-token", ROTATED[1]),
    ]);
    return { winnie, pina, ci, rot0: sha256(ROTATED[0]), rot1, rot2: sha256(ROTATED[2]) };
  })();
  return made;
}

test("hash-password / hash-token output configures the executable; winston-loki and pino-loki push with basicAuth, tenants pinned", async () => {
  const s = await secrets();
  const [winnieHash, pinaHash, ciDigest] = [s.winnie, s.pina, s.ci];
  assert.match(winnieHash, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.equal(ciDigest, sha256(CI_TOKEN));
  const loki = await startFakeLoki();
  const config = write("clients.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    use_incoming_timestamp: true,
    auth: {
      basic_users: [
        { username: "winnie", password_hash: winnieHash, tenant: "team-w" },
        { username: "pina", password_hash: pinaHash, tenant: "team-p" },
      ],
      bearer_tokens: [
        { name: "ci", token_sha256_file: write("ci.sha256", ciDigest + "\n"), tenants: ["a"] },
      ],
    },
    forward_to: [{ url: loki.url, batch_wait: "50ms" }],
  });
  const child = startRelay(["--config", config]);
  const winston = require("winston");
  const LokiTransport = require("winston-loki");
  const errors: unknown[] = [];
  let transport: { close(): Promise<void> } | undefined;
  let stream: ReturnType<typeof pinoLoki> | undefined;
  try {
    const base = await listening(child);
    assert.doesNotMatch(child.stderr, /plain-text secret/);
    transport = new LokiTransport({
      host: base,
      basicAuth: `winnie:${WINNIE_PASSWORD}`,
      labels: { app: "winston" },
      json: false,
      batching: false,
      replaceTimestamp: false,
      gracefulShutdown: false,
      onConnectionError: (err: unknown) => errors.push(err),
    });
    const wlog = winston.createLogger({ transports: [transport] });
    stream = pinoLoki({
      host: base,
      basicAuth: { username: "pina", password: PINA_PASSWORD },
      batching: false,
      labels: { app: "pino" },
      // The pin wins over what the client asks for.
      headers: { "X-Scope-OrgID": "someone-else" },
    });
    const plog = pino({ base: undefined }, stream);
    wlog.info("winnie one", { timestamp: "2026-11-24T10:00:00.500Z" });
    plog.info("pina one");
    await loki.waitFor(() => loki.lines().length === 2, 8000);
    // A second round: the header is remembered after its first scrypt check.
    wlog.info("winnie two");
    plog.info("pina two");
    await loki.waitFor(() => loki.lines().length === 4, 8000);
    const lines = loki.lines().map((l) => {
      const [tenant, labels, line] = l.split("|");
      return `${tenant}|${labels}|${line.startsWith("{") ? JSON.parse(line).msg : line}`;
    }).sort();
    assert.deepEqual(lines, [
      'team-p|{app="pino", level="info"}|pina one',
      'team-p|{app="pino", level="info"}|pina two',
      'team-w|{app="winston", level="info"}|winnie one {"level":"info"}',
      'team-w|{app="winston", level="info"}|winnie two {"level":"info"}',
    ]);
    assert.deepEqual(errors, []);
    // Every request that reached Loki carried exactly one tenant, and never the client's own.
    for (const r of loki.received) assert.match(String(r.headers["x-scope-orgid"]), /^team-[wp]$/);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.equal(metricValue(metrics, 'lokirelay_auth_requests_total{credential="winnie"}'), 2);
    assert.equal(metricValue(metrics, 'lokirelay_auth_requests_total{credential="pina"}'), 2);
    assert.doesNotMatch(metrics, /lokirelay_auth_failures_total\{/);
    // The bearer token from hash-token's digest file pushes for its tenant.
    const res = await push(base, "ci line", {
      authorization: bearer(CI_TOKEN),
      "x-scope-orgid": "a",
    });
    assert.equal(res.status, 204, await res.text());
    await loki.waitFor(() => loki.lines().some((l) => l === 'a|{app="curlish"}|ci line'));
  } finally {
    await transport?.close();
    stream?.end();
    await stop(child, loki);
  }
  for (const secret of [WINNIE_PASSWORD, PINA_PASSWORD, CI_TOKEN]) {
    assert.ok(!child.stderr.includes(secret) && !child.stdout.includes(secret), "no secret logged");
  }
});

test("refusals: wrong password and no credentials 401 with a challenge, another tenant 403; none reaches Loki; counted on /metrics", async () => {
  const { winnie: hash, ci: ciDigest } = await secrets();
  const loki = await startFakeLoki();
  const config = write("refusals.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    relabel_rules: [{ action: "replace", source_labels: ["team"], target_label: "__tenant_id__" }],
    auth: {
      basic_users: [{ username: "winnie", password_hash: hash, tenant: "team-w" }],
      bearer_tokens: [
        { name: "ci", token_sha256_file: write("refusals.sha256", ciDigest), tenants: ["team-a"] },
      ],
      protect_metrics: false,
    },
    forward_to: [{ url: loki.url, batch_wait: "50ms" }],
  });
  const child = startRelay(["--config", config]);
  try {
    const base = await listening(child);
    const wrong = await push(base, "refused: wrong password", {
      authorization: basic("winnie", "not the password"),
    });
    assert.equal(wrong.status, 401);
    assert.equal(await wrong.text(), "the credentials are not valid\n");
    const challenge = wrong.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /Basic realm="lokirelay"/);
    assert.match(challenge, /Bearer realm="lokirelay", error="invalid_token"/);
    const unknown = await push(base, "refused: no such user", {
      authorization: basic("nobody", WINNIE_PASSWORD),
    });
    assert.equal(unknown.status, 401);
    await unknown.body?.cancel();
    const none = await push(base, "refused: no credentials");
    assert.equal(none.status, 401);
    assert.equal(await none.text(), "authentication required\n");
    assert.match(none.headers.get("www-authenticate") ?? "", /Basic realm="lokirelay"/);
    const raw = await fetch(`${base}/loki/api/v1/raw`, { method: "POST", body: "refused: raw\n" });
    assert.equal(raw.status, 401);
    await raw.body?.cancel();
    const badToken = await push(base, "refused: bad token", { authorization: bearer("nope") });
    assert.equal(badToken.status, 401);
    await badToken.body?.cancel();
    const other = await push(base, "refused: other tenant", {
      authorization: bearer(CI_TOKEN),
      "x-scope-orgid": "team-b",
    });
    assert.equal(other.status, 403);
    const reason = await other.text();
    assert.equal(reason, 'credential "ci" may not push for tenant "team-b"\n');
    assert.equal(reason.split("\n").length, 2, "one line");
    assert.equal(other.headers.get("www-authenticate"), null);
    // A __tenant_id__ label naming another tenant is refused too, the whole push.
    const byLabel = await fetch(`${base}/loki/api/v1/push`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: bearer(CI_TOKEN),
        "x-scope-orgid": "team-a",
      },
      body: JSON.stringify({
        streams: [
          { stream: { app: "ok" }, values: [[`${Date.now()}000000`, "refused: same push"]] },
          {
            stream: { app: "sneaky", team: "team-b" },
            values: [[`${Date.now()}000000`, "refused: label tenant"]],
          },
        ],
      }),
    });
    assert.equal(byLabel.status, 403);
    assert.match(await byLabel.text(), /^credential "ci" may not push for tenant "team-b" .*\n$/);
    // A push that is allowed goes through after all of them: the refused ones would precede it.
    const ok = await push(base, "accepted", {
      authorization: bearer(CI_TOKEN),
      "x-scope-orgid": "team-a",
    });
    assert.equal(ok.status, 204);
    const okBasic = await push(base, "accepted basic", {
      authorization: basic("winnie", WINNIE_PASSWORD),
      "x-scope-orgid": "team-b", // pinned: written for team-w
    });
    assert.equal(okBasic.status, 204);
    await loki.waitFor(() => loki.lines().length >= 2);
    await new Promise((r) => setTimeout(r, 150)); // a batch_wait and more: nothing else comes
    assert.deepEqual(loki.lines().sort(), [
      'team-a|{app="curlish"}|accepted',
      'team-w|{app="curlish"}|accepted basic',
    ]);
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200, "protect_metrics false: open");
    const metrics = await res.text();
    assert.equal(metricValue(metrics, 'lokirelay_auth_failures_total{reason="wrong"}'), 3);
    assert.equal(metricValue(metrics, 'lokirelay_auth_failures_total{reason="missing"}'), 2);
    assert.equal(metricValue(metrics, 'lokirelay_auth_failures_total{reason="forbidden"}'), 2);
    assert.equal(metricValue(metrics, 'lokirelay_auth_requests_total{credential="ci"}'), 3);
  } finally {
    await stop(child, loki);
  }
});

test("secret file rotation: SIGHUP and POST /-/reload swap token and password; protect_metrics asks for an operator credential", async () => {
  const tokens = ROTATED;
  const { rot0: d1, rot1: d2, rot2: d3, winnie, pina } = await secrets();
  const opsDigest = sha256(OPS_TOKEN);
  const loki = await startFakeLoki();
  const tokenFile = write("rotate.sha256", d1 + "\n");
  const passwordFile = write("rota.scrypt", winnie + "\n");
  const config = write("rotate.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    auth: {
      bearer_tokens: [
        { name: "ci", token_sha256_file: tokenFile, tenants: ["a"] },
        { name: "ops", token_sha256: opsDigest },
      ],
      basic_users: [{ username: "rota", password_hash_file: passwordFile, tenants: ["a"] }],
      protect_metrics: true,
    },
    forward_to: [{ url: loki.url, batch_wait: "50ms" }],
  });
  const child = startRelay(["--config", config]);
  const as = (token: string, line: string) =>
    push(base, line, { authorization: bearer(token), "x-scope-orgid": "a" });
  const asRota = (password: string, line: string) =>
    push(base, line, { authorization: basic("rota", password), "x-scope-orgid": "a" });
  let base = "";
  try {
    base = await listening(child);
    assert.equal((await as(tokens[0], "one")).status, 204);
    assert.equal((await asRota(WINNIE_PASSWORD, "rota one")).status, 204);

    writeFileSync(tokenFile, d2 + "\n");
    writeFileSync(passwordFile, pina);
    assert.equal((await as(tokens[0], "one, file changed, not reloaded")).status, 204);
    child.kill("SIGHUP");
    await occurrences(child, /msg="config reloaded"/, 1);
    const old = await as(tokens[0], "refused: one after SIGHUP");
    assert.equal(old.status, 401);
    assert.match(old.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    assert.equal((await as(tokens[1], "two")).status, 204);
    // The old password was remembered after its scrypt check: a reload forgets it.
    assert.equal((await asRota(WINNIE_PASSWORD, "refused: old password")).status, 401);
    assert.equal((await asRota(PINA_PASSWORD, "rota two")).status, 204);

    writeFileSync(tokenFile, d3);
    const anon = await fetch(`${base}/-/reload`, { method: "POST" });
    assert.equal(anon.status, 401);
    await anon.body?.cancel();
    const bound = await fetch(`${base}/-/reload`, {
      method: "POST",
      headers: { authorization: bearer(tokens[1]) },
    });
    assert.equal(bound.status, 403, "a tenant-bound credential is no operator");
    await bound.body?.cancel();
    assert.equal((await as(tokens[1], "two, still")).status, 204, "not reloaded by a refusal");
    const reload = await fetch(`${base}/-/reload`, {
      method: "POST",
      headers: { authorization: bearer(OPS_TOKEN) },
    });
    assert.deepEqual([reload.status, await reload.text()], [200, "config reloaded\n"]);
    assert.equal((await as(tokens[1], "refused: two after /-/reload")).status, 401);
    assert.equal((await as(tokens[2], "three")).status, 204);

    // A file that no longer holds a digest: the reload is refused and the running token stays.
    writeFileSync(tokenFile, "not a digest\n");
    child.kill("SIGHUP");
    await occurrences(child, /msg="config reload refused, keeping the running one"/, 1);
    assert.match(child.stderr, /token_sha256_file/);
    assert.equal((await as(tokens[2], "three, kept")).status, 204);
    // Truncated mid-rotation: refused too, and auth stays on (it once turned off: fail open).
    writeFileSync(tokenFile, "");
    child.kill("SIGHUP");
    await occurrences(child, /msg="config reload refused, keeping the running one"/, 2);
    assert.match(child.stderr, /token_sha256_file: .* is empty \(it should hold the sha256/);
    const anonPush = await push(base, "refused: anonymous after an empty token file");
    assert.equal(anonPush.status, 401);
    await anonPush.body?.cancel();
    assert.equal((await as(tokens[2], "three, still kept")).status, 204);

    // protect_metrics: no credential 401, a bound one 403, the operator's 200.
    const anonMetrics = await fetch(`${base}/metrics`);
    assert.equal(anonMetrics.status, 401);
    assert.equal(
      anonMetrics.headers.get("www-authenticate"),
      'Basic realm="lokirelay", charset="UTF-8", Bearer realm="lokirelay"',
    );
    await anonMetrics.body?.cancel();
    const boundMetrics = await fetch(`${base}/metrics`, {
      headers: { authorization: bearer(tokens[2]) },
    });
    assert.equal(boundMetrics.status, 403);
    assert.match(await boundMetrics.text(), /^credential "ci" is bound to tenants: [^\n]*\n$/);
    const metrics = await fetch(`${base}/metrics`, {
      headers: { authorization: bearer(OPS_TOKEN) },
    });
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    // wrong: two stale tokens and the old password; missing: /-/reload, the anonymous push and
    // /metrics; forbidden: both bound calls.
    assert.equal(metricValue(text, 'lokirelay_auth_failures_total{reason="wrong"}'), 3);
    assert.equal(metricValue(text, 'lokirelay_auth_failures_total{reason="missing"}'), 3);
    assert.equal(metricValue(text, 'lokirelay_auth_failures_total{reason="forbidden"}'), 2);
    assert.equal(metricValue(text, "lokirelay_config_last_reload_successful"), 0);

    await loki.waitFor(() => loki.lines().length >= 9);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(loki.lines().map((l) => l.split("|")[2]), [
      "one",
      "rota one",
      "one, file changed, not reloaded",
      "two",
      "rota two",
      "two, still",
      "three",
      "three, kept",
      "three, still kept",
    ]);
    assert.ok(loki.lines().every((l) => l.startsWith("a|")));
  } finally {
    await stop(child, loki);
  }
  for (const t of [...tokens, OPS_TOKEN, WINNIE_PASSWORD, PINA_PASSWORD]) {
    assert.ok(!child.stderr.includes(t), "no secret logged");
  }
});

test("basic auth over HTTPS (curl, the test CA)", async () => {
  const c = makeCerts();
  const hash = (await secrets()).pina;
  const loki = await startFakeLoki();
  const config = write("tls.json", {
    http: {
      listen_address: "127.0.0.1",
      listen_port: 0,
      tls: { cert_file: c.path("srv.pem"), key_file: c.path("srv.key") },
    },
    labels: { job: "tls" },
    auth: { basic_users: [{ username: "pina", password_hash: hash, tenants: ["secure"] }] },
    forward_to: [{ url: loki.url, batch_wait: "50ms" }],
  });
  const child = startRelay(["--config", config]);
  try {
    const [, port] = await child.waitFor(/msg=listening .*addr=127\.0\.0\.1:(\d+) tls=true/);
    const url = `https://127.0.0.1:${port}/loki/api/v1/raw`;
    const base = ["--cacert", c.path("ca.pem"), "-H", "X-Scope-OrgID: secure", "-XPOST"];
    const good = await curl([
      ...base,
      "-u",
      `pina:${PINA_PASSWORD}`,
      "--data-binary",
      "tls ok\n",
      url,
    ]);
    assert.equal(good.status, 204, JSON.stringify(good));
    const bad = await curl([...base, "-u", "pina:wrong", "--data-binary", "refused: tls\n", url]);
    assert.deepEqual([bad.status, bad.body], [401, "the credentials are not valid\n"]);
    const none = await curl([...base, "--data-binary", "refused: tls none\n", url]);
    assert.equal(none.status, 401);
    await loki.waitFor(() => loki.lines().length === 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(loki.lines(), ['secure|{job="tls"}|tls ok']);
  } finally {
    await stop(child, loki);
  }
});

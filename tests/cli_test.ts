// The executable end to end: arguments, config errors before listening, stdout output, SIGTERM.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { runRelay, startRelay } from "./helpers/spawn_relay.ts";
import { VERSION } from "../src/version.ts";

const dir = mkdtempSync(join(tmpdir(), "lokirelay-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

test("--help prints usage and --version the version", async () => {
  const help = await runRelay(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: lokirelay/);
  assert.match(help.stdout, /--check-config/);
  const version = await runRelay(["--version"]);
  assert.deepEqual([version.code, version.stdout], [0, `lokirelay ${VERSION}\n`]);
});

test("--check-config prints the effective config with defaults and exits 0", async () => {
  const path = configFile("ok.json", { labels: { job: "x" } });
  const r = await runRelay(["--config", path, "--check-config"]);
  assert.equal(r.code, 0, r.stderr);
  const effective = JSON.parse(r.stdout);
  assert.equal(effective.http.listen_port, 8080);
  assert.equal(effective.http.server_idle_timeout, "120s");
  assert.equal(effective.max_send_message_size, "100MiB");
  assert.equal(effective.use_incoming_timestamp, false);
  assert.deepEqual(effective.labels, { job: "x" });
});

test("a bad config exits 1 before listening, naming each field path and value", async () => {
  const path = configFile("bad.json", {
    http: { listen_port: 70000 },
    forward_to: [{ url: "htp:/x" }],
    max_send_message_size: "lots",
    labls: {},
  });
  const r = await runRelay(["--config", path]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /forward_to\[0\]\.url: "htp:\/x" is not a valid URL/);
  assert.match(r.stderr, /http\.listen_port: 70000 is out of range/);
  assert.match(r.stderr, /max_send_message_size: "lots" is not a size/);
  assert.match(r.stderr, /labls: unknown field/);
  assert.doesNotMatch(r.stderr, /listening/);
});

test("unreadable or invalid JSON config files and bad flags exit 1 with the reason", async () => {
  const missing = await runRelay(["--config", join(dir, "nope.json")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.json: cannot read/);
  const broken = await runRelay(["--config", configFile("broken.json", "{ nope")]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /broken\.json: invalid JSON/);
  const flag = await runRelay(["--log-level", "loud"]);
  assert.equal(flag.code, 1);
  assert.match(flag.stderr, /--log-level "loud" is not one of/);
});

test("relabel subcommand prints what a label set becomes", async () => {
  const path = configFile("rules.json", {
    labels: { env: "prod" },
    relabel_rules: [
      { source_labels: ["app"], target_label: "service" },
      { source_labels: ["app"], regex: "debug", action: "drop" },
    ],
  });
  const kept = await runRelay(["relabel", "--config", path, '{app="api"}']);
  assert.deepEqual([kept.code, kept.stdout], [0, '{app="api", env="prod", service="api"}\n']);
  const dropped = await runRelay(["relabel", "--config", path, '{app="debug"}']);
  assert.deepEqual([dropped.code, dropped.stdout], [0, "dropped (relabel_dropped)\n"]);
  const bad = await runRelay(["relabel", "--config", path, "{app=}"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /parse error/);
});

test("runs on the config, writes entries to stdout as JSON lines, stops on SIGTERM", async () => {
  const path = configFile("run.json", {
    http: { listen_address: "127.0.0.1", listen_port: 0 },
    labels: { job: "cli" },
  });
  const child = startRelay(["--config", path]);
  try {
    const [, port] = await child.waitFor(/level=info msg=listening .*addr=127\.0\.0\.1:(\d+)/);
    const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/raw`, {
      method: "POST",
      headers: { "x-scope-orgid": "t1" },
      body: "line one\nline two\n",
    });
    assert.equal(res.status, 204);
    await child.waitFor(/line two/, "stdout");
    const lines = child.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0].stream, { job: "cli" });
    assert.equal(lines[0].values[0][1], "line one");
    assert.match(lines[0].values[0][0], /^\d{19}$/);
    assert.equal(lines[0].tenant, "t1");
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await child.exited, 0, child.stderr);
  assert.match(child.stderr, /msg=stopping signal=SIGTERM/);
  assert.match(child.stderr, /msg=stopped/);
});

test("schema prints the committed JSON Schema", async () => {
  const r = await runRelay(["schema"]);
  assert.equal(r.code, 0, r.stderr);
  const committed = readFileSync(
    new URL("../src/config/lokirelay.schema.json", import.meta.url),
    "utf8",
  );
  assert.equal(r.stdout, committed);
});

test("--check-config lists settings without effect on stderr, one line each", async () => {
  const path = configFile("noeffect.json", {
    forward_to: [{ url: "http://loki/push", headers: { "User-Agent": "x", "X-Team": "a" } }],
  });
  const r = await runRelay(["--config", path, "--check-config"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    "warning: forward_to[0].headers.User-Agent: no effect: the relay sets this header itself " +
      "(as Alloy does)\n",
  );
  assert.equal(JSON.parse(r.stdout).forward_to[0].headers["X-Team"], "a");
});

test("--config-expand-env expands ${VAR}; an unset one exits 1 naming it and its line", async () => {
  const path = configFile(
    "env.json",
    '{\n  "labels": { "env": "${LR_TEST_ENV}", "price": "$$5", "zone": "${LR_UNSET:-z1}" }\n}',
  );
  process.env.LR_TEST_ENV = "prod";
  try {
    const ok = await runRelay(["--config", path, "--config-expand-env", "--check-config"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).labels, { env: "prod", price: "$5", zone: "z1" });
  } finally {
    delete process.env.LR_TEST_ENV;
  }
  const unset = await runRelay(["--config", path, "--config-expand-env"]);
  assert.equal(unset.code, 1);
  assert.match(unset.stderr, /env\.json: line 2: environment variable "LR_TEST_ENV" is not set/);
  assert.doesNotMatch(unset.stderr, /listening/);
  // Without the flag the text is taken as written.
  const raw = await runRelay(["--config", path, "--check-config"]);
  assert.equal(JSON.parse(raw.stdout).labels.env, "${LR_TEST_ENV}");
});

test("convert prints the JSON config of an Alloy file, which then runs", async () => {
  const alloy = configFile(
    "edge.alloy",
    `loki.source.api "edge" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = 0
  }
  labels     = { relay = sys.env("LR_RELAY_NAME") }
  forward_to = [loki.write.out.receiver]
}

loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:9/loki/api/v1/push"
  }
  max_streams = 100
}
`,
  );
  const strict = await runRelay(["convert", alloy]);
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, "");
  assert.match(strict.stderr, /edge\.alloy:14: loki\.write\.out > max_streams: lokirelay has no/);
  const partial = await runRelay(["convert", alloy, "--partial"]);
  assert.equal(partial.code, 0, partial.stderr);
  assert.match(partial.stderr, /run lokirelay with --config-expand-env/);
  const json = configFile("edge.json", partial.stdout);
  process.env.LR_RELAY_NAME = "edge-7";
  try {
    const check = await runRelay(["--config", json, "--config-expand-env", "--check-config"]);
    assert.equal(check.code, 0, check.stderr);
    const effective = JSON.parse(check.stdout);
    assert.equal(effective.$schema, "./lokirelay.schema.json");
    assert.deepEqual(effective.labels, { relay: "edge-7" });
    assert.equal(effective.forward_to[0].url, "http://127.0.0.1:9/loki/api/v1/push");
  } finally {
    delete process.env.LR_RELAY_NAME;
  }
  const missing = await runRelay(["convert", join(dir, "none.alloy")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /none\.alloy: cannot read/);
});

test("hash-password and hash-token read the secret on stdin and print what the config takes", async () => {
  const hashed = await runRelay(["hash-password"], "pa ss:word\n");
  assert.equal(hashed.code, 0, hashed.stderr);
  const hash = hashed.stdout.trim();
  assert.match(hash, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  const token = await runRelay(["hash-token"], "tok-123");
  assert.equal(token.code, 0, token.stderr);
  assert.equal(token.stdout, createHash("sha256").update("tok-123").digest("hex") + "\n");
  assert.match(token.stdout, /^[0-9a-f]{64}\n$/);
  // What they print is what the config takes: the relay starts with both and checks them.
  const path = configFile("auth.json", {
    auth: {
      bearer_tokens: [{ token_sha256: token.stdout.trim() }],
      basic_users: [{ username: "ann", password_hash: hash }],
    },
  });
  const check = await runRelay(["--config", path, "--check-config"]);
  assert.equal(check.code, 0, check.stderr);
  assert.equal((await runRelay(["hash-password"], "")).code, 1);
  assert.equal((await runRelay(["hash-password", "s3cret"])).code, 1);
});

test("--check-config never prints a secret, and warns about plain-text ones", async () => {
  const path = configFile("secrets.json", {
    auth: {
      bearer_tokens: [{ token: "plain-token-value" }, { token_sha256: "ab".repeat(32) }],
      basic_users: [{ username: "ann", password: "plain-password-value" }],
    },
  });
  const r = await runRelay(["--config", path, "--check-config"]);
  assert.equal(r.code, 0, r.stderr);
  for (const secret of ["plain-token-value", "plain-password-value", "ab".repeat(32)]) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), secret);
  }
  assert.match(r.stdout, /"token": "<secret>"/);
  assert.match(r.stderr, /warning: auth\.bearer_tokens\[0\]\.token: a plain-text secret/);
  assert.match(r.stderr, /warning: auth\.basic_users\[0\]\.password: a plain-text secret/);
  // A bad hash is an error naming the field, without the value.
  const bad = configFile("bad-hash.json", {
    auth: { basic_users: [{ username: "ann", password_hash: "$scrypt$oops-secretish" }] },
  });
  const refused = await runRelay(["--config", bad, "--check-config"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /auth\.basic_users\[0\]\.password_hash: not a "\$scrypt\$/);
  assert.ok(!refused.stderr.includes("oops-secretish"));
});

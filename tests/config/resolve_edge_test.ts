// The edge blocks resolved: secrets from files (read again at every resolve, so a reload picks up
// a rotated one), digests and hashes checked, bindings checked against the allow-list, errors
// that name the field and never quote a secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { resolveSettings } from "../../src/config/resolve_settings.ts";
import { hashPassword } from "../../src/auth/password_hash.ts";
import { captureRelay } from "../helpers/capture_sink.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

test("auth is off without credentials; on with them, each secret reduced to a digest or hash", async () => {
  const off = resolveSettings({});
  assert.ok(off.ok);
  assert.equal(off.settings.receive.auth, undefined);
  const hash = await hashPassword("pw", { ln: 10, r: 8, p: 1 });
  const files: Record<string, string> = {
    "/run/tok": sha256("t2").toUpperCase() + "\n",
    "/run/ann": hash + "\n",
  };
  const on = resolveSettings({
    auth: {
      bearer_tokens: [{ token: "t1" }, {
        name: "ops",
        token_sha256_file: "/run/tok",
        tenants: ["a"],
      }],
      basic_users: [
        { username: "ann", password_hash_file: "/run/ann", tenant: "a" },
        { username: "bob", password: "plain" },
      ],
    },
  }, (path) => files[path]);
  assert.ok(on.ok, on.ok ? "" : on.errors.join("; "));
  assert.deepEqual(on.settings.receive.auth!.credentials, [
    { name: "bearer_tokens[0]", scheme: "bearer", secret: { kind: "sha256", hex: sha256("t1") } },
    {
      name: "ops",
      scheme: "bearer",
      secret: { kind: "sha256", hex: sha256("t2") },
      tenants: ["a"],
    },
    {
      name: "ann",
      scheme: "basic",
      username: "ann",
      secret: { kind: "scrypt", hash },
      tenant: "a",
    },
    {
      name: "bob",
      scheme: "basic",
      username: "bob",
      secret: { kind: "sha256", hex: sha256("plain") },
    },
  ]);
});

test("errors name the field and keep secrets out", () => {
  const files: Record<string, string> = {
    "/run/junk": "my-actual-token\n",
    "/run/hash": "hunter2\n",
  };
  const r = resolveSettings({
    tenants: { allowed: ["a"], default: "b" },
    auth: {
      bearer_tokens: [
        { token_sha256_file: "/run/junk" },
        { token: "x", tenants: ["a", "z"], tenant: "q" },
        { token: "dup" },
        { token: "dup" },
        { token_sha256_file: "/run/missing" },
      ],
      basic_users: [
        { username: "ann", password_hash_file: "/run/hash" },
        { username: "ann", password: "p" },
      ],
    },
  }, (path) => {
    if (!(path in files)) throw new Error("ENOENT: no such file");
    return files[path];
  });
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, [
    'auth.bearer_tokens[0].token_sha256_file: "/run/junk" does not hold 64 hex digits (the sha256 of the token; its content is not shown)',
    'auth.bearer_tokens[1].tenant: "q" is not one of its tenants',
    'auth.bearer_tokens[1]: tenant "z" is not in tenants.allowed',
    'auth.bearer_tokens[1]: tenant "q" is not in tenants.allowed',
    "auth.bearer_tokens[3]: the same token as auth.bearer_tokens[2]",
    'auth.bearer_tokens[4].token_sha256_file: cannot read "/run/missing": ENOENT: no such file',
    'auth.basic_users[0].password_hash_file: not a "$scrypt$ln=…,r=…,p=…$salt$hash" password hash (the value is not shown)',
    'auth.basic_users[1].username: "ann" is repeated',
    'tenants.default: "b" is not in tenants.allowed',
  ]);
  const text = r.errors.join("\n");
  assert.ok(!text.includes("my-actual-token") && !text.includes("hunter2"));
});

test("schema errors: bad tenant IDs, exclusive secrets, a colon in a user name, unknown fields", () => {
  const r = resolveSettings({
    tenants: { default: "a b" },
    auth: {
      bearer_tokens: [{ token: "x", token_sha256: "ab".repeat(32) }, { tenants: ["a"] }],
      basic_users: [{ username: "a:b", password: "p" }],
      protect_everything: true,
    },
    rate_limits: { per_tenant: { entries_per_second: -1 } },
    limits: { max_line_size: "huge", reject_old_samples_max_age: "7 days" },
  });
  assert.ok(!r.ok);
  const text = r.errors.join("\n");
  for (
    const expected of [
      /tenants\.default: "a b": tenant may only contain/,
      /auth\.bearer_tokens\[0\]: .*token_sha256 and token are exclusive|auth\.bearer_tokens\[0\]: .*exclusive/,
      /auth\.bearer_tokens\[1\]: .*needs one of token_sha256, token_sha256_file, token/,
      /auth\.basic_users\[0\]\.username: .*must not contain ':'/,
      /auth\.protect_everything: unknown field/,
      /rate_limits\.per_tenant\.entries_per_second/,
      /limits\.max_line_size: .*"huge"/,
      /limits\.reject_old_samples_max_age: .*"7 days"/,
    ]
  ) assert.match(text, expected);
});

test("a reload reads secret files again: a rotated token takes over from the old one", async () => {
  let token = "first";
  const config = { auth: { bearer_tokens: [{ token_sha256_file: "/run/t" }] } };
  const { relay } = captureRelay(config, { readFile: () => sha256(token) });
  const ready = (t: string) =>
    relay.fetch(
      new Request("http://relay/loki/api/v1/push", {
        method: "POST",
        headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
        body: '{"streams":[{"stream":{"a":"1"},"values":[["1","x"]]}]}',
      }),
    ).then((r) => r.status);
  assert.equal(await ready("first"), 204);
  token = "second";
  assert.deepEqual(relay.reload(config), { ok: true });
  assert.equal(await ready("first"), 401);
  assert.equal(await ready("second"), 204);
  await relay.close();
});

// The authenticator: each scheme right, wrong and missing; digests and slow hashes; a bad user
// costs what a good one does; a passed header is remembered; too many waiting checks is "busy".
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Authenticator } from "../../src/auth/authenticator.ts";
import { hashPassword, verifyPassword } from "../../src/auth/password_hash.ts";
import type { AuthSettings } from "../../src/config/settings.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const basic = (user: string, password: string) =>
  "Basic " + Buffer.from(`${user}:${password}`).toString("base64");

async function authenticator(): Promise<Authenticator> {
  const settings: AuthSettings = {
    credentials: [
      { name: "ci", scheme: "bearer", secret: { kind: "sha256", hex: sha256("tok-1") } },
      {
        name: "edge",
        scheme: "bearer",
        secret: { kind: "sha256", hex: sha256("tok-2") },
        tenants: ["a", "b"],
      },
      {
        name: "ann",
        scheme: "basic",
        username: "ann",
        secret: { kind: "scrypt", hash: await hashPassword("hunter2", { ln: 12, r: 8, p: 1 }) },
        tenant: "pinned",
      },
      {
        name: "bob",
        scheme: "basic",
        username: "bob",
        secret: { kind: "sha256", hex: sha256("pw") },
      },
    ],
    protectMetrics: false,
    protectReady: false,
  };
  return new Authenticator(settings);
}

test("bearer: the right token names its credential and binding; others are wrong", async () => {
  const auth = await authenticator();
  const one = await auth.authenticate("Bearer tok-1");
  assert.ok(one.ok);
  assert.equal(one.credential.name, "ci");
  assert.equal(one.credential.tenants, undefined);
  const two = await auth.authenticate("bearer tok-2");
  assert.ok(two.ok);
  assert.deepEqual([...two.credential.tenants!], ["a", "b"]);
  for (const header of ["Bearer tok-3", "Bearer tok-1x", "Bearer TOK-1"]) {
    const r = await auth.authenticate(header);
    assert.deepEqual(r, { ok: false, failure: "wrong", error: "the credentials are not valid" });
  }
});

test("basic: scrypt and digest passwords; wrong user, wrong password, wrong scheme", async () => {
  const auth = await authenticator();
  const ann = await auth.authenticate(basic("ann", "hunter2"));
  assert.ok(ann.ok);
  assert.equal(ann.credential.tenant, "pinned");
  assert.ok((await auth.authenticate(basic("bob", "pw"))).ok);
  for (const header of [basic("ann", "hunter3"), basic("bob", "PW"), basic("eve", "hunter2")]) {
    assert.equal((await auth.authenticate(header)).ok, false, header);
  }
  // A bearer token is not a password, nor a password a token.
  assert.equal((await auth.authenticate("Bearer hunter2")).ok, false);
  assert.equal((await auth.authenticate(basic("ci", "tok-1"))).ok, false);
});

test("missing and malformed headers are told apart; the challenge names each scheme", async () => {
  const auth = await authenticator();
  const missing = await auth.authenticate(null);
  assert.ok(!missing.ok && missing.failure === "missing");
  const malformed = await auth.authenticate("Digest realm=x");
  assert.ok(!malformed.ok && malformed.failure === "malformed");
  assert.equal(
    auth.challenge("missing"),
    'Basic realm="lokirelay", charset="UTF-8", Bearer realm="lokirelay"',
  );
  assert.equal(
    auth.challenge("wrong"),
    'Basic realm="lokirelay", charset="UTF-8", Bearer realm="lokirelay", error="invalid_token"',
  );
  const bearerOnly = new Authenticator({
    credentials: [{ name: "t", scheme: "bearer", secret: { kind: "sha256", hex: sha256("t") } }],
    protectMetrics: false,
    protectReady: false,
  });
  assert.equal(bearerOnly.challenge("missing"), 'Bearer realm="lokirelay"');
  // Basic credentials against a relay with tokens only: wrong, without any hash check.
  assert.equal((await bearerOnly.authenticate(basic("a", "b"))).ok, false);
});

test("an unknown user costs a full scrypt check, as a known one does", async () => {
  const hash = await hashPassword("pw", { ln: 10, r: 8, p: 1 });
  const checks: string[] = [];
  const auth = new Authenticator({
    credentials: [{
      name: "ann",
      scheme: "basic",
      username: "ann",
      secret: { kind: "scrypt", hash },
    }],
    protectMetrics: false,
    protectReady: false,
  }, (password, against) => {
    checks.push(`${password}@${against === hash ? "ann's hash" : against}`);
    return verifyPassword(password, against);
  });
  // Each attempt is one scrypt check against a real hash, whether or not the user exists, so
  // the time of an answer tells no user names.
  for (const [user, password] of [["eve", "pw"], ["ann", "x"], ["mallory", "y"], ["ann", "pw"]]) {
    await auth.authenticate(basic(user, password));
  }
  assert.deepEqual(checks, ["pw@ann's hash", "x@ann's hash", "y@ann's hash", "pw@ann's hash"]);
  assert.equal((await auth.authenticate(basic("eve", "pw"))).ok, false); // ann's password, not eve's
});

test("a header that passed is remembered: the next check is immediate", async () => {
  const auth = new Authenticator({
    credentials: [{
      name: "ann",
      scheme: "basic",
      username: "ann",
      secret: { kind: "scrypt", hash: await hashPassword("pw", { ln: 15, r: 8, p: 1 }) },
    }],
    protectMetrics: false,
    protectReady: false,
  });
  const header = basic("ann", "pw");
  assert.ok((await auth.authenticate(header)).ok);
  // Remembered: the answer comes without waiting for the thread pool (a settled promise).
  let settled = false;
  const again = auth.authenticate(header);
  Promise.resolve(again).then(() => (settled = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.ok(settled);
  assert.ok((await again).ok);
  // A wrong password is never remembered as right.
  assert.equal((await auth.authenticate(basic("ann", "pW"))).ok, false);
});

test("checks wait in line, one at a time; past 32 waiting a request is told to retry", async () => {
  const auth = new Authenticator({
    credentials: [{
      name: "ann",
      scheme: "basic",
      username: "ann",
      secret: { kind: "scrypt", hash: await hashPassword("pw", { ln: 12, r: 8, p: 1 }) },
    }],
    protectMetrics: false,
    protectReady: false,
  });
  const outcomes = await Promise.all(
    Array.from({ length: 40 }, (_, i) => auth.authenticate(basic("ann", `wrong-${i}`))),
  );
  const busy = outcomes.filter((o) => !o.ok && o.failure === "busy").length;
  const wrong = outcomes.filter((o) => !o.ok && o.failure === "wrong").length;
  assert.equal(busy, 8);
  assert.equal(wrong, 32);
  // Once the line has drained, checks are taken again.
  assert.ok((await auth.authenticate(basic("ann", "pw"))).ok);
});

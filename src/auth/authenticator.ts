/**
 * Who is pushing: the `Authorization` header checked against the configured credentials. Tokens
 * and plain passwords are compared as SHA-256 digests, in constant time, against every credential
 * of the scheme (no early exit); scrypt hashes are checked off the event loop, one at a time, and
 * a header that passed is remembered (by its digest) until the next reload, so a client's steady
 * pushes cost one hash lookup.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthSettings, CredentialSettings } from "../config/settings.ts";
import { parseAuthorization } from "./authorization.ts";
import { verifyPassword } from "./password_hash.ts";

/** Who a request authenticated as: the credential's name and its tenant binding. */
export interface Credential {
  /** The credential's name (never its secret): for logs and metrics. */
  readonly name: string;
  /** Tenants it may push for; `undefined`: any. */
  readonly tenants?: ReadonlySet<string>;
  /** The tenant every entry it pushes is written for, whatever the request says. */
  readonly tenant?: string;
}

/** Why a request did not authenticate. */
export type AuthFailure =
  | "missing" // no Authorization header
  | "malformed" // a header that is not Basic or Bearer credentials
  | "wrong" // credentials that match no configured one
  | "busy"; // too many password checks waiting

/** The outcome of {@link Authenticator.authenticate}. */
export type AuthOutcome =
  | { ok: true; credential: Credential }
  | { ok: false; failure: AuthFailure; error: string };

/** Headers remembered after a successful scrypt check, at most (emptied when full). */
const REMEMBERED = 1024;
/** Password checks that may wait for the one running; past this a request is told to retry. */
const MAX_WAITING = 32;

interface Stored {
  credential: Credential;
  settings: CredentialSettings;
  /** SHA-256 of the token (bearer) or the user name (basic). */
  id: Uint8Array;
}

/**
 * Checks `Authorization` headers against {@link AuthSettings}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHash } from "node:crypto";
 * import { Authenticator } from "./authenticator.ts";
 *
 * const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
 * const auth = new Authenticator({
 *   credentials: [{
 *     name: "ci", scheme: "bearer", secret: { kind: "sha256", hex: sha256("t0ken") }, tenants: ["a"],
 *   }],
 *   protectMetrics: false,
 *   protectReady: false,
 * });
 * const ok = await auth.authenticate("Bearer t0ken");
 * assert.ok(ok.ok && ok.credential.name === "ci" && ok.credential.tenants?.has("a"));
 * assert.deepEqual(await auth.authenticate("Bearer nope"), {
 *   ok: false, failure: "wrong", error: "the credentials are not valid",
 * });
 * assert.equal((await auth.authenticate(null) as { failure: string }).failure, "missing");
 * ```
 */
export class Authenticator {
  readonly settings: AuthSettings;
  readonly #bearer: Stored[] = [];
  readonly #basic: Stored[] = [];
  readonly #remembered = new Map<string, Credential>();
  #checking: Promise<unknown> = Promise.resolve();
  #waiting = 0;
  readonly #verify: typeof verifyPassword;

  /** `verify` checks a password against an scrypt hash (a stand-in only in tests). */
  constructor(settings: AuthSettings, verify: typeof verifyPassword = verifyPassword) {
    this.settings = settings;
    this.#verify = verify;
    for (const c of settings.credentials) {
      const credential: Credential = {
        name: c.name,
        ...(c.tenants && { tenants: new Set(c.tenants) }),
        ...(c.tenant !== undefined && { tenant: c.tenant }),
      };
      if (c.scheme === "bearer") {
        const digest = c.secret as { kind: "sha256"; hex: string };
        this.#bearer.push({ credential, settings: c, id: fromHex(digest.hex) });
      } else {
        this.#basic.push({ credential, settings: c, id: sha256(c.username ?? "") });
      }
    }
  }

  /** The challenge of a 401: one per configured scheme, `error="invalid_token"` for a bad token. */
  challenge(failure: AuthFailure): string {
    const challenges: string[] = [];
    if (this.#basic.length > 0) challenges.push('Basic realm="lokirelay", charset="UTF-8"');
    if (this.#bearer.length > 0) {
      challenges.push(
        failure === "wrong" || failure === "malformed"
          ? 'Bearer realm="lokirelay", error="invalid_token"'
          : 'Bearer realm="lokirelay"',
      );
    }
    return challenges.join(", ");
  }

  /** Checks one `Authorization` header (`null` when absent). Never throws. */
  authenticate(header: string | null): AuthOutcome | Promise<AuthOutcome> {
    const parsed = parseAuthorization(header);
    switch (parsed.scheme) {
      case "none":
        return { ok: false, failure: "missing", error: "authentication required" };
      case "invalid":
        return { ok: false, failure: "malformed", error: parsed.error };
      case "bearer": {
        const found = matchAll(this.#bearer, sha256(parsed.token));
        return found ? { ok: true, credential: found.credential } : WRONG;
      }
      case "basic":
        return this.#basic.length === 0
          ? WRONG
          : this.#checkBasic(header!, parsed.username, parsed.password);
    }
  }

  async #checkBasic(header: string, username: string, password: string): Promise<AuthOutcome> {
    const key = createHash("sha256").update(header).digest("base64");
    const remembered = this.#remembered.get(key);
    if (remembered) return { ok: true, credential: remembered };
    const user = matchAll(this.#basic, sha256(username));
    const secret = (user ?? this.#basic[0]).settings.secret;
    if (secret.kind === "sha256") {
      const same = timingSafeEqual(sha256(password), fromHex(secret.hex));
      return user && same ? { ok: true, credential: user.credential } : WRONG;
    }
    // An unknown user costs the same scrypt check as a known one: timing tells no user names.
    if (this.#waiting >= MAX_WAITING) {
      return { ok: false, failure: "busy", error: "too many password checks in progress" };
    }
    this.#waiting++;
    const check = this.#checking.then(() => this.#verify(password, secret.hash));
    this.#checking = check.catch(() => {});
    let same: boolean;
    try {
      same = await check;
    } catch {
      same = false;
    } finally {
      this.#waiting--;
    }
    if (!user || !same) return WRONG;
    if (this.#remembered.size >= REMEMBERED) this.#remembered.clear();
    this.#remembered.set(key, user.credential);
    return { ok: true, credential: user.credential };
  }
}

const WRONG: AuthOutcome = { ok: false, failure: "wrong", error: "the credentials are not valid" };

/** The stored credential whose id equals `id`, comparing with every one (constant time each). */
function matchAll(stored: Stored[], id: Uint8Array): Stored | undefined {
  let found: Stored | undefined;
  for (const s of stored) {
    if (timingSafeEqual(s.id, id) && found === undefined) found = s;
  }
  return found;
}

function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

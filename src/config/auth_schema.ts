/**
 * The `auth` block: lokirelay's own ingest authentication (Alloy's `loki.source.api` has none).
 * Bearer tokens and basic-auth users, each optionally bound to the tenants it may push for or
 * pinned to one. Secrets are given as digests or slow hashes, inline or in files read at start
 * and at every reload; plain text is accepted for trials and warned about.
 *
 * @module
 */
import { z } from "zod";

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

const tenantsField = z.array(z.string().min(1)).min(1).optional().describe(
  "Tenants this credential may push for (X-Scope-OrgID, tenants.default or a __tenant_id__ " +
    "label); a push for any other is refused 403 with nothing taken. Absent: any tenant.",
);
const tenantField = z.string().min(1).optional().describe(
  "Pins the tenant: every entry pushed with this credential is written for this tenant, " +
    "whatever X-Scope-OrgID or a __tenant_id__ label says.",
);
const nameField = z.string().min(1).optional().describe(
  "A name for logs and metrics (never the secret); default: bearer_tokens[i] or the username.",
);

function exactlyOne(keys: string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => value[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: given.length === 0
          ? `needs one of ${keys.join(", ")}`
          : `${given.join(" and ")} are exclusive: give one`,
      });
    }
  };
}

/**
 * One bearer token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bearerTokenSchema } from "./auth_schema.ts";
 *
 * assert.ok(bearerTokenSchema.safeParse({ token_sha256: "ab".repeat(32) }).success);
 * assert.equal(bearerTokenSchema.safeParse({ token_sha256: "abc" }).success, false);
 * assert.equal(bearerTokenSchema.safeParse({}).success, false);
 * ```
 */
export const bearerTokenSchema = z.strictObject({
  name: nameField,
  token_sha256: z.string().regex(SHA256_HEX, "must be 64 hex digits (sha256 of the token)")
    .optional().describe(
      "The SHA-256 of the token, hex (`printf %s TOKEN | sha256sum`). Tokens are long and " +
        "random, so a fast digest is enough; a slow hash is for passwords.",
    ),
  token_sha256_file: z.string().min(1).optional().describe(
    "A file holding token_sha256 (read at start and at every reload).",
  ),
  token: z.string().min(1).optional().describe(
    "The token in plain text: accepted for trials, warned about by --check-config.",
  ),
  tenants: tenantsField,
  tenant: tenantField,
}).superRefine(exactlyOne(["token_sha256", "token_sha256_file", "token"]));

/**
 * One basic-auth user.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basicUserSchema } from "./auth_schema.ts";
 *
 * assert.ok(basicUserSchema.safeParse({ username: "ann", password_hash_file: "/run/ann" }).success);
 * assert.equal(basicUserSchema.safeParse({ username: "a:b", password: "x" }).success, false);
 * ```
 */
export const basicUserSchema = z.strictObject({
  username: z.string().min(1).refine((u) => !u.includes(":"), "must not contain ':'").describe(
    "The user name (RFC 7617: no colon).",
  ),
  password_hash: z.string().min(1).optional().describe(
    "The password as an scrypt hash, $scrypt$ln=15,r=8,p=1$salt$hash (make one with " +
      "`lokirelay hash-password`).",
  ),
  password_hash_file: z.string().min(1).optional().describe(
    "A file holding password_hash (read at start and at every reload).",
  ),
  password: z.string().min(1).optional().describe(
    "The password in plain text: accepted for trials, warned about by --check-config.",
  ),
  tenants: tenantsField,
  tenant: tenantField,
  name: nameField,
}).superRefine(exactlyOne(["password_hash", "password_hash_file", "password"]));

/**
 * Schema of the `auth` block. Authentication is on when at least one credential is configured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authSchema } from "./auth_schema.ts";
 *
 * const auth = authSchema.parse(undefined);
 * assert.deepEqual(auth, { bearer_tokens: [], basic_users: [], protect_metrics: false, protect_ready: false });
 * ```
 */
export const authSchema = z.strictObject({
  bearer_tokens: z.array(bearerTokenSchema).default([]).describe(
    "Tokens accepted as Authorization: Bearer <token>.",
  ),
  basic_users: z.array(basicUserSchema).default([]).describe(
    "Users accepted as Authorization: Basic base64(user:password).",
  ),
  protect_metrics: z.boolean().default(false).describe(
    "Ask for a credential on GET /metrics too (any credential not bound to tenants).",
  ),
  protect_ready: z.boolean().default(false).describe(
    "Ask for a credential on GET /ready too (load balancers usually probe without one).",
  ),
}).prefault({}).describe(
  "lokirelay's own ingest authentication. Off (every client may push for any tenant, as with " +
    "Alloy) until a credential is configured; then push routes need one, and so do the status " +
    "page, the tail and /-/reload (a credential not bound to tenants).",
);

/** The `auth` block as parsed. */
export type AuthConfig = z.output<typeof authSchema>;

// The decoders called directly, with random limits and accounting hooks, each result checked by the
// oracles: protobuf, JSON, snappy, raw lines, body reading (gzip/deflate), labels, tenant, auth.
import type { Prng } from "./prng.ts";
import { decodeProtoSteps, decodePushRequest } from "../../src/codec/decode_proto.ts";
import { decodePushJson, decodePushJsonSteps } from "../../src/codec/decode_json.ts";
import { type DecodeLimits, runToEnd } from "../../src/codec/decode_result.ts";
import { snappyUncompressSteps } from "../../src/codec/snappy_block.ts";
import { maxLines, splitLines } from "../../src/codec/decode_raw.ts";
import { readBody } from "../../src/http/read_body.ts";
import { parseTenant } from "../../src/http/tenant.ts";
import { parseLabels } from "../../src/labels/parse_labels.ts";
import { formatLabels } from "../../src/labels/format_labels.ts";
import { parseAuthorization } from "../../src/auth/authorization.ts";
import type { Authorization } from "../../src/auth/authorization.ts";
import { isDeepStrictEqual } from "node:util";
import {
  check,
  checkAuthorization,
  checkLabels,
  checkOutcome,
  describe,
  FuzzFailure,
  noThrow,
  type Tally,
} from "./oracles.ts";

/** Equal bytes, whatever the array type (a Buffer is not a Uint8Array to isDeepStrictEqual). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type Account = (bytes: number) => true | { failure: "too_large" | "busy"; error: string };

/** Random decode limits, or none. */
function limits(rnd: Prng): Partial<DecodeLimits> | undefined {
  if (rnd.chance(0.5)) return undefined;
  return {
    maxStreams: rnd.pick([0, 1, 10, 1000]),
    maxEntries: rnd.pick([0, 1, 50, 100000]),
    maxLabelBytes: rnd.pick([0, 10, 1024, 65536]),
    maxDepth: rnd.pick([0, 1, 6, 16, 64]),
  };
}

/** An accounting hook that refuses once a random budget is spent, or none. */
function account(rnd: Prng): Account | undefined {
  if (rnd.chance(0.7)) return undefined;
  let left = rnd.pick([0, 1000, 100_000, 10_000_000]);
  const failure = rnd.pick(["too_large", "busy"] as const);
  return (bytes) => (left -= bytes) >= 0 ? true : { failure, error: "budget spent" };
}

/** Protobuf: the stepwise decoder returns a value; the throwing API throws only SyntaxError. */
export function directProto(rnd: Prng, bytes: Uint8Array, tally: Tally, mustDecode = false): void {
  const options = { limits: limits(rnd), account: account(rnd) };
  const result = noThrow("decodeProtoSteps", () => runToEnd(decodeProtoSteps(bytes, options)));
  checkOutcome("decodeProto", result, ["invalid", "too_large", "busy"], tally);
  if (mustDecode && !options.limits && !options.account) {
    check(result.ok, () => `decodeProto refused a valid push: ${!result.ok && result.error}`);
  }
  if (rnd.chance(0.1)) {
    try {
      decodePushRequest(bytes);
    } catch (err) {
      check(err instanceof SyntaxError, () => `decodePushRequest threw ${describe(err)}`);
    }
  }
}

/** JSON: the stepwise decoder returns a value; the throwing API throws SyntaxError or RangeError. */
export function directJson(rnd: Prng, bytes: Uint8Array, tally: Tally, mustDecode = false): void {
  const l = limits(rnd);
  const options = {
    limits: l && { ...l, maxLabelsPerStream: rnd.pick([1, 15, 1000]), maxKeys: rnd.pick([1, 100]) },
    account: account(rnd),
    sliceBytes: rnd.pick([undefined, 1, 7, 4096]),
  };
  const result = noThrow(
    "decodePushJsonSteps",
    () => runToEnd(decodePushJsonSteps(bytes, options)),
  );
  checkOutcome("decodeJson", result, ["invalid", "too_large", "busy"], tally);
  if (mustDecode && !options.limits && !options.account) {
    check(result.ok, () => `decodeJson refused a valid push: ${!result.ok && result.error}`);
  }
  if (rnd.chance(0.1)) {
    try {
      decodePushJson(bytes);
    } catch (err) {
      check(
        err instanceof SyntaxError || err instanceof RangeError,
        () => `decodePushJson threw ${describe(err)}`,
      );
    }
  }
}

/** Snappy: a value always; a valid block under the cap gives back exactly what was compressed. */
export function directSnappy(
  rnd: Prng,
  block: Uint8Array,
  tally: Tally,
  original?: Uint8Array,
): void {
  const max = rnd.pick([0, 100, 65536, 1 << 20, 100 << 20]);
  const reserve = account(rnd);
  const result = noThrow(
    "snappyUncompressSteps",
    () => runToEnd(snappyUncompressSteps(block, max, reserve)),
  );
  checkOutcome("snappy", result, ["corrupt", "too_large", "busy"], tally);
  if (original && original.length <= max && !reserve) {
    check(
      result.ok && sameBytes(result.bytes, original),
      () => `snappy did not give back what was compressed (${!result.ok && result.error})`,
    );
  }
}

/** Raw lines: no line holds `\n`, ends in `\r` or is empty; never more than maxLines(). */
export function directRaw(bytes: Uint8Array, tally: Tally): void {
  const entries = noThrow("splitLines", () => splitLines(bytes));
  const most = noThrow("maxLines", () => maxLines(bytes));
  tally("splitLines ok");
  check(entries.length <= most, () => `splitLines made ${entries.length} > maxLines ${most}`);
  for (const e of entries) {
    const line = bytes.subarray(e.lineStart, e.lineEnd);
    check(
      line.length > 0 && !line.includes(10) && line[line.length - 1] !== 13,
      () => `splitLines made a line of ${JSON.stringify(e.line)}`,
    );
  }
}

/** readBody: a value for any body and encoding; a valid compressed body inflates to the original. */
export async function directReadBody(
  rnd: Prng,
  body: Uint8Array,
  encoding: string | undefined,
  tally: Tally,
  original?: Uint8Array,
): Promise<void> {
  const max = rnd.pick([0, 1000, 256 * 1024, 100 << 20]);
  const headers: Record<string, string> = encoding === undefined
    ? {}
    : { "content-encoding": encoding };
  let request: Request;
  try {
    request = new Request("http://x/", { method: "POST", headers, body: body as BodyInit });
  } catch {
    tally("unsendable request");
    return;
  }
  let result;
  try {
    result = await readBody(request, max);
  } catch (err) {
    throw new FuzzFailure(`readBody threw ${describe(err)}`);
  }
  checkOutcome("readBody", result, ["unsupported_encoding", "unreadable", "too_large"], tally);
  if (original && original.length <= max && body.length <= max) {
    check(
      result.ok && sameBytes(result.bytes, original),
      () => `readBody(${encoding}) did not inflate to the original (${!result.ok && result.error})`,
    );
  }
}

/** parseLabels: a value; labels it reads, formatted as the relay formats keys, read back the same. */
export function directLabels(text: string, tally: Tally): void {
  const result = noThrow("parseLabels", () => parseLabels(text));
  checkLabels(text, result, tally);
  if (!result.ok) return;
  const key = noThrow("formatLabels", () => formatLabels(result.labels));
  const again = noThrow("parseLabels", () => parseLabels(key));
  check(
    again.ok && isDeepStrictEqual(again.labels, result.labels),
    () =>
      `formatLabels(parseLabels(${JSON.stringify(text.slice(0, 200))})) = ` +
      `${JSON.stringify(key.slice(0, 200))} does not parse back: ${!again.ok && again.error}`,
  );
}

/** parseTenant: a value, with a reason when refused. */
export function directTenant(header: string | null, tally: Tally): void {
  const result = noThrow("parseTenant", () => parseTenant(header));
  tally(`parseTenant ${result.ok ? "ok" : "refused"}`);
  check(
    result.ok ? result.tenant === undefined || result.tenant.length > 0 : result.error.length > 0,
    () => `parseTenant(${JSON.stringify(header)}) gave ${JSON.stringify(result)}`,
  );
}

/** parseAuthorization: one of its four shapes, and `expect` when given. */
export function directAuth(header: string | null, expect: Authorization | undefined, tally: Tally) {
  const result = noThrow("parseAuthorization", () => parseAuthorization(header));
  checkAuthorization(header, result, expect, tally);
}

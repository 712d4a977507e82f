// What must hold for every input, whatever it is: a request is answered 2xx or 4xx and never
// throws; a decoder returns a value (never throws) whose failure kind is one it documents, and
// what it decodes can be read; parseLabels and parseAuthorization return one of their shapes.
import { isDeepStrictEqual } from "node:util";
import type { Relay } from "../../src/relay.ts";
import type { PushRequest } from "../../src/types.ts";
import type { ParseLabelsResult } from "../../src/labels/parse_labels.ts";
import type { Authorization } from "../../src/auth/authorization.ts";

/** A broken invariant: the case fails with this message. */
export class FuzzFailure extends Error {
  override name = "FuzzFailure";
}

/** Counts outcomes by name (the run's histogram). */
export type Tally = (key: string) => void;

/** Fails the case with `message` unless `condition` holds. */
export function check(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new FuzzFailure(message());
}

/** Runs `f`; a throw fails the case, naming `what`. */
export function noThrow<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof FuzzFailure) throw err;
    throw new FuzzFailure(`${what} threw ${describe(err)}`);
  }
}

/** An error's name, message and first stack frames, on one line. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frames = (err.stack ?? "").split("\n").slice(1, 4).map((l) => l.trim()).join(" | ");
  return `${err.name}: ${err.message.slice(0, 300)}${frames ? ` [${frames}]` : ""}`;
}

/** A request to the relay: where, what, and how the body is sent. */
export interface Send {
  path: string;
  method?: string;
  headers: Record<string, string>;
  body: Uint8Array | ReadableStream<Uint8Array> | null;
}

/**
 * Sends a request and checks the answer: `fetch` resolves, the status is 2xx or 4xx, the body
 * can be read. Returns the status (0 when the request could not even be built: not the relay's).
 */
export async function sendChecked(relay: Relay, send: Send, tally: Tally): Promise<number> {
  let request: Request;
  try {
    request = new Request(`http://relay${send.path}`, {
      method: send.method ?? "POST",
      headers: send.headers,
      body: send.body as BodyInit | null,
      // @ts-ignore: needed for a streamed body
      duplex: "half",
    });
  } catch {
    tally("unsendable request");
    return 0;
  }
  let response: Response;
  try {
    response = await relay.fetch(request);
  } catch (err) {
    throw new FuzzFailure(`relay.fetch threw ${describe(err)}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new FuzzFailure(
      `the ${response.status} response body could not be read: ${describe(err)}`,
    );
  }
  const { status } = response;
  tally(`http ${status}`);
  check(
    (status >= 200 && status < 300) || (status >= 400 && status < 500),
    () => `status ${status} for ${send.method ?? "POST"} ${send.path}: ${text.slice(0, 300)}`,
  );
  return status;
}

/** Reads every decoded entry as the sinks do (getters, JSON form); a throw fails the case. */
export function readAll(what: string, request: PushRequest): void {
  check(Array.isArray(request.streams), () => `${what}: streams is not an array`);
  for (const s of request.streams) {
    check(typeof s.labels === "string", () => `${what}: a stream's labels are not a string`);
    for (const e of s.entries) {
      check(
        Number.isInteger(e.seconds) && Number.isInteger(e.nanos) && e.nanos >= 0 && e.nanos < 1e9,
        () => `${what}: timestamp ${e.seconds}s ${e.nanos}ns out of shape`,
      );
      noThrow(`${what}: reading an entry`, () => {
        check(typeof e.line === "string", () => `${what}: a line is not a string`);
        const md = e.metadata;
        if (md !== undefined) {
          for (const p of md) {
            check(
              typeof p.name === "string" && typeof p.value === "string",
              () => `${what}: metadata pair not strings`,
            );
          }
        }
        JSON.stringify(e);
      });
    }
  }
}

/** A decoder's value result: `{ ok: true, request }` or a documented failure with a reason. */
export interface DecodeOutcome {
  ok: boolean;
  failure?: string;
  error?: string;
  request?: PushRequest;
  bytes?: Uint8Array;
}

/** Checks a decoder's result: its failure kind is one of `failures`, with a reason. */
export function checkOutcome(
  what: string,
  result: DecodeOutcome,
  failures: readonly string[],
  tally: Tally,
): void {
  check(typeof result === "object" && result !== null, () => `${what} returned ${result}`);
  if (result.ok) {
    tally(`${what} ok`);
    if (result.request) readAll(what, result.request);
    return;
  }
  tally(`${what} ${result.failure}`);
  check(
    failures.includes(result.failure!),
    () => `${what} failed with ${JSON.stringify(result.failure)}, not one of ${failures.join("|")}`,
  );
  check(
    typeof result.error === "string" && result.error.length > 0,
    () => `${what} failed without a reason`,
  );
}

const LABEL_ERROR = /^\d+:\d+: parse error: ./;

/** Checks a parseLabels() result: labels of non-empty strings, or a positioned parse error. */
export function checkLabels(text: string, result: ParseLabelsResult, tally: Tally): void {
  const show = () => JSON.stringify(text.slice(0, 200));
  tally(`parseLabels ${result.ok ? "ok" : "error"}`);
  if (!result.ok) {
    check(LABEL_ERROR.test(result.error), () => `parseLabels(${show()}) error ${result.error}`);
    return;
  }
  for (const [name, value] of Object.entries(result.labels)) {
    check(
      typeof value === "string" && value !== "",
      () => `parseLabels(${show()}) gave ${JSON.stringify(name)} an empty or non-string value`,
    );
  }
}

/** Checks a parseAuthorization() result: exactly one of its four shapes, or `expect`. */
export function checkAuthorization(
  header: string | null,
  result: Authorization,
  expect: Authorization | undefined,
  tally: Tally,
): void {
  const show = () => JSON.stringify(header?.slice(0, 120) ?? null);
  check(typeof result === "object" && result !== null, () => `parseAuthorization gave ${result}`);
  tally(`parseAuthorization ${result.scheme}`);
  const keys = Object.keys(result).sort().join(",");
  const shapes: Record<string, [string, (r: Authorization) => boolean]> = {
    basic: [
      "password,scheme,username",
      (r) =>
        r.scheme === "basic" && typeof r.username === "string" && typeof r.password === "string" &&
        !r.username.includes(":"),
    ],
    bearer: [
      "scheme,token",
      (r) => r.scheme === "bearer" && /^[A-Za-z0-9\-._~+/]+=*$/.test(r.token),
    ],
    none: ["scheme", () => header === null || header.trim() === ""],
    invalid: [
      "error,scheme",
      (r) => r.scheme === "invalid" && typeof r.error === "string" && r.error.length > 0,
    ],
  };
  const shape = shapes[result.scheme];
  check(
    shape !== undefined && shape[0] === keys && shape[1](result),
    () => `parseAuthorization(${show()}) gave ${JSON.stringify(result).slice(0, 300)}`,
  );
  if (expect) {
    check(
      isDeepStrictEqual(result, expect),
      () =>
        `parseAuthorization(${show()}) gave ${JSON.stringify(result).slice(0, 300)}, ` +
        `expected ${JSON.stringify(expect).slice(0, 300)}`,
    );
  }
}

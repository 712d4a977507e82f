/**
 * What the push decoders share: the bounds a decode checks as it reads (before it allocates),
 * and its outcome as a value. A decoder that finds a body invalid says `invalid`; one that would
 * pass a bound says `too_large`; the caller's accounting may also answer `busy` (the shared
 * in-flight budget is spent for now).
 *
 * @module
 */
import type { PushRequest } from "../types.ts";

/** Why a decode stopped. */
export type DecodeFailure = { ok: false; failure: "invalid" | "too_large" | "busy"; error: string };

/** A decoded push, or why not. */
export type DecodeResult = { ok: true; request: PushRequest } | DecodeFailure;

/** Bounds checked while a body is decoded; passing one stops the decode (`too_large`). */
export interface DecodeLimits {
  /** Streams in one push. */
  maxStreams: number;
  /** Entries in one push, all streams together. */
  maxEntries: number;
  /** Bytes of one stream's label string (`{app="a", …}`), as sent or as built from JSON. */
  maxLabelBytes: number;
  /** Nesting of any JSON value. */
  maxDepth: number;
}

/** Options of a decode. */
export interface DecodeOptions {
  /** @default no bound but a JSON depth of 1000 */
  limits?: Partial<DecodeLimits>;
  /**
   * Told how many bytes the decoded form grows by (decoded entries, streams, label strings),
   * in batches as decoding goes; answers `true` to go on or the failure that stops the decode.
   */
  account?: (bytes: number) => true | Omit<DecodeFailure, "ok">;
}

/**
 * The limits of `options` with every absent one unbounded (JSON depth 1000).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { limitsOf } from "./decode_result.ts";
 *
 * assert.deepEqual(limitsOf({ limits: { maxStreams: 5 } }), {
 *   maxStreams: 5,
 *   maxEntries: Infinity,
 *   maxLabelBytes: Infinity,
 *   maxDepth: 1000,
 * });
 * ```
 */
export function limitsOf(options: DecodeOptions | undefined): DecodeLimits {
  const l = options?.limits ?? {};
  return {
    maxStreams: l.maxStreams ?? Infinity,
    maxEntries: l.maxEntries ?? Infinity,
    maxLabelBytes: l.maxLabelBytes ?? Infinity,
    maxDepth: l.maxDepth ?? 1000,
  };
}

/**
 * Runs a stepwise decode to its end at once (for callers that do not slice).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runToEnd } from "./decode_result.ts";
 *
 * function* twoSteps(): Generator<undefined, number> {
 *   yield;
 *   return 2;
 * }
 * assert.equal(runToEnd(twoSteps()), 2);
 * ```
 */
export function runToEnd<T>(steps: Generator<undefined, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

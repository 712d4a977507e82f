/**
 * A byte budget shared by every request being received: what is read from the wire and what it
 * decompresses to. It bounds memory however many clients send at once.
 *
 * @module
 */
import { BytePool } from "./byte_pool.ts";

/** Bytes held by requests that are being read and decoded. */
export class InflightBudget {
  readonly limit: number;
  /** Where requests' body buffers come from and go back to (see {@link BudgetHold.buffer}). */
  readonly pool: BytePool;
  #used = 0;

  /** Total bytes given back so far: what requests held and let go (garbage to collect). */
  released = 0;

  /** @param pool body buffers to reuse (default: up to 8 MiB of them, none over 4 MiB) */
  constructor(limit: number, pool = new BytePool(8 * 1024 * 1024, 4 * 1024 * 1024)) {
    this.limit = limit;
    this.pool = pool;
  }

  /** Bytes currently held. */
  get used(): number {
    return this.#used;
  }

  /**
   * Takes `n` bytes if they fit; `false` (and nothing taken) if not.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InflightBudget } from "./inflight_budget.ts";
   *
   * const b = new InflightBudget(10);
   * assert.equal(b.tryTake(8), true);
   * assert.equal(b.tryTake(3), false);
   * b.release(8);
   * assert.equal(b.used, 0);
   * ```
   */
  tryTake(n: number): boolean {
    if (this.#used + n > this.limit) return false;
    this.#used += n;
    return true;
  }

  /** Gives back `n` bytes. */
  release(n: number): void {
    this.#used -= n;
    this.released += n;
  }

  /**
   * A per-request hold: takes bytes from this budget and gives them all back at once.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InflightBudget } from "./inflight_budget.ts";
   *
   * const b = new InflightBudget(10);
   * const h = b.hold();
   * const other = b.hold();
   * assert.equal(h.take(6), "taken");
   * assert.equal(other.take(6), "busy"); // fits alone, not now
   * assert.equal(h.take(6), "too_large"); // 12 bytes can never fit in 10
   * h.release();
   * assert.equal(b.used, 0);
   *
   * const body = b.hold();
   * const bytes = body.buffer(100_000); // the pool's, until release()
   * assert.equal(bytes.length, 100_000);
   * body.release();
   * assert.ok(b.pool.kept >= 100_000);
   * ```
   */
  hold(): BudgetHold {
    let held = 0;
    let buffers: Uint8Array[] = [];
    return {
      limit: this.limit,
      get held() {
        return held;
      },
      take: (n) => {
        if (held + n > this.limit) return "too_large";
        if (!this.tryTake(n)) return "busy";
        held += n;
        return "taken";
      },
      buffer: (n) => {
        const bytes = this.pool.acquire(n);
        buffers.push(bytes);
        return bytes;
      },
      release: () => {
        this.release(held);
        held = 0;
        for (const b of buffers) this.pool.release(b);
        buffers = [];
      },
    };
  }
}

/**
 * The bytes one request holds; `release()` gives them all back. `take` says `too_large` when the
 * request alone would pass the limit (it can never be served), `busy` when only the bytes other
 * requests hold are in the way (it can be retried).
 */
export interface BudgetHold {
  readonly limit: number;
  readonly held: number;
  take(n: number): "taken" | "too_large" | "busy";
  /**
   * A buffer of `n` bytes (taken from nothing: `take` the bytes first) that belongs to the request
   * until `release()`, then goes back to the pool: nothing may keep a view of it past the request.
   */
  buffer(n: number): Uint8Array;
  /** Gives back the bytes taken and the buffers handed out. */
  release(): void;
}

/**
 * A `reserve` callback for decoders: takes bytes from `hold` and, when it cannot, says why in a
 * line the client is sent (`what` names what would not fit).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InflightBudget, reserveFrom } from "./inflight_budget.ts";
 *
 * const reserve = reserveFrom(new InflightBudget(100).hold(), "the decoded push");
 * assert.equal(reserve(60), true);
 * assert.deepEqual(reserve(60), {
 *   failure: "too_large",
 *   error: "the decoded push would hold more than max_inflight_bytes (100)",
 * });
 * ```
 */
export function reserveFrom(
  hold: BudgetHold,
  what: string,
): (bytes: number) => true | { failure: "too_large" | "busy"; error: string } {
  return (bytes) => {
    const taken = hold.take(bytes);
    if (taken === "taken") return true;
    if (taken === "busy") {
      return {
        failure: "busy",
        error:
          `too many bytes being received at once (max_inflight_bytes ${hold.limit}), retry later`,
      };
    }
    return {
      failure: "too_large",
      error: `${what} would hold more than max_inflight_bytes (${hold.limit})`,
    };
  };
}

/**
 * What one push had refused by Loki's limits: the grouped message for the client, and entries
 * and bytes by discard reason and tenant for the metrics (counted once the push is answered).
 *
 * @module
 */
import { GroupedErrors } from "./grouped_errors.ts";
import type { DiscardReason, Refusal } from "./loki_validation.ts";

/** Entries and bytes refused for one reason and tenant. */
export interface Discarded {
  reason: DiscardReason;
  tenant: string;
  entries: number;
  bytes: number;
}

/**
 * The refusals of one push.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RefusalReport } from "./refusal_report.ts";
 *
 * const report = new RefusalReport();
 * report.add({ reason: "line_too_long", error: "too long" }, "a", 1, 300);
 * report.add({ reason: "line_too_long", error: "too long" }, "a", 1, 200);
 * assert.equal(report.errors.toString(), "2 errors like: too long");
 * assert.deepEqual([...report.discarded()], [
 *   { reason: "line_too_long", tenant: "a", entries: 2, bytes: 500 },
 * ]);
 * ```
 */
export class RefusalReport {
  readonly errors = new GroupedErrors();
  readonly #discarded = new Map<string, Discarded>();
  /** Lines cut by `max_line_size_truncate`, and the bytes cut off. */
  readonly truncated = { entries: 0, bytes: 0 };

  /** Records a refusal of `entries` entries (one, or a whole stream) of `bytes` bytes. */
  add(refusal: Refusal, tenant: string, entries: number, bytes: number): void {
    this.errors.add(refusal.error);
    const key = `${refusal.reason}\u0000${tenant}`;
    const d = this.#discarded.get(key);
    if (d) {
      d.entries += entries;
      d.bytes += bytes;
    } else this.#discarded.set(key, { reason: refusal.reason, tenant, entries, bytes });
  }

  /** Whether anything was refused. */
  get any(): boolean {
    return this.errors.count > 0;
  }

  discarded(): IterableIterator<Discarded> {
    return this.#discarded.values();
  }
}

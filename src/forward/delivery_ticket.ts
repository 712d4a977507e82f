/**
 * What became of the entries of one take, across the batches they were split into: a ticket is
 * held by every batch that has some of them, and settles once each batch was delivered or
 * dropped (`done`), or once any was left unsent because the relay stopped (`left`: with the WAL
 * on, those entries stay in the log for the next start).
 *
 * @module
 */

/** How a ticket settled. */
export type TicketOutcome = "done" | "left";

/**
 * Tracks the batches holding a take's entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeliveryTicket } from "./delivery_ticket.ts";
 *
 * const outcomes: string[] = [];
 * const ticket = new DeliveryTicket((o) => outcomes.push(o));
 * ticket.hold();
 * ticket.hold();
 * ticket.taken(); // both batches still hold entries
 * ticket.release("done");
 * assert.equal(outcomes.length, 0);
 * ticket.release("done");
 * assert.deepEqual(outcomes.slice(), ["done"]);
 * const empty = new DeliveryTicket((o) => outcomes.push(o));
 * empty.taken(); // no batch got any entry
 * assert.deepEqual(outcomes, ["done", "done"]);
 * ```
 */
export class DeliveryTicket {
  readonly #settle: (outcome: TicketOutcome) => void;
  #pending = 0;
  #taken = false;
  #left = false;
  #settled = false;

  constructor(settle: (outcome: TicketOutcome) => void) {
    this.#settle = settle;
  }

  /** A batch took some of the entries. */
  hold(): void {
    this.#pending++;
  }

  /** A batch holding some of the entries is settled. */
  release(outcome: TicketOutcome): void {
    if (outcome === "left") this.#left = true;
    this.#pending--;
    this.#check();
  }

  /** The take is over: every batch that will hold entries has said so. */
  taken(): void {
    this.#taken = true;
    this.#check();
  }

  #check(): void {
    if (this.#settled || !this.#taken || this.#pending > 0) return;
    this.#settled = true;
    this.#settle(this.#left ? "left" : "done");
  }
}

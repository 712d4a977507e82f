/**
 * One Loki endpoint and its shards (`queue_config.min_shards`): each stream always goes to the same shard,
 * so its entries reach Loki in order, while the shards send in parallel. The shards share one
 * byte budget (`queue_config.capacity`).
 *
 * @module
 */
import type { Stream } from "../types.ts";
import type { EndpointSettings } from "../config/settings.ts";
import { Shard, type ShardDeps } from "./shard.ts";
import { QueueBudget } from "./queue_budget.ts";
import type { DeliveryTicket } from "./delivery_ticket.ts";

/**
 * The shard of a stream key: FNV-1a over its UTF-16 code units, modulo `shards`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardOf } from "./endpoint.ts";
 *
 * assert.equal(shardOf('{app="a"}', 1), 0);
 * assert.equal(shardOf('{app="a"}', 4), shardOf('{app="a"}', 4));
 * assert.ok(shardOf('{app="b"}', 4) < 4);
 * ```
 */
export function shardOf(key: string, shards: number): number {
  if (shards === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/** One Loki endpoint: its shards and their shared byte budget. */
export class Endpoint {
  readonly endpoint: EndpointSettings;
  readonly budget: QueueBudget;
  readonly #shards: Shard[];
  #closing: Promise<void> | undefined;

  constructor(endpoint: EndpointSettings, deps: ShardDeps) {
    this.endpoint = endpoint;
    this.budget = new QueueBudget(
      endpoint.capacityBytes,
      (held) => deps.metrics.queueBytes.set({ host: endpoint.host }, held),
    );
    this.#shards = Array.from(
      { length: endpoint.shards },
      () => new Shard(endpoint, deps, this.budget),
    );
  }

  /**
   * Takes the streams of one push for `tenant`; `ticket` settles once every batch holding some
   * of them is settled. Ask `budget.hasRoom(bytes)` first.
   */
  take(tenant: string, streams: Stream[], ticket?: DeliveryTicket): void {
    const n = this.#shards.length;
    if (n === 1) this.#shards[0].take(tenant, streams, ticket);
    else {
      const parts = Array.from({ length: n }, () => [] as Stream[]);
      for (const s of streams) parts[shardOf(s.key, n)].push(s);
      for (let i = 0; i < n; i++) {
        if (parts[i].length > 0) this.#shards[i].take(tenant, parts[i], ticket);
      }
    }
    ticket?.taken();
  }

  /** Stops every shard, each draining what it holds within `drain_timeout`. */
  close(): Promise<void> {
    this.#closing ??= Promise.all(this.#shards.map((s) => s.close())).then(() => {});
    return this.#closing;
  }
}

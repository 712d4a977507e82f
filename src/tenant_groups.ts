/**
 * The streams of an accepted push, grouped by the tenant they are written for: a push is usually
 * one group (the request's tenant); a relabel rule that writes `__tenant_id__` can fan it out.
 *
 * @module
 */
import type { Accepted, Stream } from "./types.ts";
import { entrySize } from "./codec/wire_entry.ts";

/** The streams of one tenant (`undefined`: the push named none). */
export interface TenantGroup {
  tenant: string | undefined;
  streams: Stream[];
  entryCount: number;
  /** Bytes of lines and structured metadata. */
  byteSize: number;
}

/**
 * Groups the streams of `accepted` by tenant, in order of first appearance; one group (with the
 * push's own counts, nothing recounted) when no stream has a tenant of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tenantGroups } from "./tenant_groups.ts";
 *
 * const entry = { seconds: 1, nanos: 0, line: "abc" };
 * const groups = tenantGroups({
 *   tenant: "a",
 *   streams: [
 *     { labels: { x: "1" }, key: '{x="1"}', entries: [entry] },
 *     { tenant: "b", labels: { x: "2" }, key: '{x="2"}', entries: [entry, entry] },
 *   ],
 *   entryCount: 3, byteSize: 9, queuedBytes: 0,
 * });
 * assert.deepEqual(groups.map((g) => [g.tenant, g.entryCount, g.byteSize]), [["a", 1, 3], ["b", 2, 6]]);
 * ```
 */
export function tenantGroups(accepted: Accepted): TenantGroup[] {
  if (!accepted.streams.some((s) => s.tenant !== undefined)) {
    return [{
      tenant: accepted.tenant,
      streams: accepted.streams,
      entryCount: accepted.entryCount,
      byteSize: accepted.byteSize,
    }];
  }
  const groups = new Map<string | undefined, TenantGroup>();
  for (const s of accepted.streams) {
    const tenant = s.tenant ?? accepted.tenant;
    let g = groups.get(tenant);
    if (!g) groups.set(tenant, g = { tenant, streams: [], entryCount: 0, byteSize: 0 });
    g.streams.push(s);
    g.entryCount += s.entries.length;
    for (const e of s.entries) g.byteSize += entrySize(e);
  }
  return [...groups.values()];
}

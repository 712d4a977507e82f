/**
 * Where each endpoint is in the WAL: the first record it has not yet delivered or dropped,
 * persisted in `cursors.json` (replaced atomically) so a restart sends on from there. A cursor
 * that lags after a crash only means identical entries are sent again, which Loki drops.
 *
 * @module
 */
import type { WalFiles } from "../runtime.ts";

/** A place in the WAL: a segment index and a byte offset in it. */
export interface Position {
  segment: number;
  offset: number;
}

const FILE = "cursors.json";

/**
 * Reads the cursors of `dir`; a missing or unreadable file is no cursors (every endpoint then
 * starts at the oldest segment: nothing is skipped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCursors } from "./wal_cursors.ts";
 *
 * const files = { read: () => Promise.resolve(new TextEncoder().encode(
 *   '{"version":1,"endpoints":{"loki":[3,128]}}',
 * )) } as never;
 * assert.deepEqual(await loadCursors(files, "/wal"), new Map([["loki", { segment: 3, offset: 128 }]]));
 * ```
 */
export async function loadCursors(files: WalFiles, dir: string): Promise<Map<string, Position>> {
  const cursors = new Map<string, Position>();
  let text: string;
  try {
    text = new TextDecoder().decode(await files.read(`${dir}/${FILE}`, 0, 1 << 20));
  } catch {
    return cursors;
  }
  try {
    const parsed = JSON.parse(text) as { endpoints?: Record<string, unknown> };
    for (const [key, value] of Object.entries(parsed.endpoints ?? {})) {
      if (
        Array.isArray(value) && Number.isSafeInteger(value[0]) && Number.isSafeInteger(value[1])
      ) {
        cursors.set(key, { segment: value[0], offset: value[1] });
      }
    }
  } catch {
    // a torn cursors file cannot happen (atomic replace); a garbled one restarts from the oldest
  }
  return cursors;
}

/**
 * Persists the cursors of `dir` atomically and durably.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { saveCursors } from "./wal_cursors.ts";
 *
 * let written = "";
 * const files = { writeAtomic: (_p: string, b: Uint8Array) => (written = new TextDecoder().decode(b), Promise.resolve()) } as never;
 * await saveCursors(files, "/wal", new Map([["loki", { segment: 3, offset: 128 }]]));
 * assert.equal(written, '{"version":1,"endpoints":{"loki":[3,128]}}');
 * ```
 */
export async function saveCursors(
  files: WalFiles,
  dir: string,
  cursors: Map<string, Position>,
): Promise<void> {
  const endpoints = Object.fromEntries(
    [...cursors].map(([key, p]) => [key, [p.segment, p.offset]]),
  );
  const text = JSON.stringify({ version: 1, endpoints });
  await files.writeAtomic(`${dir}/${FILE}`, new TextEncoder().encode(text));
}

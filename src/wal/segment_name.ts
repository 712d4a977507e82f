/**
 * WAL segment files: `00000001.wal`, `00000002.wal`, … in the WAL directory, numbered in the
 * order they were written.
 *
 * @module
 */

/**
 * The file name of segment `index`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentName } from "./segment_name.ts";
 *
 * assert.equal(segmentName(42), "00000042.wal");
 * ```
 */
export function segmentName(index: number): string {
  return `${String(index).padStart(8, "0")}.wal`;
}

/**
 * The index of a segment file name, or -1 for any other file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentIndex } from "./segment_name.ts";
 *
 * assert.equal(segmentIndex("00000042.wal"), 42);
 * assert.equal(segmentIndex("cursors.json"), -1);
 * ```
 */
export function segmentIndex(name: string): number {
  const m = /^(\d{8,})\.wal$/.exec(name);
  return m ? Number(m[1]) : -1;
}

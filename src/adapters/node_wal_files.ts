/**
 * The write-ahead log's files on `node:fs`, which Deno and Bun both ship: appends with
 * `fdatasync`, positional reads, atomic replacement (write aside, sync, rename, sync the
 * directory), and a lock file holding the owner's pid.
 *
 * @module
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { AppendFile, WalFiles } from "../runtime.ts";

/**
 * The WAL file system of this process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { nodeWalFiles } from "./node_wal_files.ts";
 *
 * const dir = mkdtempSync(join(tmpdir(), "wal-"));
 * const files = nodeWalFiles();
 * const f = await files.openAppend(join(dir, "a"));
 * await f.write(new Uint8Array([1, 2, 3]));
 * await f.sync();
 * await f.close();
 * assert.deepEqual([...await files.read(join(dir, "a"), 1, 10)], [2, 3]);
 * assert.equal(await files.size(join(dir, "b")), -1);
 * rmSync(dir, { recursive: true });
 * ```
 */
export function nodeWalFiles(): WalFiles {
  return {
    async ensureDir(dir) {
      await fs.mkdir(dir, { recursive: true });
    },
    list: (dir) => fs.readdir(dir),
    async size(path) {
      try {
        return (await fs.stat(path)).size;
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return -1;
        throw err;
      }
    },
    async read(path, offset, length) {
      const handle = await fs.open(path, "r");
      try {
        const buffer = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === length ? buffer : buffer.subarray(0, got);
      } finally {
        await handle.close();
      }
    },
    async openAppend(path): Promise<AppendFile> {
      const handle = await fs.open(path, "a");
      return {
        async write(bytes) {
          let done = 0;
          while (done < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
            done += bytesWritten;
          }
        },
        sync: () => handle.datasync(),
        close: () => handle.close(),
      };
    },
    async truncate(path, length) {
      const handle = await fs.open(path, "r+");
      try {
        await handle.truncate(length);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async remove(path) {
      await fs.rm(path, { force: true });
    },
    async writeAtomic(path, bytes) {
      const aside = `${path}.tmp`;
      const handle = await fs.open(aside, "w");
      try {
        await handle.write(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(aside, path);
      await syncDir(join(path, ".."));
    },
    async lock(dir) {
      const path = join(dir, "lock");
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await fs.writeFile(path, String(process.pid), { flag: "wx" });
          return () => fs.rm(path, { force: true });
        } catch (err) {
          if ((err as { code?: string }).code !== "EEXIST") throw err;
          const holder = Number((await fs.readFile(path, "utf8").catch(() => "")).trim());
          if (holder > 0 && holder !== process.pid && alive(holder)) {
            throw new Error(`${dir} is in use by process ${holder} (${path})`);
          }
          await fs.rm(path, { force: true }); // left by a process that is gone
        }
      }
      throw new Error(`cannot lock ${dir}`);
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not every platform can sync a directory; the rename is still atomic
  }
}

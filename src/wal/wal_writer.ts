/**
 * Appends records to the live WAL segment with group commit: records handed in while a write
 * and its sync are under way go together in the next write and share its sync, so concurrent
 * pushes wait for at most one sync. A record counts as acknowledged (and readers may send it)
 * once it is durable per the `fsync` policy. A failed write or sync (disk full, read-only, I/O)
 * refuses what it held and what comes next, and is tried again, on a fresh segment, after a
 * pause; the relay recovers by itself when the disk does.
 *
 * @module
 */
import type { AppendFile, Runtime, WalFiles } from "../runtime.ts";
import type { WalSettings } from "../config/settings.ts";
import type { Logger } from "../log/logger.ts";
import type { WalMetrics } from "./wal_metrics.ts";
import { segmentName } from "./segment_name.ts";
import { WAL_RECENT_BYTES } from "../config/memory_bound.ts";

/** What became of an append. */
export type AppendResult = { ok: true } | { ok: false; error: string };

/** What the writer needs. */
export interface WalWriterDeps {
  files: WalFiles;
  settings: WalSettings;
  metrics: WalMetrics;
  logger: Logger;
  now: Runtime["now"];
  sleep: Runtime["sleep"];
}

interface Pending {
  bytes: Uint8Array;
  resolve: (result: AppendResult) => void;
}

/** How long after a failed write the writer tries again. */
export const RETRY_AFTER_FAILURE_MS = 5000;

/** The writer of one WAL directory. */
export class WalWriter {
  /** Index of the live segment (the one written to). */
  live: number;
  /** Bytes of the live segment whose records are acknowledged: readers read up to here. */
  liveAcked = 0;
  /** Bytes of each segment on disk (closed ones, and the live one as written). */
  readonly sizes: Map<number, number>;
  readonly #deps: WalWriterDeps;
  #file: AppendFile | undefined;
  #written = 0;
  #openedAt = 0;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #awaitingSync: { end: number; items: Pending[] }[] = [];
  #failed: string | undefined;
  #failedAt = 0;
  #waiters: (() => void)[] = [];
  #recent: { segment: number; offset: number; bytes: Uint8Array }[] = [];
  #recentBytes = 0;
  #stop = new AbortController();
  #syncLoop: Promise<void> | undefined;

  private constructor(deps: WalWriterDeps, live: number, sizes: Map<number, number>) {
    this.#deps = deps;
    this.live = live;
    this.sizes = sizes;
  }

  /**
   * Opens a new live segment after the existing ones (`sizes`: segment index → bytes).
   *
   * @throws {Error} when the segment cannot be created
   */
  static async open(deps: WalWriterDeps, sizes: Map<number, number>): Promise<WalWriter> {
    const last = Math.max(0, ...sizes.keys());
    const writer = new WalWriter(deps, last + 1, sizes);
    await writer.#openLive();
    if (deps.settings.fsync === "interval") writer.#syncLoop = writer.#syncEvery();
    return writer;
  }

  /** Bytes of all segments on disk. */
  get diskBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Why writes fail now, or `undefined` when they do not (or may be tried again). */
  get failure(): string | undefined {
    if (this.#failed === undefined) return undefined;
    if (this.#deps.now() - this.#failedAt >= RETRY_AFTER_FAILURE_MS) return undefined;
    return this.#failed;
  }

  /** Appends one record; resolves once it is acknowledged per the `fsync` policy. */
  append(bytes: Uint8Array): Promise<AppendResult> {
    const failure = this.failure;
    if (failure !== undefined) return Promise.resolve({ ok: false, error: failure });
    return new Promise((resolve) => {
      this.#pending.push({ bytes, resolve });
      this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    });
  }

  /** Resolves the next time records are acknowledged, or when `signal` aborts. */
  acked(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      this.#waiters.push(resolve);
      signal?.addEventListener("abort", () => {
        this.#waiters = this.#waiters.filter((w) => w !== resolve);
        resolve();
      }, { once: true });
    });
  }

  /** The bytes of the record written at `offset` of `segment`, if still kept in memory. */
  recent(segment: number, offset: number): Uint8Array | undefined {
    for (const r of this.#recent) if (r.segment === segment && r.offset === offset) return r.bytes;
    return undefined;
  }

  /** Writes what is pending, syncs, and closes the live segment. */
  async close(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#stop.abort();
    await this.#syncLoop;
    await this.#closeLive();
  }

  async #openLive(): Promise<void> {
    const path = `${this.#deps.settings.dir}/${segmentName(this.live)}`;
    this.#file = await this.#deps.files.openAppend(path);
    this.#written = 0;
    this.liveAcked = 0;
    this.#openedAt = this.#deps.now();
    this.sizes.set(this.live, 0);
  }

  /** Syncs and closes the live segment; what was written in it is acknowledged. */
  async #closeLive(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    if (!file) return;
    try {
      await this.#sync(file);
      this.#ackUpTo(this.#written);
      for (const d of this.#awaitingSync) for (const p of d.items) p.resolve({ ok: true });
      this.#awaitingSync = [];
    } finally {
      await file.close().catch(() => {});
    }
  }

  async #rotate(): Promise<void> {
    await this.#closeLive();
    this.live++;
    await this.#openLive();
  }

  async #flush(): Promise<void> {
    const s = this.#deps.settings;
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      let total = 0;
      for (const p of batch) total += p.bytes.length;
      try {
        if (this.#failed !== undefined) await this.#recover();
        const old = this.#deps.now() - this.#openedAt > s.maxSegmentAgeMs;
        if (this.#written > 0 && (this.#written + total > s.segmentBytes || old)) {
          await this.#rotate();
        }
        const file = this.#file!;
        const start = this.#written;
        // One write per record, no joined copy of them all: one sync still covers the group.
        // Written off the event loop: a write can wait behind a sync on a slow disk. (Writing
        // into the page cache from the event loop held 20–35 MiB less at full load, since Bun's
        // asynchronous write keeps a copy of what it writes, but it stalled the relay for 1.3 s
        // once; BENCHMARKS.md.)
        for (const p of batch) await file.write(p.bytes);
        this.#written += total;
        this.sizes.set(this.live, this.#written);
        this.#remember(batch, start);
        if (s.fsync === "always") await this.#sync(file);
        if (s.fsync === "interval") {
          this.#awaitingSync.push({ end: this.#written, items: batch });
          continue;
        }
        this.#ackUpTo(this.#written);
        for (const p of batch) p.resolve({ ok: true });
      } catch (err) {
        this.#fail(err, batch);
      }
    }
  }

  /** `fsync: interval`: syncs what was written since the last sync, then acknowledges it. */
  async #syncEvery(): Promise<void> {
    const interval = this.#deps.settings.fsyncIntervalMs;
    while (!this.#stop.signal.aborted) {
      await this.#deps.sleep(interval, this.#stop.signal);
      const file = this.#file;
      const due = this.#awaitingSync;
      if (!file || due.length === 0) continue;
      this.#awaitingSync = [];
      try {
        await this.#sync(file);
        this.#ackUpTo(due[due.length - 1].end);
        for (const d of due) for (const p of d.items) p.resolve({ ok: true });
      } catch (err) {
        this.#fail(err, due.flatMap((d) => d.items));
      }
    }
  }

  async #sync(file: AppendFile): Promise<void> {
    if (this.#deps.settings.fsync === "never") return;
    const started = this.#deps.now();
    await file.sync();
    this.#deps.metrics.fsyncSeconds.observe((this.#deps.now() - started) / 1000);
  }

  #ackUpTo(end: number): void {
    if (end <= this.liveAcked) return;
    this.liveAcked = end;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #remember(batch: Pending[], start: number): void {
    let offset = start;
    for (const p of batch) {
      this.#recent.push({ segment: this.live, offset, bytes: p.bytes });
      this.#recentBytes += p.bytes.length;
      offset += p.bytes.length;
    }
    while (this.#recentBytes > WAL_RECENT_BYTES && this.#recent.length > 1) {
      this.#recentBytes -= this.#recent.shift()!.bytes.length;
    }
  }

  #fail(err: unknown, refused: Pending[]): void {
    const error = `wal: ${(err as Error).message ?? String(err)}`.split("\n")[0];
    if (this.#failed === undefined) {
      this.#deps.logger.error("write-ahead log write failed", { error });
    }
    this.#failed = error;
    this.#failedAt = this.#deps.now();
    this.#deps.metrics.writeErrors.inc();
    for (const p of refused) p.resolve({ ok: false, error });
    for (const d of this.#awaitingSync) for (const p of d.items) p.resolve({ ok: false, error });
    this.#awaitingSync = [];
    this.#recent = [];
    this.#recentBytes = 0;
  }

  /**
   * After a failure: the live segment may end in a partial record; it is cut back to what was
   * acknowledged (its readers stop there) and writing goes on in a new segment.
   */
  async #recover(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close().catch(() => {});
    const path = `${this.#deps.settings.dir}/${segmentName(this.live)}`;
    await this.#deps.files.truncate(path, this.liveAcked).catch(() => {});
    this.sizes.set(this.live, this.liveAcked);
    this.live++;
    await this.#openLive();
    this.#deps.logger.info("write-ahead log writes again", { segment: segmentName(this.live) });
    this.#failed = undefined;
  }
}

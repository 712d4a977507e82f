/**
 * The relay's sink when the write-ahead log is on: a push is answered 204 only once its record
 * is in the log (synced per `fsync`); each endpoint then reads the log from its own persisted
 * cursor. A segment is deleted only once every endpoint has delivered or dropped (and counted)
 * all of it, never by age. On start, what is unsent is replayed alongside new traffic. When the
 * disk bound is reached pushes are refused with 429 (the endpoints must catch up first); when a
 * write fails (disk full, read-only) with 503; both with `Retry-After`, and the log recovers by
 * itself.
 *
 * @module
 */
import type { Registry } from "prom-client";
import type { Accepted, Labels, Sink, SinkResult } from "../types.ts";
import type { Runtime, WalFiles } from "../runtime.ts";
import type { Logger } from "../log/logger.ts";
import type { ForwardSettings, WalSettings } from "../config/settings.ts";
import { parseLabels } from "../labels/parse_labels.ts";
import { LabelCache } from "../labels/label_cache.ts";
import { Endpoint } from "../forward/endpoint.ts";
import { createExternalLabels } from "../forward/external_labels.ts";
import { writeMetrics } from "../forward/write_metrics.ts";
import { checkRecord, encodeRecord } from "./wal_record.ts";
import { tenantGroups } from "../tenant_groups.ts";
import { segmentIndex, segmentName } from "./segment_name.ts";
import { loadCursors, type Position, saveCursors } from "./wal_cursors.ts";
import { WalReader } from "./wal_reader.ts";
import { WalWriter } from "./wal_writer.ts";
import { walMetrics } from "./wal_metrics.ts";

/** What the WAL sink uses of the runtime, plus its services. */
export type WalSinkDeps =
  & Pick<Runtime, "fetch" | "now" | "sleep" | "random" | "compress" | "tlsFetch">
  & { files: WalFiles; registry: Registry; logger: Logger; userAgent: string };

/** Seconds a client is told to wait when the log cannot take a push. */
const RETRY_AFTER_SECONDS = 5;
/** How often cursors are persisted and delivered segments deleted. */
const MAINTAIN_MS = 250;

interface Open {
  writer: WalWriter;
  readers: WalReader[];
  keys: string[];
  unlock: () => Promise<void>;
}

/** Directories with a WAL sink in this process, and when each is free again. */
const owners = new Map<string, Promise<void>>();

/**
 * The durable sink.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Registry } from "prom-client";
 * import { WalSink } from "./wal_sink.ts";
 * import { resolveSettings } from "../config/resolve_settings.ts";
 * import { createRuntime } from "../runtime.ts";
 * import { nodeWalFiles } from "../adapters/node_wal_files.ts";
 * import { silentLogger } from "../log/logger.ts";
 *
 * const dir = mkdtempSync(join(tmpdir(), "wal-"));
 * const r = resolveSettings({
 *   wal: { enabled: true, dir, fsync: "never" },
 *   forward_to: [{ url: "http://loki/push", batch_wait: "10ms" }],
 * });
 * assert.ok(r.ok);
 * let sent = 0;
 * const sink = new WalSink(r.settings.wal!, r.settings.forward!, {
 *   ...createRuntime({ fetch: () => (sent++, Promise.resolve(new Response(null, { status: 204 }))) }),
 *   files: nodeWalFiles(),
 *   registry: new Registry(),
 *   logger: silentLogger,
 *   userAgent: "lokirelay",
 * });
 * const ok = await sink.offer({
 *   streams: [{ labels: { a: "1" }, key: '{a="1"}', entries: [{ seconds: 1, nanos: 0, line: "x" }] }],
 *   entryCount: 1,
 *   byteSize: 1,
 *   queuedBytes: 300,
 * });
 * assert.deepEqual(ok, { status: "ok" });
 * await sink.close();
 * assert.equal(sent, 1);
 * rmSync(dir, { recursive: true });
 * ```
 */
export class WalSink implements Sink {
  readonly #wal: WalSettings;
  readonly #forward: ForwardSettings;
  readonly #deps: WalSinkDeps;
  readonly #metrics;
  readonly #ready: Promise<Open | string>;
  #closing: Promise<void> | undefined;
  #stop = new AbortController();
  #maintaining: Promise<void> | undefined;
  #saved = "";
  #upkeeping: Promise<void> = Promise.resolve();

  constructor(wal: WalSettings, forward: ForwardSettings, deps: WalSinkDeps) {
    this.#wal = wal;
    this.#forward = forward;
    this.#deps = deps;
    this.#metrics = walMetrics(deps.registry);
    const previous = owners.get(wal.dir) ?? Promise.resolve();
    this.#ready = previous.then(() => this.#open()).catch((err) => {
      const error = `wal: cannot open ${JSON.stringify(wal.dir)}: ${(err as Error).message}`;
      deps.logger.error("write-ahead log unavailable", { error });
      return error;
    });
  }

  /** Resolves once the log is open (or could not be: the reason), replay started. */
  async opened(): Promise<string | undefined> {
    const state = await this.#ready;
    return typeof state === "string" ? state : undefined;
  }

  async hasRoom(waitMs = 0, bytes = 0): Promise<SinkResult> {
    if (this.#closing) return { status: "closed" };
    const state = await this.#ready;
    if (typeof state === "string") return this.#unavailable(state);
    const failure = state.writer.failure;
    if (failure !== undefined) return this.#unavailable(failure);
    const deadline = this.#deps.now() + waitMs;
    while (state.writer.diskBytes + bytes > this.#wal.maxBytes) {
      const left = deadline - this.#deps.now();
      if (left <= 0 || this.#closing) return this.#full(state, "disk_bound");
      const timer = new AbortController();
      // Each step an endpoint makes may free a segment: look at once, not at the next upkeep.
      await Promise.race([
        Promise.race(state.readers.map((r) => r.progressed(timer.signal)))
          .then(() => (timer.signal.aborted ? undefined : this.#upkeep(state))),
        this.#deps.sleep(left, timer.signal),
      ]);
      timer.abort();
    }
    return { status: "ok" };
  }

  /**
   * A push's records, held while they are written and synced: about its queued size (the same
   * bytes and framing, labels once per stream).
   */
  heldBytes(accepted: Accepted): number {
    return accepted.queuedBytes;
  }

  async offer(accepted: Accepted): Promise<SinkResult> {
    if (this.#closing) return { status: "closed" };
    const state = await this.#ready;
    if (typeof state === "string") return this.#unavailable(state);
    // One record per tenant (a __tenant_id__ label can fan a push out), appended together.
    const now = this.#deps.now();
    const records = tenantGroups(accepted).map((g) => encodeRecord(g, now));
    const bytes = records.reduce((n, r) => n + r.length, 0);
    if (state.writer.diskBytes + bytes > this.#wal.maxBytes) {
      return this.#full(state, "disk_bound");
    }
    const written = await Promise.all(records.map((r) => state.writer.append(r)));
    const failed = written.find((w) => !w.ok);
    if (failed && !failed.ok) {
      this.#metrics.refusedPushes.inc({ reason: "write_error" });
      return this.#unavailable(failed.error);
    }
    this.#updateDisk(state);
    return { status: "ok" };
  }

  /**
   * Stops taking pushes, keeps sending from the log until every endpoint has caught up or
   * `drain_timeout` passes, then stops: what is unsent stays in the log for the next start.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shut(this.#wal.drainTimeoutMs);
    return this.#closing;
  }

  /** Stops at once (a reload opens the log again): cursors saved, nothing sent is lost. */
  retire(): Promise<void> {
    this.#closing ??= this.#shut(0);
    return this.#closing;
  }

  async #shut(drainMs: number): Promise<void> {
    let done!: () => void;
    owners.set(this.#wal.dir, new Promise((r) => (done = r)));
    try {
      const state = await this.#ready;
      if (typeof state === "string") return;
      const timer = new AbortController();
      let late = false;
      const deadline = this.#deps.sleep(drainMs, timer.signal).then(() => (late = true));
      while (!late && !state.readers.every((r) => r.caughtUp)) {
        await Promise.race([deadline, ...state.readers.map((r) => r.progressed(timer.signal))]);
      }
      timer.abort();
      await Promise.all(state.readers.map((r) => r.stop()));
      await Promise.all(state.readers.map((r) => r.endpoint.close()));
      this.#stop.abort();
      await this.#maintaining;
      await this.#upkeep(state);
      await state.writer.close();
      await state.unlock();
    } finally {
      done();
    }
  }

  async #open(): Promise<Open> {
    const { files } = this.#deps;
    const dir = this.#wal.dir;
    await files.ensureDir(dir);
    const unlock = await files.lock(dir);
    try {
      const sizes = new Map<number, number>();
      for (const name of await files.list(dir)) {
        const index = segmentIndex(name);
        if (index >= 0) sizes.set(index, await files.size(`${dir}/${name}`));
      }
      const last = Math.max(0, ...sizes.keys());
      if (last > 0) sizes.set(last, await this.#recover(last, sizes.get(last)!));
      const writer = await WalWriter.open({
        files,
        settings: this.#wal,
        metrics: this.#metrics,
        logger: this.#deps.logger,
        now: this.#deps.now,
        sleep: this.#deps.sleep,
      }, sizes);
      const cursors = await loadCursors(files, dir);
      const oldest = Math.min(writer.live, ...sizes.keys());
      const labels = new LabelCache<Labels>({
        maxEntries: 10_000,
        maxChars: 2 * 1024 * 1024,
        maxKeyChars: 4096,
        perEntryChars: 128,
      });
      const labelsOf = (key: string): Labels => {
        let found = labels.get(key);
        if (!found) {
          const parsed = parseLabels(key);
          found = parsed.ok ? parsed.labels : {};
          labels.set(key, found);
        }
        return found;
      };
      const external = createExternalLabels(this.#forward.externalLabels);
      const metrics = writeMetrics(this.#deps.registry);
      const keys = endpointKeys(this.#forward);
      const readers = this.#forward.endpoints.map((ep, i) => {
        let fetch = this.#deps.fetch;
        if (ep.tls) {
          if (!this.#deps.tlsFetch) {
            throw new Error(`forward_to[${i}].tls_config needs a runtime adapter`);
          }
          fetch = this.#deps.tlsFetch(ep.tls);
        }
        const endpoint = new Endpoint({ ...ep, drainTimeoutMs: 0 }, {
          ...this.#deps,
          fetch,
          metrics,
          durable: true,
        });
        const saved = cursors.get(keys[i]);
        const start = startOf(saved, oldest, writer.live, sizes);
        return new WalReader(endpoint, start, {
          files,
          dir,
          writer,
          metrics: this.#metrics,
          logger: this.#deps.logger,
          labelsOf,
          external,
          replayBelow: writer.live,
        });
      });
      const state: Open = { writer, readers, keys, unlock };
      this.#deps.logger.info("write-ahead log open", {
        dir,
        segments: sizes.size - 1,
        bytes: writer.diskBytes,
        fsync: this.#wal.fsync,
      });
      for (const r of readers) r.start();
      this.#updateDisk(state);
      this.#maintaining = this.#maintainEvery(state);
      return state;
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  /**
   * Checks the last segment (the one a crash may have torn) and cuts it at its first bad
   * record; earlier segments are checked as they are read. Returns its size.
   */
  async #recover(index: number, size: number): Promise<number> {
    const path = `${this.#wal.dir}/${segmentName(index)}`;
    const bytes = await this.#deps.files.read(path, 0, size);
    let at = 0;
    for (;;) {
      const length = checkRecord(bytes, at);
      if (length <= 0) break;
      at += length;
    }
    if (at < bytes.length) {
      this.#metrics.corruptRecords.inc();
      this.#metrics.discardedBytes.inc(bytes.length - at);
      this.#deps.logger.warn("write-ahead log tail cut", {
        segment: segmentName(index),
        offset: at,
        discarded_bytes: bytes.length - at,
        record: checkRecord(bytes, at) === 0 ? "torn" : "corrupt",
      });
      await this.#deps.files.truncate(path, at);
    }
    return at;
  }

  async #maintainEvery(state: Open): Promise<void> {
    while (!this.#stop.signal.aborted) {
      await this.#deps.sleep(MAINTAIN_MS, this.#stop.signal);
      if (this.#stop.signal.aborted) return;
      await this.#upkeep(state);
    }
  }

  /** Runs {@link #maintain}, one at a time; a failure is logged, the next run tries again. */
  #upkeep(state: Open): Promise<void> {
    this.#upkeeping = this.#upkeeping.then(() => this.#maintain(state)).catch((err) =>
      this.#deps.logger.warn("write-ahead log upkeep failed", { error: (err as Error).message })
    );
    return this.#upkeeping;
  }

  /** Saves the cursors when they moved, deletes segments every endpoint is done with. */
  async #maintain(state: Open): Promise<void> {
    const { writer, readers, keys } = state;
    const cursors = new Map<string, Position>(readers.map((r, i) => [keys[i], r.cursor]));
    const text = JSON.stringify([...cursors]);
    if (text !== this.#saved) {
      await saveCursors(this.#deps.files, this.#wal.dir, cursors);
      this.#saved = text;
    }
    const keep = Math.min(writer.live, ...readers.map((r) => r.cursor.segment));
    for (const index of [...writer.sizes.keys()].sort((a, b) => a - b)) {
      if (index >= keep) break;
      await this.#deps.files.remove(`${this.#wal.dir}/${segmentName(index)}`);
      writer.sizes.delete(index);
    }
    this.#updateDisk(state);
    const now = this.#deps.now();
    for (const r of readers) {
      const host = { host: r.endpoint.endpoint.host };
      // Bytes from the cursor to the acknowledged end of the log.
      let lag = writer.liveAcked - (writer.sizes.get(writer.live) ?? 0) - r.cursor.offset;
      for (const [index, size] of writer.sizes) if (index >= r.cursor.segment) lag += size;
      this.#metrics.lagBytes.set(host, Math.max(0, lag));
      const oldest = r.oldestUnsent;
      this.#metrics.oldestUnsentSeconds.set(host, oldest ? Math.max(0, (now - oldest) / 1000) : 0);
    }
  }

  #updateDisk(state: Open): void {
    this.#metrics.diskBytes.set(state.writer.diskBytes);
    this.#metrics.segments.set(state.writer.sizes.size);
  }

  #full(state: Open, reason: "disk_bound"): SinkResult {
    this.#metrics.refusedPushes.inc({ reason });
    return {
      status: "full",
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      reason: `the write-ahead log is at its max_size (${state.writer.diskBytes} of ` +
        `${this.#wal.maxBytes} bytes) until endpoints catch up`,
    };
  }

  #unavailable(reason: string): SinkResult {
    return { status: "unavailable", retryAfterSeconds: RETRY_AFTER_SECONDS, reason };
  }
}

/** Where an endpoint starts reading: its saved cursor, or the oldest segment. */
function startOf(
  saved: Position | undefined,
  oldest: number,
  live: number,
  sizes: Map<number, number>,
): Position {
  if (!saved || saved.segment < oldest) return { segment: oldest, offset: 0 };
  if (saved.segment >= live) return { segment: live, offset: 0 };
  const size = sizes.get(saved.segment);
  if (size === undefined || saved.offset > size) return { segment: saved.segment + 1, offset: 0 };
  return saved;
}

/** A stable name per endpoint for its cursor: its URL and `name`, numbered when repeated. */
function endpointKeys(forward: ForwardSettings): string[] {
  const seen = new Map<string, number>();
  return forward.endpoints.map((e) => {
    const base = `${e.host} ${e.url}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} #${n}`;
  });
}

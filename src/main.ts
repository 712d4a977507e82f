/**
 * The `lokirelay` executable: parses arguments, validates the config before listening, serves the
 * relay on a `node:http(s)` listener (the one both runtimes ship with connection hooks), reloads on
 * SIGHUP or `POST /-/reload`, and drains on SIGTERM/SIGINT.
 *
 * @module
 */
// First, before anything else loads: the executable may replace itself here (memory target).
import "./adapters/memory_target_start.ts";
import { readFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { hashPassword } from "./auth/password_hash.ts";
import process from "node:process";
import { Gauge, Registry } from "prom-client";
import { parseCommand, redactSecrets, USAGE } from "./cli.ts";
import { loadConfig } from "./config/load_config.ts";
import type { Settings } from "./config/settings.ts";
import { diffSettings } from "./config/settings_diff.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import { createRelay, type Relay, type ReloadResult } from "./relay.ts";
import { activate } from "./receive/receive_context.ts";
import { serveNode } from "./adapters/node_server.ts";
import { bindAddress, type Served } from "./adapters/serve_types.ts";
import { createTlsFetch } from "./adapters/tls_fetch.ts";
import { createWorkerCompressor } from "./adapters/worker_compressor.ts";
import { fullCollection } from "./adapters/collect_garbage.ts";
import { nodeWalFiles } from "./adapters/node_wal_files.ts";
import { collectProcessMetrics } from "./adapters/process_metrics.ts";
import {
  applyMemoryTarget,
  processForTarget,
  RAM_SIZE_VARIABLE,
  runsOnBun,
} from "./adapters/memory_target.ts";
import { memoryTargetBytes } from "./config/memory_bound.ts";
import { VERSION } from "./version.ts";
import { configJsonSchemaText } from "./config/json_schema.ts";
import type { ConfigWarning } from "./config/config_warnings.ts";
import { convertFile } from "./convert/convert_file.ts";

const readText = (path: string) => readFileSync(path, "utf8");

async function main(args: string[]): Promise<number> {
  const cmd = parseCommand(args);
  if (cmd.kind === "help") return print(USAGE, 0);
  if (cmd.kind === "version") return print(`lokirelay ${VERSION}\n`, 0);
  if (cmd.kind === "error") return fail(`${cmd.message}\n\n${USAGE}`);
  if (cmd.kind === "schema") return print(configJsonSchemaText(), 0);
  if (cmd.kind === "convert") return convertCommand(cmd.file, cmd.partial);
  if (cmd.kind === "hash-password" || cmd.kind === "hash-token") return await hashCommand(cmd.kind);
  const env = cmd.expandEnv ? process.env : undefined;
  const load = () => loadConfig(cmd.configPath, cmd.lokiUrl, readText, env);
  const loaded = load();
  if (!loaded.ok) return fail(`invalid config:\n  ${loaded.errors.join("\n  ")}\n`);
  if (cmd.kind === "check") {
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
    return print(redactSecrets(loaded.config) + "\n", 0);
  }
  if (cmd.kind === "relabel") return relabelCommand(loaded.settings, cmd.labels!);
  const logger = createLogger({
    level: cmd.logLevel,
    format: cmd.logFormat,
    write: (line) => process.stderr.write(line),
  });
  // Under Bun the relay sizes its engine's heap by the memory bound (see memory_target.ts); the
  // engine then collects by itself, in place of the relay's own pacing.
  const target = runsOnBun() ? memoryTarget(loaded.settings, args, logger) : undefined;
  logWarnings(logger, loaded.warnings);
  return await run(loaded.settings, load, logger, target);
}

/**
 * The memory target, once the config is resolved: `memory_target_start.ts` applied it already
 * (or the operator set it), or it replaces the process now, or it cannot (logged). Returns the
 * RAM the engine sizes its heap by, when it has a target.
 */
function memoryTarget(settings: Settings, args: string[], logger: Logger): number | undefined {
  const why = applyMemoryTarget(memoryTargetBytes(settings), processForTarget(args));
  if (why === "already set") return Number(process.env[RAM_SIZE_VARIABLE]);
  logger.warn("memory target not applied", { why });
  return undefined;
}

function logWarnings(logger: Logger, warnings: ConfigWarning[]): void {
  for (const w of warnings) logger.warn("setting has no effect", { path: w.path, why: w.message });
}

async function run(
  first: Settings,
  load: () => ReturnType<typeof loadConfig>,
  logger: Logger,
  memoryTargetBytes: number | undefined,
) {
  let settings = first;
  const registry = new Registry();
  collectProcessMetrics(registry);
  const metrics = serverMetrics(registry);
  let served: Served;
  let reloading = Promise.resolve<ReloadResult>({ ok: true });

  const listen = (s: Settings) =>
    serveNode(relay, {
      ...s.listener,
      onConnections: (open) => metrics.connections.set({ protocol: "http" }, open),
      onRefused: (reason) => logger.debug("connection closed", { reason }),
    });

  async function reload(): Promise<ReloadResult> {
    const next = load();
    if (next.ok) logWarnings(logger, next.warnings);
    const result = next.ok ? await apply(next.settings) : next;
    metrics.reloadOk.set(result.ok ? 1 : 0);
    if (result.ok) {
      metrics.reloadTime.set(Date.now() / 1000);
      relay.logger.info("config reloaded");
    } else {
      relay.logger.error("config reload refused, keeping the running one", {
        errors: result.errors.join("; "),
      });
    }
    return result;
  }

  async function apply(next: Settings): Promise<ReloadResult> {
    const restart = diffSettings(settings, next).listener;
    const result = relay.reload(next);
    if (!result.ok) return result;
    if (restart) {
      await served.shutdown();
      served = await listen(next);
      logger.info("listener restarted", { addr: `${served.hostname}:${served.port}` });
    }
    settings = next;
    return result;
  }

  // Resolved from this file: in a compiled Bun binary the worker sits beside main.ts's bundle.
  const compressor = createWorkerCompressor(
    (error) => logger.warn("compressing on the main thread", { error }),
    new URL("./adapters/compress_worker.ts", import.meta.url),
  );
  // Started now, so the memory it takes is part of what the relay holds when idle.
  compressor.compress(new Uint8Array(1)).catch(() => {});
  let relay: Relay;
  try {
    relay = createRelay(settings, {
      logger,
      registry,
      stdout: (text) => process.stdout.write(text),
      readFile: readText,
      tlsFetch: createTlsFetch,
      compress: (bytes) => compressor.compress(bytes),
      collectGarbage: memoryTargetBytes === undefined ? fullCollection() : undefined,
      walFiles: nodeWalFiles(),
      reload: () => (reloading = reloading.then(reload, reload)),
    });
  } catch (err) {
    logger.error("cannot start", { error: (err as Error).message });
    return 1;
  }
  try {
    await relay.opened();
  } catch (err) {
    logger.error("cannot start", { error: (err as Error).message });
    return 1;
  }
  // Before listening: a SIGTERM sent as soon as the relay answers must find its handler.
  const stopped = new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  try {
    served = await listen(settings);
  } catch (err) {
    const { hostname, port } = settings.listener;
    const message = (err as Error).message;
    const inUse = (err as { code?: string }).code === "EADDRINUSE" || /in use/i.test(message);
    logger.error("cannot listen", {
      addr: `${bindAddress(hostname)}:${port}`,
      error: inUse ? "address already in use (is another relay running?)" : message,
    });
    compressor.close();
    return 1;
  }
  metrics.connectionsLimit.set({ protocol: "http" }, settings.listener.connLimit);
  metrics.reloadOk.set(1);
  metrics.reloadTime.set(Date.now() / 1000);
  logger.info("listening", {
    version: VERSION,
    addr: `${served.hostname}:${served.port}`,
    tls: settings.listener.tls !== undefined,
    forward_to: settings.forward?.endpoints.map((e) => e.url).join(",") ?? "stdout",
    ...(memoryTargetBytes === undefined ? {} : { memory_target_bytes: memoryTargetBytes }),
  });
  process.on("SIGHUP", () => void (reloading = reloading.then(reload, reload)));
  const signal = await stopped;
  logger.info("stopping", { signal });
  await served!.shutdown();
  await relay.close();
  compressor.close();
  logger.info("stopped");
  return 0;
}

function serverMetrics(registry: Registry) {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: "loki_source_api_tcp_connections",
      help: "Current number of accepted TCP connections",
      labelNames: ["protocol"],
      registers,
    }),
    connectionsLimit: new Gauge({
      name: "loki_source_api_tcp_connections_limit",
      help: "The max number of TCP connections that can be accepted (0 means no limit)",
      labelNames: ["protocol"],
      registers,
    }),
    reloadOk: new Gauge({
      name: "lokirelay_config_last_reload_successful",
      help: "1 if the last configuration load or reload succeeded, else 0",
      registers,
    }),
    reloadTime: new Gauge({
      name: "lokirelay_config_last_reload_success_timestamp_seconds",
      help: "When the configuration was last loaded or reloaded successfully",
      registers,
    }),
  };
}

function convertCommand(file: string, partial: boolean): number {
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    return fail(`${file}: cannot read: ${(err as Error).message}\n`);
  }
  const outcome = convertFile(file, text, { partial });
  process.stderr.write(outcome.stderr);
  process.stdout.write(outcome.stdout);
  return outcome.code;
}

/** Reads one secret on stdin (a final newline dropped) and prints its hash or digest. */
async function hashCommand(kind: "hash-password" | "hash-token"): Promise<number> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const secret = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (secret === "") return fail(`${kind}: give the secret on stdin (nothing was read)\n`);
  if (kind === "hash-token") {
    return print(createHash("sha256").update(secret, "utf8").digest("hex") + "\n", 0);
  }
  return print(await hashPassword(secret) + "\n", 0);
}

function relabelCommand(settings: Settings, labels: string): number {
  const result = activate(settings.receive).resolve(labels);
  if (result.kind === "error") return fail(`${result.error}\n`);
  if (result.kind === "dropped") return print(`dropped (${result.reason})\n`, 0);
  return print(result.key + "\n", 0);
}

function print(text: string, code: number): number {
  process.stdout.write(text);
  return code;
}

function fail(text: string): number {
  process.stderr.write(text);
  return 1;
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  // Exit once what was written has been flushed.
  process.stdout.write("", () => process.exit(code));
}

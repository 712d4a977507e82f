/**
 * The `lokirelay` executable: parses arguments, validates the config before listening, serves the
 * relay with the adapter of the runtime it runs on, and drains on SIGTERM/SIGINT.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { collectDefaultMetrics, Registry } from "prom-client";
import { loadConfig, parseCommand, redactSecrets, USAGE } from "./cli.ts";
import type { Config } from "./config/config_schema.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import { createRelay } from "./relay.ts";
import { receiveSettings } from "./receive/receive_settings.ts";
import type { Served, ServeOptions } from "./adapters/serve_types.ts";
import type { FetchHandler } from "./adapters/serve_types.ts";
import { VERSION } from "./version.ts";

async function main(args: string[]): Promise<number> {
  const cmd = parseCommand(args);
  if (cmd.kind === "help") return print(USAGE, 0);
  if (cmd.kind === "version") return print(`lokirelay ${VERSION}\n`, 0);
  if (cmd.kind === "error") return fail(`${cmd.message}\n\n${USAGE}`);
  const loaded = loadConfig(cmd.configPath, cmd.lokiUrl, (p) => readFileSync(p, "utf8"));
  if (!loaded.ok) return fail(`invalid config:\n  ${loaded.errors.join("\n  ")}\n`);
  if (cmd.kind === "check") return print(redactSecrets(loaded.config) + "\n", 0);
  if (cmd.kind === "relabel") return relabelCommand(loaded.config, cmd.labels!);
  const logger = createLogger({
    level: cmd.logLevel,
    format: cmd.logFormat,
    write: (line) => process.stderr.write(line),
  });
  return await run(loaded.config, logger);
}

async function run(config: Config, logger: Logger): Promise<number> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const relay = createRelay(config, {
    logger,
    registry,
    stdout: (text) => process.stdout.write(text),
  });
  const serve = await adapter();
  let served: Served;
  try {
    served = await serve(relay, {
      hostname: config.http.listen_address,
      port: config.http.listen_port,
      maxRequestBodySize: receiveSettings(config).maxBytes,
    });
  } catch (err) {
    logger.error("cannot listen", { error: (err as Error).message });
    return 1;
  }
  logger.info("listening", {
    version: VERSION,
    addr: `${served.hostname}:${served.port}`,
    forward_to: config.forward_to?.map((e) => e.url).join(",") ?? "stdout",
  });
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  logger.info("stopping", { signal });
  await served.shutdown();
  await relay.close();
  logger.info("stopped");
  return 0;
}

type ServeFn = (app: FetchHandler, options: ServeOptions) => Promise<Served>;

async function adapter(): Promise<ServeFn> {
  if ("Bun" in globalThis) return (await import("./adapters/bun.ts")).serve;
  return (await import("./adapters/deno.ts")).serve;
}

function relabelCommand(config: Config, labels: string): number {
  const result = receiveSettings(config).resolve(labels);
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

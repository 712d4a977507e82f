/**
 * Serves a relay with `node:http` / `node:https`, on Deno and on Bun alike. This is the listener
 * of the executable because it is the one server both runtimes ship that exposes connections:
 * it makes `conn_limit`, the read/write/idle timeouts, `loki_source_api_tcp_connections` and
 * every client-certificate policy real. `Deno.serve`/`Bun.serve` (see `deno.ts`, `bun.ts`) have
 * none of those hooks and are for embedding.
 *
 * @module
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { bindAddress, type FetchHandler, type Served, type ServeOptions } from "./serve_types.ts";
import { type BridgedRequest, toWebRequest, writeWebResponse } from "./node_bridge.ts";
import { clientCertError, nodeTlsOptions } from "./node_tls.ts";
import type { ListenerSettings, ServerTlsSettings } from "../config/settings.ts";

/**
 * Listener settings (Alloy's `http` block, resolved: durations in milliseconds; absent ones are
 * off) and the hooks the executable watches the listener with.
 */
export interface NodeServeOptions extends Partial<ListenerSettings>, ServeOptions {
  /** Told the number of open connections each time it changes. */
  onConnections?: (open: number) => void;
  /** Told when a connection is refused or closed by a limit or timeout. */
  onRefused?: (reason: "conn_limit" | "read_timeout" | "write_timeout" | "client_cert") => void;
}

interface ConnState {
  timer?: ReturnType<typeof setTimeout>;
  writeTimer?: ReturnType<typeof setTimeout>;
  active: number;
  idle: boolean;
}

/**
 * Starts a `node:http(s)` server for `app` and resolves once it listens.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveNode } from "./node_server.ts";
 *
 * const served = await serveNode(
 *   { fetch: () => Promise.resolve(new Response("ok")) },
 *   { hostname: "127.0.0.1", port: 0 },
 * );
 * assert.equal(await (await fetch(`http://127.0.0.1:${served.port}/`)).text(), "ok");
 * await served.shutdown();
 * ```
 */
export function serveNode(app: FetchHandler, options: NodeServeOptions = {}): Promise<Served> {
  const tls = options.tls;
  const unsupported = tls && unsupportedTls(tls);
  if (unsupported) return Promise.reject(new Error(unsupported));
  const scheme = tls ? "https" : "http";
  const conns = new Map<Socket, ConnState>();
  const limit = options.connLimit ?? 0;
  // As Go's http.Server (and so Alloy): an idle timeout of 0 falls back to the read timeout.
  const idleTimeoutMs = options.idleTimeoutMs || options.readTimeoutMs;
  const report = () => options.onConnections?.(conns.size);

  const arm = (
    socket: Socket,
    state: ConnState,
    ms: number | undefined,
    reason: "read_timeout",
  ) => {
    clearTimeout(state.timer);
    state.timer = ms ? setTimeout(() => expire(socket, reason), ms) : undefined;
  };
  const expire = (socket: Socket, reason: "read_timeout" | "write_timeout") => {
    options.onRefused?.(reason);
    socket.destroy();
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    const state = conns.get(socket) ?? { active: 0, idle: false };
    state.active++;
    if (tls) {
      const refused = clientCertError(tls.clientAuthType, socket as TLSSocket, tls.clientCaPem);
      if (refused) {
        options.onRefused?.("client_cert");
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end(refused + "\n");
        return;
      }
    }
    // The request is in once its body is: stop the read deadline (not a later idle one).
    if (req.method === "GET" || req.method === "HEAD") clearTimeout(state.timer);
    else req.once("end", () => state.idle || clearTimeout(state.timer));
    if (options.writeTimeoutMs) {
      state.writeTimer = setTimeout(() => expire(socket, "write_timeout"), options.writeTimeoutMs);
    }
    let bridged: BridgedRequest;
    try {
      bridged = toWebRequest(req, scheme);
    } catch (err) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      res.end(`bad request: ${(err as Error).message.split("\n")[0]}\n`);
      return;
    }
    let keep = true;
    res.once("finish", () => {
      clearTimeout(state.writeTimer);
      state.active--;
      if (!keep) socket.end();
      else if (state.active === 0) {
        state.idle = true;
        arm(socket, state, idleTimeoutMs, "read_timeout");
      }
    });
    app.fetch(bridged.request)
      .then((response) => {
        keep = bridged.settle();
        if (!keep) res.setHeader("connection", "close");
        return writeWebResponse(response, res);
      })
      .catch(() => socket.destroy());
  };

  const server = tls
    ? https.createServer(nodeTlsOptions(tls), onRequest)
    : http.createServer(onRequest);
  // node:http's own keep-alive timer (5 s, advertised as `Keep-Alive: timeout=5`) would close idle
  // connections before `server_idle_timeout`: off, so the relay's idle timer is the one that acts.
  server.keepAliveTimeout = 0;
  server.on(tls ? "secureConnection" : "connection", (socket: Socket) => {
    if (limit > 0 && conns.size >= limit) {
      options.onRefused?.("conn_limit");
      socket.destroy();
      return;
    }
    const state: ConnState = { active: 0, idle: false };
    conns.set(socket, state);
    report();
    arm(socket, state, options.readTimeoutMs, "read_timeout");
    socket.once("close", () => {
      clearTimeout(state.timer);
      clearTimeout(state.writeTimer);
      conns.delete(socket);
      report();
    });
  });
  // A request arriving on an idle kept-alive connection starts a new read deadline.
  server.prependListener("request", (req: http.IncomingMessage) => {
    const state = conns.get(req.socket);
    if (state?.idle) {
      state.idle = false;
      arm(req.socket, state, options.readTimeoutMs, "read_timeout");
    }
  });
  server.on("clientError", (_err, socket: Socket) => socket.destroy());

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, bindAddress(options.hostname), () => {
      server.off("error", reject);
      const addr = server.address() as AddressInfo;
      resolve({
        hostname: addr.address,
        port: addr.port,
        shutdown: () => shutdown(server, conns, options.gracefulShutdownMs ?? 30_000),
      });
    });
  });
}

/**
 * TLS settings a runtime's `node:tls` cannot honour are refused at start, never silently ignored.
 * Bun reports whether a client certificate verified but not whether one was sent, so the two
 * policies that depend on that cannot be kept there. Deno's TLS stack (rustls) takes no cipher
 * list.
 */
function unsupportedTls(tls: ServerTlsSettings): string | undefined {
  const policy = tls.clientAuthType;
  if (
    "Bun" in globalThis &&
    (policy === "RequireAnyClientCert" || policy === "VerifyClientCertIfGiven")
  ) {
    return `http.tls.client_auth_type ${policy} is not supported on Bun (it cannot tell whether a ` +
      "client sent a certificate); use RequireAndVerifyClientCert, or run on Deno";
  }
  if ("Deno" in globalThis && (tls.cipherSuites?.length ?? 0) > 0) {
    return "http.tls.cipher_suites is not supported on Deno (its TLS stack takes no cipher list); " +
      "remove it (min_version is honoured), or run on Bun";
  }
  return undefined;
}

async function shutdown(
  server: http.Server,
  conns: Map<Socket, ConnState>,
  graceMs: number,
): Promise<void> {
  server.close();
  const deadline = Date.now() + graceMs;
  for (;;) {
    for (const [socket, state] of conns) if (state.active === 0) socket.destroy();
    if (conns.size === 0 || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, deadline - Date.now())));
  }
  for (const socket of conns.keys()) socket.destroy();
}

// The executable's listener (node:http/https) on the runtime under test: limits, timeouts, TLS.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { type NodeServeOptions, serveNode } from "../../src/adapters/node_server.ts";
import type { ClientAuthType } from "../../src/config/settings.ts";
import { createRelay } from "../../src/relay.ts";
import { captureSink } from "../helpers/capture_sink.ts";
import { makeCerts } from "../helpers/certs.ts";
import { curl } from "../helpers/curl.ts";
import { RUNTIME } from "../helpers/serve_runtime.ts";

async function start(options: NodeServeOptions = {}) {
  const sink = captureSink();
  const relay = createRelay({ labels: { job: "t" } }, { sink });
  const counts: number[] = [];
  const refused: string[] = [];
  const served = await serveNode(relay, {
    hostname: "127.0.0.1",
    port: 0,
    onConnections: (n) => counts.push(n),
    onRefused: (r) => refused.push(r),
    ...options,
  });
  return { sink, relay, served, counts, refused, port: served.port };
}

/** Connects and sends the first bytes of a request: Bun's node:http sees a connection only then. */
function connect(port: number, first = "G"): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => {
      if (first) s.write(first);
      resolve(s);
    });
    s.on("error", reject);
  });
}

/** Resolves when the socket is closed by the other side; rejects after `ms`. */
function closedWithin(socket: net.Socket, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on("error", () => {});
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test(`node listener on ${RUNTIME}: requests pass through with status, headers and body`, async () => {
  const { served, sink, relay, port } = await start();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/raw`, {
      method: "POST",
      body: "a\nb\n",
    });
    assert.equal(res.status, 204);
    assert.equal(sink.accepted[0].entryCount, 2);
    const bad = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-encoding": "br" },
      body: "x",
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await bad.text(), 'Content-Encoding "br" not supported\n');
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`node listener on ${RUNTIME}: conn_limit closes connections beyond the limit`, async () => {
  const { served, relay, port, counts, refused } = await start({ connLimit: 2 });
  const sockets: net.Socket[] = [];
  try {
    sockets.push(await connect(port), await connect(port));
    const third = await connect(port);
    sockets.push(third);
    await closedWithin(third, 5000);
    assert.deepEqual(refused, ["conn_limit"]);
    assert.equal(Math.max(...counts), 2);
    // Once one closes, a new connection is served again.
    sockets[0].destroy();
    await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(res.status, 200);
  } finally {
    sockets.forEach((s) => s.destroy());
    await served.shutdown();
    await relay.close();
  }
});

test(`node listener on ${RUNTIME}: the read timeout ends a slow sender (slowloris)`, async () => {
  const { served, relay, port, refused } = await start({ readTimeoutMs: 300 });
  try {
    const body = await connect(port, "");
    body.write("POST /loki/api/v1/raw HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc");
    const headers = await connect(port, "");
    headers.write("POST /loki/api/v1/raw HTTP/1.1\r\nHost: x\r\n");
    await Promise.all([closedWithin(body, 5000), closedWithin(headers, 5000)]);
    assert.deepEqual(refused, ["read_timeout", "read_timeout"]);
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`node listener on ${RUNTIME}: the idle timeout closes an idle keep-alive connection`, async () => {
  const { served, relay, port } = await start({ idleTimeoutMs: 200, readTimeoutMs: 10_000 });
  try {
    const s = await connect(port, "");
    let reply = "";
    s.on("data", (d) => (reply += d));
    s.write("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
    await closedWithin(s, 5000);
    assert.match(reply, /^HTTP\/1\.1 200/);
    assert.match(reply, /\r\n\r\n(5\r\n)?ready/);
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`node listener on ${RUNTIME}: an oversize body gets 413 and the connection is closed`, async () => {
  const sink = captureSink();
  const relay = createRelay({ labels: { job: "t" }, max_send_message_size: "1KiB" }, { sink });
  const served = await serveNode(relay, { hostname: "127.0.0.1", port: 0 });
  try {
    const s = await connect(served.port, "");
    let reply = "";
    s.on("data", (d) => (reply += d));
    s.write("POST /loki/api/v1/raw HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const chunk = "x".repeat(4096);
    s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    await closedWithin(s, 5000);
    assert.match(reply, /^HTTP\/1\.1 413/);
    assert.match(reply, /max_send_message_size \(1024\)/);
    assert.equal(sink.accepted.length, 0);
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

function tlsOptions(policy: ClientAuthType): NodeServeOptions {
  const c = makeCerts();
  return {
    tls: {
      certPem: c.serverCert,
      keyPem: c.serverKey,
      clientCaPem: policy === "NoClientCert" ? undefined : c.caPem,
      clientAuthType: policy,
      cipherSuites: [],
    },
  };
}

async function tlsCase(policy: ClientAuthType) {
  const c = makeCerts();
  const { served, relay, port } = await start(tlsOptions(policy));
  const url = `https://127.0.0.1:${port}/ready`;
  const ca = ["--cacert", c.path("ca.pem")];
  try {
    return {
      none: await curl([...ca, url]),
      good: await curl([...ca, "--cert", c.path("cli.pem"), "--key", c.path("cli.key"), url]),
      rogue: await curl([...ca, "--cert", c.path("rogue.pem"), "--key", c.path("rogue.key"), url]),
    };
  } finally {
    await served.shutdown();
    await relay.close();
  }
}

const ok = (r: { status: number; body: string }) => r.status === 200 && r.body === "ready";

test(`TLS on ${RUNTIME}: RequireAndVerifyClientCert takes only certificates from the CA`, async () => {
  const r = await tlsCase("RequireAndVerifyClientCert");
  assert.ok(ok(r.good), JSON.stringify(r.good));
  assert.ok(!ok(r.none), JSON.stringify(r.none));
  assert.ok(!ok(r.rogue), JSON.stringify(r.rogue));
});

if (RUNTIME === "deno") {
  test("TLS on deno: VerifyClientCertIfGiven takes no certificate or a good one", async () => {
    const r = await tlsCase("VerifyClientCertIfGiven");
    assert.ok(ok(r.good), JSON.stringify(r.good));
    assert.ok(ok(r.none), JSON.stringify(r.none));
    assert.ok(!ok(r.rogue), JSON.stringify(r.rogue));
  });

  test("TLS on deno: RequireAnyClientCert needs a certificate, trusted or not", async () => {
    const r = await tlsCase("RequireAnyClientCert");
    assert.ok(ok(r.good), JSON.stringify(r.good));
    assert.ok(ok(r.rogue), JSON.stringify(r.rogue));
    assert.ok(!ok(r.none), JSON.stringify(r.none));
  });
} else {
  test("TLS on bun: policies that need to know whether a cert was sent are refused at start", async () => {
    for (const policy of ["VerifyClientCertIfGiven", "RequireAnyClientCert"] as const) {
      await assert.rejects(
        start(tlsOptions(policy)),
        new RegExp(`client_auth_type ${policy} is not supported on Bun`),
      );
    }
  });
}

test(`TLS on ${RUNTIME}: RequestClientCert asks for a certificate but takes anyone`, async () => {
  const r = await tlsCase("RequestClientCert");
  assert.ok(ok(r.good) && ok(r.none) && ok(r.rogue), JSON.stringify(r));
});

test(`TLS on ${RUNTIME}: NoClientCert serves everyone over TLS; plain HTTP is refused`, async () => {
  const c = makeCerts();
  const r = await tlsCase("NoClientCert");
  assert.ok(ok(r.none) && ok(r.good) && ok(r.rogue), JSON.stringify(r));
  const { served, relay, port } = await start(tlsOptions("NoClientCert"));
  try {
    const plain = await curl([`http://127.0.0.1:${port}/ready`]);
    assert.ok(!ok(plain));
    const untrusted = await curl([`https://127.0.0.1:${port}/ready`]);
    assert.notEqual(untrusted.exitCode, 0, "curl refuses a server cert it cannot verify");
    assert.ok(ok(await curl(["--cacert", c.path("ca.pem"), `https://127.0.0.1:${port}/ready`])));
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`TLS on ${RUNTIME}: min_version TLS13 refuses a TLS 1.2 client`, async () => {
  const c = makeCerts();
  const options = tlsOptions("NoClientCert");
  options.tls!.minVersion = "TLS13";
  const { served, relay, port } = await start(options);
  try {
    const url = `https://127.0.0.1:${port}/ready`;
    const old = await curl(["--cacert", c.path("ca.pem"), "--tls-max", "1.2", url]);
    assert.ok(!ok(old), JSON.stringify(old));
    assert.ok(ok(await curl(["--cacert", c.path("ca.pem"), url])));
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

if (RUNTIME === "bun") {
  test("TLS on bun: cipher_suites limits the TLS 1.2 ciphers offered", async () => {
    const c = makeCerts();
    const options = tlsOptions("NoClientCert");
    options.tls!.cipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"];
    const { served, relay, port } = await start(options);
    try {
      const url = `https://127.0.0.1:${port}/ready`;
      const base = ["--cacert", c.path("ca.pem"), "--tls-max", "1.2"];
      const allowed = await curl([...base, "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", url]);
      assert.ok(ok(allowed), JSON.stringify(allowed));
      const other = await curl([...base, "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384", url]);
      assert.ok(!ok(other), JSON.stringify(other));
    } finally {
      await served.shutdown();
      await relay.close();
    }
  });
} else {
  test("TLS on deno: cipher_suites is refused at start rather than ignored", async () => {
    const options = tlsOptions("NoClientCert");
    options.tls!.cipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"];
    await assert.rejects(start(options), /cipher_suites is not supported on Deno/);
  });
}

test(`node listener on ${RUNTIME}: the write timeout ends a response the client does not read`, async () => {
  const refused: string[] = [];
  const app = {
    fetch: () =>
      Promise.resolve(
        new Response(
          new ReadableStream({
            pull: (c) => c.enqueue(new Uint8Array(1 << 20)),
          }),
        ),
      ),
  };
  const served = await serveNode(app, {
    hostname: "127.0.0.1",
    port: 0,
    writeTimeoutMs: 300,
    onRefused: (r) => refused.push(r),
  });
  try {
    const s = await connect(served.port, "");
    s.pause(); // never read: the server's writes back up
    s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const deadline = Date.now() + 5000;
    while (refused.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(refused, ["write_timeout"]);
    s.resume(); // now drain what was sent: the server closed its end
    await closedWithin(s, 5000);
  } finally {
    await served.shutdown();
  }
});

test(`node listener on ${RUNTIME}: shutdown waits for in-flight requests up to the grace period`, async () => {
  let release: () => void = () => {};
  const app = {
    fetch: () =>
      new Promise<Response>((resolve) => (release = () => resolve(new Response("late")))),
  };
  const served = await serveNode(app, { hostname: "127.0.0.1", port: 0, gracefulShutdownMs: 200 });
  const s = await connect(served.port, "");
  let reply = "";
  s.on("data", (d) => (reply += d));
  s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await served.shutdown();
  const waited = Date.now() - started;
  await closedWithin(s, 5000);
  release();
  assert.ok(waited >= 150, `shutdown returned after ${waited} ms, before the grace period`);
  assert.equal(reply, "", "the stuck request got no response");
});

test(`node listener on ${RUNTIME}: odd request targets and Host headers never break the server`, async () => {
  const { served, relay, port, sink } = await start();
  const ask = async (head: string, body = "") => {
    const s = await connect(port, "");
    let reply = "";
    s.on("data", (d) => (reply += d));
    s.write(head + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n` + body);
    await closedWithin(s, 5000);
    return reply.split("\r\n")[0];
  };
  try {
    assert.equal(
      await ask("POST http://elsewhere:9/loki/api/v1/raw HTTP/1.1\r\nHost: x\r\n", "absolute\n"),
      "HTTP/1.1 204 No Content",
    );
    assert.equal(await ask("GET /ready HTTP/1.1\r\nHost: not a host\r\n"), "HTTP/1.1 200 OK");
    assert.equal(await ask("GET //ready HTTP/1.1\r\nHost: x\r\n"), "HTTP/1.1 404 Not Found");
    assert.equal(await ask("GET /ready?x=%zz HTTP/1.1\r\nHost: x\r\n"), "HTTP/1.1 200 OK");
    assert.equal(sink.accepted.length, 1);
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200, "still serving");
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

/**
 * Serves a relay whose sink is always full (pushes are refused with 429 before their body is
 * read) and hands `fn` a raw connection to it and what came back on it so far.
 */
async function withFullRelay(fn: (s: net.Socket, reply: () => string) => Promise<void>) {
  const full = { status: "full" as const, retryAfterSeconds: 1, reason: "queue full" };
  const sink = { hasRoom: () => full, offer: () => full, close: () => Promise.resolve() };
  const relay = createRelay({ labels: { job: "t" } }, { sink });
  const served = await serveNode(relay, { hostname: "127.0.0.1", port: 0 });
  const s = await connect(served.port, "");
  let reply = "";
  s.on("data", (d) => (reply += d));
  try {
    await fn(s, () => reply);
  } finally {
    s.destroy();
    await served.shutdown();
    await relay.close();
  }
}

test(`node listener on ${RUNTIME}: a 429 before the body is read keeps the connection for a short rest`, async () => {
  await withFullRelay(async (s, reply) => {
    const body = "x".repeat(200_000); // less than 256 KiB: read and dropped, as Go's server does
    s.write(`POST /loki/api/v1/raw HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    s.write(body);
    s.write("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
    const deadline = Date.now() + 5000;
    while (!/\r\n\r\nready/.test(reply()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.match(reply(), /^HTTP\/1\.1 429/);
    assert.match(
      reply(),
      /HTTP\/1\.1 200[^]*ready/,
      "the same connection answers the next request",
    );
  });
});

test(`node listener on ${RUNTIME}: a 429 before the body is read closes the connection for a long rest`, async () => {
  await withFullRelay(async (s, reply) => {
    s.write("POST /loki/api/v1/raw HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
    s.write("x".repeat(1000)); // the other 9,999,000 bytes never come
    await closedWithin(s, 5000);
    assert.match(reply(), /^HTTP\/1\.1 429/);
    assert.match(reply(), /connection: close/i);
  });
});

/**
 * Makes one request on a raw socket and keeps the connection open; resolves with the response
 * head and a promise of how long (ms) after the response the server closed the connection.
 */
async function idleAfterOneRequest(port: number) {
  const s = await connect(port, "");
  let reply = "";
  let answeredAt = 0;
  const answered = new Promise<void>((resolve) => {
    s.on("data", (d) => {
      reply += d;
      if (answeredAt === 0 && /\r\n\r\n(5\r\n)?ready/.test(reply)) {
        answeredAt = performance.now();
        resolve();
      }
    });
  });
  const closedAfter = new Promise<number>((resolve) => {
    s.on("error", () => {});
    s.once("close", () => resolve(performance.now() - answeredAt));
  });
  s.write("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
  await answered;
  return { socket: s, head: reply.split("\r\n\r\n")[0], closedAfter };
}

test(`node listener on ${RUNTIME}: server_idle_timeout, not node:http's 5 s, closes an idle connection`, async () => {
  // node:http's own keep-alive timeout (5 s, closing at about 6 s) must not act first.
  const { served, relay, port } = await start({ idleTimeoutMs: 7000, readTimeoutMs: 1000 });
  try {
    const { socket, head, closedAfter } = await idleAfterOneRequest(port);
    assert.doesNotMatch(
      head,
      /keep-alive: *timeout/i,
      "no Keep-Alive header naming another timeout",
    );
    const early = await Promise.race([
      closedAfter,
      new Promise((r) => setTimeout(r, 6500, "open")),
    ]);
    assert.equal(early, "open", `closed after ${early} ms, configured 7000`);
    const ms = await closedAfter;
    assert.ok(ms >= 6900 && ms < 8000, `closed ${Math.round(ms)} ms after the response`);
    socket.destroy();
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

test(`node listener on ${RUNTIME}: an idle timeout of 0 falls back to the read timeout, as in Go`, async () => {
  const { served, relay, port } = await start({ idleTimeoutMs: 0, readTimeoutMs: 1000 });
  try {
    const { closedAfter } = await idleAfterOneRequest(port);
    const ms = await closedAfter;
    assert.ok(ms >= 900 && ms < 2000, `closed ${Math.round(ms)} ms after the response`);
  } finally {
    await served.shutdown();
    await relay.close();
  }
});

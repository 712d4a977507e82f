import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { readBody } from "../../src/http/read_body.ts";
import { InflightBudget } from "../../src/http/inflight_budget.ts";

function streamed(chunks: Uint8Array[], pulled: { n: number } = { n: 0 }) {
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled.n >= chunks.length) return c.close();
      c.enqueue(chunks[pulled.n++]);
    },
  });
}

function request(
  body: BodyInit | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  return new Request("http://x/", {
    method: "POST",
    headers,
    body,
    // @ts-ignore: needed for a streamed body
    duplex: "half",
  });
}

test("readBody() takes a Content-Length body from the budget before reading it", async () => {
  const budget = new InflightBudget(100);
  const other = budget.hold();
  assert.equal(other.take(60), "taken");
  const pulled = { n: 0 };
  const body = streamed([new Uint8Array(50)], pulled);
  const busy = await readBody(request(body, { "content-length": "50" }), 1000, budget.hold());
  assert.equal(busy.ok || busy.failure, "busy");
  assert.equal(pulled.n, 0, "nothing read when the budget is spent");
  const never = await readBody(
    request(new Uint8Array(150), { "content-length": "150" }),
    1000,
    budget.hold(),
  );
  assert.equal(never.ok || never.failure, "too_large");
  assert.match(!never.ok ? never.error : "", /max_inflight_bytes \(100\)/);
  other.release();
  const hold = budget.hold();
  const ok = await readBody(request(new Uint8Array(50), { "content-length": "50" }), 1000, hold);
  assert.ok(ok.ok && ok.bytes.length === 50);
  assert.equal(hold.held, 50);
});

test("readBody() counts a streamed body chunk by chunk and joins it into one copy", async () => {
  const budget = new InflightBudget(1000);
  const hold = budget.hold();
  const chunks = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5, 6])];
  const r = await readBody(request(streamed(chunks)), 1000, hold);
  assert.ok(r.ok);
  assert.deepEqual([...r.bytes], [1, 2, 3, 4, 5, 6]);
  assert.equal(hold.held, 6);
  hold.release();
  assert.equal(budget.used, 0);
});

test("readBody() inflates gzip in slices: a bomb stops near the cap, not at its full size", async () => {
  const inflated = 64 * 1024 * 1024;
  const bomb = gzipSync(new Uint8Array(inflated));
  const budget = new InflightBudget(1 << 30);
  const hold = budget.hold();
  const r = await readBody(request(bomb, { "content-encoding": "gzip" }), 1024 * 1024, hold);
  assert.equal(r.ok || r.failure, "too_large");
  assert.match(!r.ok ? r.error : "", /^decompressed body too large/);
  // What was held when it stopped: the compressed body and at most a few MiB past the cap.
  assert.ok(hold.held < bomb.length + 1024 * 1024 + 8 * 1024 * 1024, `held ${hold.held}`);
});

test("readBody() refuses a body longer than its Content-Length", async () => {
  const long = await readBody(
    request(streamed([new Uint8Array(10), new Uint8Array(10)]), { "content-length": "15" }),
    1000,
  );
  assert.deepEqual(long, {
    ok: false,
    failure: "unreadable",
    error: "request body longer than its Content-Length",
  });
});

test("Content-Encoding is matched as Alloy matches it: exactly, one encoding; identity is none", async () => {
  const body = gzipSync("abc");
  const read = (encoding: string) =>
    readBody(
      new Request("http://x/", { method: "POST", body, headers: { "content-encoding": encoding } }),
      100,
    );
  for (const encoding of ["GZIP", "gzip, identity", "x-gzip", "br"]) {
    assert.deepEqual(await read(encoding), {
      ok: false,
      failure: "unsupported_encoding",
      error: `Content-Encoding ${JSON.stringify(encoding)} not supported`,
    });
  }
  const padded = await read(" gzip "); // spaces around a header value are not part of it
  assert.deepEqual(padded.ok && new TextDecoder().decode(padded.bytes), "abc");
  // lokirelay's own choice: identity means no encoding (Alloy refuses it).
  const identity = await read("identity");
  assert.deepEqual(identity.ok && [...identity.bytes], [...body]);
});

// Found by the fuzzer (tests/fuzz, a gzip bomb of zeros): the inflater's chunks are read as
// microtasks, so inflating up to the cap held the event loop for most of a second (no timer
// fired, no other request was served).
test("readBody() gives the event loop a turn while it inflates a body up to the cap", async () => {
  const body = gzipSync(new Uint8Array(48 << 20), { level: 1 });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  try {
    const started = performance.now();
    const result = await readBody(request(body, { "content-encoding": "gzip" }), 40 << 20);
    const elapsed = performance.now() - started;
    assert.equal(result.ok || result.failure, "too_large");
    // A turn at least every 10 ms of reading (a slow machine may run a tick late, not never).
    assert.ok(ticks >= Math.min(3, elapsed / 50), `${ticks} ticks in ${Math.round(elapsed)} ms`);
  } finally {
    clearInterval(ticker);
  }
});

// The live tail's bounds: the rate limit, the per-subscriber buffer, the subscriber cap, copies of
// what it keeps, and streams that end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TailHub } from "../../src/status/tail_hub.ts";
import { WireEntry } from "../../src/codec/wire_entry.ts";
import type { Accepted, Entry } from "../../src/types.ts";

const all = () => true;
const entry = (line: string): Entry => ({ seconds: 1_700_000_000, nanos: 1, line });
function push(lines: string[], labels = { app: "api" }, tenant?: string): Accepted {
  return {
    tenant,
    streams: [{ labels, key: "", entries: lines.map(entry) }],
    entryCount: lines.length,
    byteSize: 0,
    queuedBytes: 0,
  };
}
const events = (text: string, kind: string) =>
  [...text.matchAll(new RegExp(`event: ${kind}\\ndata: (.*)\\n`, "g"))].map((m) =>
    JSON.parse(m[1])
  );

test("each subscriber gets at most `rate` entries a second; the rest are counted", async () => {
  let now = 0;
  const hub = new TailHub(() => now, { rate: 10 });
  const stream = hub.subscribe(all, 60_000)!;
  hub.publish(push(Array.from({ length: 25 }, (_, i) => `a${i}`)));
  now = 500; // half a second: 5 more tokens
  hub.publish(push(Array.from({ length: 25 }, (_, i) => `b${i}`)));
  hub.tick();
  hub.close();
  const text = await new Response(stream).text();
  const lines = events(text, "entry").map((e) => e.line);
  assert.equal(lines.length, 15);
  assert.deepEqual(lines.slice(0, 3), ["a0", "a1", "a2"]);
  assert.deepEqual(lines.slice(10), ["b0", "b1", "b2", "b3", "b4"]);
  assert.deepEqual(events(text, "dropped"), [{ rate_limited: 35, slow_client: 0 }]);
});

test("a subscriber that does not read holds at most bufferBytes; the rest is dropped", async () => {
  const hub = new TailHub(() => 0, { rate: 1e9, bufferBytes: 4096 });
  const stream = hub.subscribe(all, 60_000)!;
  const line = "x".repeat(100);
  for (let i = 0; i < 1000; i++) hub.publish(push([line]));
  hub.tick();
  hub.close();
  const text = await new Response(stream).text();
  assert.ok(text.length <= 4096 + 300, `buffered ${text.length} bytes`);
  const taken = events(text, "entry").length;
  assert.ok(taken > 10 && taken < 40, `${taken} taken`);
  // The drop notice itself may not fit; what was taken and dropped adds up.
  assert.equal(hub.size, 0);
});

test("matchers filter streams; the tenant and labels travel with the line", async () => {
  const hub = new TailHub(() => 0);
  const stream = hub.subscribe((l) => l.app === "api", 60_000)!;
  hub.publish(push(["kept"], { app: "api" }, "team-a"));
  hub.publish(push(["not kept"], { app: "web" }, "team-a"));
  hub.close();
  const got = events(await new Response(stream).text(), "entry");
  assert.deepEqual(got, [{
    time: "2023-11-14T22:13:20.000000001Z",
    tenant: "team-a",
    labels: { app: "api" },
    line: "kept",
  }]);
});

test("what is published is copied: a request body reused later changes nothing", async () => {
  const hub = new TailHub(() => 0, { lineChars: 8 });
  const stream = hub.subscribe(all, 60_000)!;
  const body = new TextEncoder().encode("hello world, a long line");
  const wire = new WireEntry({
    seconds: 1,
    nanos: 0,
    source: body,
    lineStart: 0,
    lineEnd: body.length,
    metaStart: 0,
    metaEnd: 0,
    metaSize: 0,
  });
  hub.publish({
    streams: [{ labels: { a: "1" }, key: "", entries: [wire] }],
    entryCount: 1,
    byteSize: 0,
    queuedBytes: 0,
  });
  body.fill(0x41);
  hub.close();
  const [event] = events(await new Response(stream).text(), "entry");
  assert.equal(event.line, "hello wo…");
});

test("at most maxSubscribers; a cancelled reader frees its place; streams end in time", async () => {
  let now = 0;
  const hub = new TailHub(() => now, { maxSubscribers: 2 });
  const a = hub.subscribe(all, 60_000)!;
  const b = hub.subscribe(all, 5_000)!;
  assert.equal(hub.subscribe(all, 60_000), undefined);
  await a.cancel();
  assert.equal(hub.size, 1);
  assert.ok(hub.subscribe(all, 60_000));
  now = 5_000;
  hub.tick();
  assert.equal(hub.size, 1);
  assert.match(await new Response(b).text(), /^retry: 1000/);
  hub.close();
  assert.equal(hub.size, 0);
});

test("with no subscriber, publishing reads nothing", () => {
  const hub = new TailHub(() => 0);
  const untouchable = {
    get streams(): never {
      throw new Error("read");
    },
  } as unknown as Accepted;
  hub.publish(untouchable);
});

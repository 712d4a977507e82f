// POST /loki/api/v1/raw through relay.fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { captureRelay, flatEntries } from "../helpers/capture_sink.ts";
import { post } from "../helpers/push.ts";

test("raw lines become entries with the configured labels, relabel rules and tenant", async () => {
  const { sink, relay } = captureRelay({
    labels: { job: "raw" },
    relabel_rules: [{ target_label: "via", replacement: "raw-endpoint" }],
  });
  const res = await post(
    relay,
    "first\r\n\n  second  \nthird",
    { "x-scope-orgid": "t9" },
    "/loki/api/v1/raw",
  );
  assert.equal(res.status, 204);
  const entries = flatEntries(sink);
  assert.deepEqual(entries.map((e) => e.line), ["first", "  second  ", "third"]);
  assert.deepEqual(entries[0].labels, { job: "raw", via: "raw-endpoint" });
  assert.equal(entries[0].tenant, "t9");
  assert.deepEqual(entries.map((e) => e.nanos), [0, 1, 2]);
});

test("/api/v1/raw is the same endpoint; gzip raw is decompressed", async () => {
  const { sink, relay } = captureRelay({ labels: { job: "raw" } });
  const res = await post(relay, gzipSync("a\nb\n"), { "content-encoding": "gzip" }, "/api/v1/raw");
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(sink).map((e) => e.line), ["a", "b"]);
});

test("raw lines without any label are refused with 400 saying what to configure", async () => {
  const { sink, relay } = captureRelay();
  const res = await post(relay, "line\n", {}, "/loki/api/v1/raw");
  assert.equal(res.status, 400);
  assert.match(await res.text(), /set "labels"/);
  assert.equal(sink.accepted.length, 0);
});

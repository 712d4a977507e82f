// Refusals worded as Loki's `GroupedErrors` words them (pkg/util/errors/errors.go): each distinct
// message once, `N errors like: ` before it when it came more than once or when there are
// several, joined with `; `; in the order first seen, and at most 32 distinct messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GroupedErrors, MAX_DISTINCT_ERRORS } from "../../src/limits/grouped_errors.ts";
import { RefusalReport } from "../../src/limits/refusal_report.ts";

const grouped = (...messages: string[]) => {
  const g = new GroupedErrors();
  for (const m of messages) g.add(m);
  return g;
};

test("nothing added: an empty text, a count of 0", () => {
  const g = grouped();
  assert.equal(g.toString(), "");
  assert.equal(g.count, 0);
});

test("one message once is the message alone; twice, it is counted", () => {
  assert.equal(grouped("bad line").toString(), "bad line");
  assert.equal(grouped("bad line", "bad line").toString(), "2 errors like: bad line");
  assert.equal(grouped("x", "x", "x").count, 3);
});

test("several messages: each counted, even once (Loki writes `1 errors like:`)", () => {
  assert.equal(grouped("a", "b").toString(), "1 errors like: a; 1 errors like: b");
});

test("messages are listed in the order first seen, each once with its count", () => {
  const g = grouped("too old", "too long", "too old", "too new", "too long", "too old");
  assert.equal(
    g.toString(),
    "3 errors like: too old; 2 errors like: too long; 1 errors like: too new",
  );
  assert.equal(g.count, 6);
});

test("messages differing only in a detail are distinct", () => {
  assert.equal(
    grouped("length '5' bytes", "length '6' bytes", "length '5' bytes").toString(),
    "2 errors like: length '5' bytes; 1 errors like: length '6' bytes",
  );
});

test("at most 32 distinct messages are listed; the others are counted, not listed", () => {
  assert.equal(MAX_DISTINCT_ERRORS, 32);
  const g = new GroupedErrors();
  for (let i = 0; i < 40; i++) g.add(`error ${i}`);
  g.add("error 0"); // listed: its count goes up
  g.add("error 35"); // not listed: it stays out
  g.add("error 99");
  const parts = g.toString().split("; ");
  assert.equal(parts.length, 32);
  assert.equal(parts[0], "2 errors like: error 0");
  assert.deepEqual(
    parts.slice(1),
    Array.from({ length: 31 }, (_, i) => `1 errors like: error ${i + 1}`),
  );
  assert.equal(g.count, 43);
  assert.ok(!g.toString().includes("error 35"));
});

test("a report groups the messages and counts entries and bytes by reason and tenant", () => {
  const report = new RefusalReport();
  assert.equal(report.any, false);
  const long = { reason: "line_too_long" as const, error: "too long" };
  const old = { reason: "greater_than_max_sample_age" as const, error: "too old" };
  report.add(long, "a", 1, 300);
  report.add(old, "a", 1, 10);
  report.add(long, "a", 1, 200);
  report.add(long, "b", 1, 50);
  report.add({ reason: "max_label_names_per_series", error: "labels" }, "", 4, 40);
  assert.equal(report.any, true);
  assert.equal(
    report.errors.toString(),
    "3 errors like: too long; 1 errors like: too old; 1 errors like: labels",
  );
  assert.deepEqual([...report.discarded()], [
    { reason: "line_too_long", tenant: "a", entries: 2, bytes: 500 },
    { reason: "greater_than_max_sample_age", tenant: "a", entries: 1, bytes: 10 },
    { reason: "line_too_long", tenant: "b", entries: 1, bytes: 50 },
    { reason: "max_label_names_per_series", tenant: "", entries: 4, bytes: 40 },
  ]);
});

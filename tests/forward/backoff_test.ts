// Retry-After as RFC 9110 (and Go's http.ParseTime) define it: a value that is neither delay
// seconds nor an HTTP date is ignored (the ordinary backoff applies), never read as "retry now".
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRetryAfter } from "../../src/forward/backoff.ts";

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

test("Retry-After: delay seconds and the three HTTP date forms, all GMT", () => {
  const cases: [string, number][] = [
    ["3", 3000],
    [" 120 ", 120_000],
    ["0", 0],
    ["Thu, 01 Jan 2026 00:00:10 GMT", 10_000],
    ["Thursday, 01-Jan-26 00:00:10 GMT", 10_000],
    ["Thu Jan  1 00:00:10 2026", 10_000], // asctime is GMT, whatever the host's time zone
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0], // in the past: at once
  ];
  for (const [value, ms] of cases) assert.equal(parseRetryAfter(value, NOW), ms, value);
});

test("Retry-After values that are neither are ignored, not read as 'retry now'", () => {
  for (
    const value of [
      "1.5",
      "-1",
      "+5",
      "1e3",
      "2026-01-01T00:00:10Z",
      "2026-01-01",
      "Thu, 01 Jan 2026 00:00:10 +0100",
      "1 Jan 2026 00:00:10 GMT",
      "Thu, 32 Jan 2026 00:00:10 GMT",
      "Thu, 01 Jan 2026 24:00:10 GMT",
      "3, 4", // two header lines joined
      "",
      "soon",
    ]
  ) {
    assert.equal(parseRetryAfter(value, NOW), undefined, JSON.stringify(value));
  }
});

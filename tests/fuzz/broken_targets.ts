// Targets that break every rule the fuzzer enforces, one each, so harness_test.ts can show that
// each kind of failure is caught and pinned to its case. Not fuzz targets: test fixtures.
import type { Target } from "./targets.ts";
import type { Relay } from "../../src/relay.ts";
import { noThrow, sendChecked } from "./oracles.ts";
import { checkAuthorization } from "./oracles.ts";

/** A relay that answers every request with `status`, or throws. */
function fakeRelay(answer: () => Promise<Response>): Relay {
  return { fetch: answer } as unknown as Relay;
}

const held: Uint8Array[] = [];

/** One target per failure kind; run them with `only`. */
export const TARGETS: readonly Target[] = [
  {
    name: "fine",
    async run(_rnd, ctx) {
      await sendChecked(fakeRelay(() => Promise.resolve(new Response(null, { status: 204 }))), {
        path: "/loki/api/v1/push",
        headers: {},
        body: new Uint8Array(1),
      }, ctx.tally);
    },
  },
  {
    name: "answers 500",
    async run(_rnd, ctx) {
      const relay = fakeRelay(() => Promise.resolve(new Response("boom", { status: 500 })));
      await sendChecked(relay, { path: "/loki/api/v1/push", headers: {}, body: null }, ctx.tally);
    },
  },
  {
    name: "fetch throws",
    async run(_rnd, ctx) {
      const relay = fakeRelay(() => Promise.reject(new TypeError("exploded")));
      await sendChecked(relay, { path: "/loki/api/v1/push", headers: {}, body: null }, ctx.tally);
    },
  },
  {
    name: "decoder throws",
    run() {
      noThrow("decodeSomething", () => JSON.parse("{"));
      return Promise.resolve();
    },
  },
  {
    name: "wrong auth shape",
    run(_rnd, ctx) {
      checkAuthorization(
        "Basic x",
        { scheme: "basic", username: "a:b", password: "" },
        undefined,
        ctx.tally,
      );
      return Promise.resolve();
    },
  },
  {
    name: "never settles",
    run: () => new Promise(() => {}),
  },
  {
    name: "blocks the event loop",
    run() {
      for (;;) { /* forever */ }
    },
  },
  {
    name: "stalls the event loop",
    run() {
      const until = performance.now() + 400;
      while (performance.now() < until) { /* busy */ }
      return Promise.resolve();
    },
  },
  {
    name: "leaks",
    run() {
      held.push(new Uint8Array(8 * 1024 * 1024).fill(1));
      return Promise.resolve();
    },
  },
  {
    name: "rejects in the background",
    run() {
      Promise.reject(new Error("nobody listens"));
      return new Promise((resolve) => setTimeout(resolve, 5));
    },
  },
  {
    name: "logs an error",
    run(_rnd, ctx) {
      ctx.fleet.problems.push("logged error: request failed {}");
      return Promise.resolve();
    },
  },
];

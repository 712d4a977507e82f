// Label names are data: `__proto__`, `constructor`, `toString` and integer-like names go through
// the whole pipeline (parse, configured labels, relabel rules, `__` removal, external labels,
// headers) like any other name, from a config file read with JSON.parse to what Loki receives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness } from "../helpers/relay_harness.ts";
import { pushProto } from "../helpers/push.ts";
import { createStreamResolver } from "../../src/receive/stream_resolver.ts";
import { compileRules, relabel } from "../../src/rules/relabel.ts";

test("__proto__ and constructor are label names like any other, end to end to Loki", async () => {
  // As the config file would be read: JSON.parse keeps "__proto__" as an own key.
  const config = JSON.parse(`{
    "labels": { "__proto__": "fixed" },
    "relabel_rules": [
      { "source_labels": ["__proto__"], "target_label": "from_proto" },
      { "source_labels": ["constructor"], "target_label": "from_constructor" }
    ],
    "external_labels": { "__proto__": "ext", "hasOwnProperty": "x", "10": "ten" }
  }`);
  const headers = JSON.parse('{ "__proto__": "h" }');
  const { loki, relay, deliver, stop } = await startHarness({ config, endpoints: [{ headers }] });
  try {
    const res = await pushProto(relay, [{
      labels: '{__proto__="sent", constructor="c", toString="t", app="a"}',
      entries: [{ timestamp: { seconds: 1, nanos: 0 }, line: "x" }],
    }]);
    assert.equal(res.status, 204);
    await deliver();
    const got = loki.received[0];
    assert.equal(
      got.streams[0].labels,
      '{"10"="ten", __proto__="ext", app="a", constructor="c", from_constructor="c", ' +
        'from_proto="fixed", hasOwnProperty="x", toString="t"}',
    );
    const at = got.rawHeaders.findIndex((h) => h.toLowerCase() === "__proto__");
    assert.equal(got.rawHeaders[at + 1], "h", `a __proto__ header in ${got.rawHeaders}`);
  } finally {
    await stop();
  }
});

test("the resolver keeps __proto__ for relabel rules and removes it with the other __ labels", () => {
  const rules = compileRules([{ source_labels: ["__proto__"], target_label: "p" }]);
  const resolve = createStreamResolver({
    labels: JSON.parse('{"__proto__": "fixed", "constructor": "k"}'),
    relabel: (labels) => relabel(labels, rules),
  });
  const r = resolve('{__proto__="sent", app="a"}');
  assert.deepEqual(r, {
    kind: "ok",
    labels: { app: "a", constructor: "k", p: "fixed" },
    key: '{app="a", constructor="k", p="fixed"}',
  });
  const alone = resolve('{__proto__="only"}');
  assert.deepEqual(alone, {
    kind: "ok",
    labels: { constructor: "k", p: "fixed" },
    key: '{constructor="k", p="fixed"}',
  });
});

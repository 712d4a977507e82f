// The stdout sink writes what a client sent without passing it through a JS object: metadata in
// order with repeated names, `__proto__` as a name like any other, labels in the stream key's order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRelay } from "../../src/relay.ts";
import { captureRelay, flatEntries } from "../helpers/capture_sink.ts";
import { encodeRefSnappy } from "../helpers/reference_proto.ts";
import { JSON_HEADERS, post } from "../helpers/push.ts";

function stdoutRelay() {
  const lines: string[] = [];
  const relay = createRelay({ use_incoming_timestamp: true }, { stdout: (t) => lines.push(t) });
  return { relay, lines };
}

test("structured metadata is written pair by pair: order, repeated names and __proto__ kept", async () => {
  const { relay, lines } = stdoutRelay();
  const body = '{"streams":[{"stream":{"app":"a"},"values":[["7","l",' +
    '{"b":"1","2":"x","__proto__":"p","b":"3","constructor":"c"}]]}]}';
  assert.equal((await post(relay, body, JSON_HEADERS)).status, 204);
  assert.equal(
    lines.join(""),
    '{"stream":{"app":"a"},"values":[["7","l",' +
      '{"b":"1","2":"x","__proto__":"p","b":"3","constructor":"c"}]]}\n',
  );
  await relay.close();
});

test("labels are written in the stream key's byte order, integer-like names included", async () => {
  const { relay, lines } = stdoutRelay();
  const body = encodeRefSnappy([{
    labels: '{app="a", "9"="nine", "10"="ten", "__x"="dropped"}',
    entries: [{ timestamp: { seconds: 1, nanos: 5 }, line: "x" }],
  }]);
  assert.equal((await post(relay, body, { "x-scope-orgid": "t" })).status, 204);
  assert.equal(
    lines.join(""),
    '{"stream":{"10":"ten","9":"nine","app":"a"},"values":[["1000000005","x"]],"tenant":"t"}\n',
  );
  await relay.close();
});

test("a line the stdout sink wrote, pushed back, gives the same entry", async () => {
  const { relay, lines } = stdoutRelay();
  const body = '{"streams":[{"stream":{"app":"a","n":"1"},"values":[["1700000000000000001",' +
    '"line \\"q\\" ü",{"k":"1","k":"2","__proto__":"p"}]]}]}';
  assert.equal((await post(relay, body, JSON_HEADERS)).status, 204);
  const again = captureRelay({ use_incoming_timestamp: true });
  const res = await post(again.relay, `{"streams":[${lines[0]}]}`, JSON_HEADERS);
  assert.equal(res.status, 204);
  assert.deepEqual(flatEntries(again.sink), [{
    tenant: undefined,
    labels: { app: "a", n: "1" },
    seconds: 1700000000,
    nanos: 1,
    line: 'line "q" ü',
    metadata: [
      { name: "k", value: "1" },
      { name: "k", value: "2" },
      { name: "__proto__", value: "p" },
    ],
  }]);
  await relay.close();
  await again.relay.close();
});

// relay.reload(): settings swap in place; a changed writer drains what it holds to the old Loki.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRelay } from "../../src/relay.ts";
import { startFakeLoki } from "../helpers/fake_loki.ts";

const raw = (relay: { fetch(r: Request): Promise<Response> }, line: string) =>
  relay.fetch(new Request("http://relay/loki/api/v1/raw", { method: "POST", body: line }));

test("reload() swaps labels and writer; the old writer still delivers what it held", async () => {
  const oldLoki = await startFakeLoki();
  const newLoki = await startFakeLoki();
  const relay = createRelay({
    labels: { v: "1" },
    forward_to: [{ url: oldLoki.url, batch_wait: "1h" }],
  });
  try {
    assert.equal((await raw(relay, "before")).status, 204);
    const bad = relay.reload({ labels: { v: 2 } } as never);
    assert.deepEqual(bad, { ok: false, errors: ["labels.v: expected string, got 2"] });
    assert.deepEqual(
      relay.reload({ labels: { v: "2" }, forward_to: [{ url: newLoki.url, batch_wait: "1h" }] }),
      { ok: true },
    );
    // The old writer drains in the background: its entry reaches the old Loki.
    await oldLoki.waitFor(() => oldLoki.lines().length === 1);
    assert.deepEqual(oldLoki.lines(), ['|{v="1"}|before']);
    assert.equal((await raw(relay, "after")).status, 204);
    await relay.close();
    assert.deepEqual(newLoki.lines(), ['|{v="2"}|after']);
  } finally {
    await relay.close();
    await oldLoki.close();
    await newLoki.close();
  }
});

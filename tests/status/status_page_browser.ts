/// <reference lib="dom" />
// The status page in a real browser: headless Chromium (Debian's `chromium`) driven by
// playwright-core, against a real relay process (the executable when LOKIRELAY_BIN is set) that
// forwards to a fake Loki. Known traffic is pushed; the test reads the numbers the page shows, the
// refusal a client got, and the live tail, then saves a screenshot.
//
// Not picked up by `deno test tests/` or `bun test ./tests/` (its name does not end in _test): CI
// runs it once, on Bun (`node .ci/test.mjs browser`). Run it alone with
//   ./node_modules/.bin/bun test --timeout 60000 ./tests/status/status_page_browser.ts
// Screenshot: $LOKIRELAY_SCREENSHOT (default /tmp/lokirelay-status-page.png); with
// LOKIRELAY_UPDATE_SCREENSHOT=1 it also refreshes src/status/status_page.png (the README's).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type Child, startRelay } from "../helpers/spawn_relay.ts";
import { type FakeLoki, startFakeLoki } from "../helpers/fake_loki.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = process.env.LOKIRELAY_SCREENSHOT ?? join(tmpdir(), "lokirelay-status-page.png");
const README_PNG = new URL("../../src/status/status_page.png", import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), "lokirelay-browser-"));
let loki: FakeLoki;
let relay: Child;
let browser: BrowserContext;
let page: Page;
let base: string;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  loki = await startFakeLoki();
  const config = join(dir, "relay.json");
  writeFileSync(
    config,
    JSON.stringify({
      http: { listen_address: "127.0.0.1", listen_port: 0 },
      labels: { job: "checkout" },
      forward_to: [{ url: loki.url, name: "loki-main", batch_wait: "100ms" }],
    }),
  );
  relay = startRelay(["--config", config]);
  const [, port] = await relay.waitFor(/msg=listening .*addr=127\.0\.0\.1:(\d+)/);
  base = `http://127.0.0.1:${port}`;
  // A new, empty profile for every run keeps runs independent.
  browser = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    // Without the networking flags Chromium keeps calling home, which a closed network answers
    // with nothing but delays.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  relay?.kill();
  await relay?.exited;
  await loki?.close();
  rmSync(dir, { recursive: true, force: true });
});

function push(tenant: string, app: string, lines: string[]): Promise<Response> {
  return fetch(`${base}/loki/api/v1/push`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-scope-orgid": tenant },
    body: JSON.stringify({
      streams: [{ stream: { app }, values: lines.map((l) => [String(Date.now() * 1e6), l]) }],
    }),
  });
}

/** Waits until `selector`'s text is `want`, or fails naming what the page shows instead. */
async function shows(selector: string, want: string | RegExp): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, source, flags]) => {
        const text = document.querySelector(sel)?.textContent ?? "";
        return new RegExp(source, flags).test(text);
      },
      typeof want === "string"
        ? [selector, `^${want.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, ""]
        : [selector, want.source, want.flags],
      { timeout: 15_000 },
    );
  } catch {
    const text = await page.locator(selector).first().textContent().catch(() => null);
    assert.fail(`${selector} shows ${JSON.stringify(text)}, expected ${want}`);
  }
}

test("the page shows per-tenant numbers, the endpoint, a client's refusal and the live tail", async () => {
  await page.goto(`${base}/`);
  await shows("#tail-state", /^following/);
  // Known traffic over about four seconds, so the charts have a shape: team-a 20 pushes of 3
  // lines, team-b 10 pushes of 2 lines.
  let sent = 0;
  for (let i = 0; i < 20; i++) {
    const r = await push("team-a", "api", [`GET /cart ${i} 200`, `GET /pay ${i} 200`, `db ${i}`]);
    assert.equal(r.status, 204);
    sent += 3;
    if (i % 2 === 0) {
      assert.equal((await push("team-b", "worker", [`job ${i} done`, `job ${i} ack`])).status, 204);
      sent += 2;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const refused = await fetch(`${base}/loki/api/v1/push`, {
    method: "POST",
    headers: { "content-encoding": "br" },
    body: "x",
  });
  assert.equal(refused.status, 400);
  await loki.waitFor(() => loki.lines().length === sent, 10_000);

  await shows('[data-tenant="team-a"] [data-field="entries_total"]', "60");
  await shows('[data-tenant="team-b"] [data-field="entries_total"]', "20");
  await shows('[data-host="loki-main"] [data-field="dropped"]', "none");
  await shows("#client-errors", /400 loki_api_v1_push: Content-Encoding "br" not supported/);
  await shows("#in-total", /^80 entries, /);
  await shows("#verdict", /^Logs are flowing: /);
  await shows("#reload", /^loaded /);
  // The tail follows {} from the start: the last pushed line is on the page.
  await shows("#tail-lines", /GET \/cart 19 200/);

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  if (process.env.LOKIRELAY_UPDATE_SCREENSHOT === "1") copyFileSync(SCREENSHOT, README_PNG);
  process.stdout.write(`screenshot: ${SCREENSHOT}\n`);
});

test("the tail follows a label matcher typed into the page", async () => {
  await page.fill("#tail-match", '{app="worker"}');
  await page.click("#tail-start");
  await shows("#tail-state", 'following {app="worker"}');
  await page.evaluate(() => document.getElementById("tail-lines")!.replaceChildren());
  await push("team-a", "api", ["api line not shown"]);
  await push("team-b", "worker", ["worker line shown"]);
  await shows("#tail-lines", /worker line shown/);
  const text = await page.textContent("#tail-lines");
  assert.doesNotMatch(text ?? "", /api line not shown/);
});

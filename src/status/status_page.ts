/**
 * The status page served on `GET /`: one self-contained HTML document (inline CSS, script and SVG
 * charts; no build step, no external asset, so it works on an air-gapped VM). It polls `status`
 * every two seconds and reads the live tail from `tail` with `EventSource`, both relative to the
 * page, so it also works when the relay is mounted under a path prefix. Every value from the
 * relay is put in the page as text (`textContent`), never as HTML: log lines cannot inject markup.
 *
 * @module
 */
import { HISTORY_SECONDS } from "./status_sampler.ts";

/**
 * The page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STATUS_PAGE_HTML } from "./status_page.ts";
 *
 * assert.match(STATUS_PAGE_HTML, /^<!doctype html>/);
 * assert.doesNotMatch(STATUS_PAGE_HTML, /<(script|link|img)[^>]+(src|href)="(?!data:)/);
 * assert.doesNotMatch(STATUS_PAGE_HTML, /innerHTML/);
 * ```
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lokirelay status</title>
<link rel="icon" href="data:,">
<style>
  :root { --fg: #1d2430; --muted: #5b6675; --line: #d9dee5; --bg: #f6f7f9; --card: #fff;
    --ok: #1a7f37; --warn: #9a6700; --bad: #c0262d; --accent: #2f6fdb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
    color: var(--fg); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline;
    padding: 14px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
  header h1 { font-size: 20px; margin: 0; }
  header .meta { color: var(--muted); }
  main { padding: 16px 24px 40px; display: grid; gap: 16px; max-width: 1400px; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
    padding: 14px 18px; }
  h2 { font-size: 16px; margin: 0 0 10px; }
  .verdict { font-size: 18px; font-weight: 600; }
  .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 12px; }
  .tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
  .tile .label { color: var(--muted); font-size: 13px; }
  .tile .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 6px 10px 6px 0; border-bottom: 1px solid var(--line);
    vertical-align: middle; }
  th { color: var(--muted); font-weight: 500; font-size: 13px; }
  td.num, th.num { text-align: right; }
  svg.spark { width: 220px; height: 36px; display: block; }
  svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
  svg.spark.big { width: 100%; height: 60px; }
  .bar { width: 140px; height: 10px; background: #e8ebef; border-radius: 5px; overflow: hidden; }
  .bar > div { height: 100%; background: var(--ok); }
  .empty { color: var(--muted); }
  .events { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 260px;
    overflow: auto; margin: 0; padding: 0; list-style: none; }
  .events li { padding: 3px 0; border-bottom: 1px dashed var(--line); word-break: break-all; }
  .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
  #tail-lines { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; height: 320px;
    overflow: auto; background: #11161d; color: #d8dee9; border-radius: 6px; padding: 8px;
    margin: 8px 0 0; list-style: none; }
  #tail-lines li { white-space: pre-wrap; word-break: break-all; }
  #tail-lines .t { color: #8fa1b3; } #tail-lines .l { color: #a3be8c; }
  input[type=text] { font: 14px ui-monospace, monospace; padding: 5px 8px; width: 340px;
    border: 1px solid var(--line); border-radius: 4px; }
  button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 4px;
    background: var(--card); cursor: pointer; }
</style>
</head>
<body>
<header>
  <h1>lokirelay</h1>
  <span class="meta">version <b id="version">…</b></span>
  <span class="meta">up <b id="uptime">…</b></span>
  <span class="meta">config <b id="reload">…</b></span>
  <span class="meta" id="updated">connecting…</span>
</header>
<main>
  <section>
    <div class="verdict" id="verdict">Loading…</div>
    <div class="tiles" style="margin-top:10px">
      <div class="tile"><div class="label">received entries/s (last 10 s)</div>
        <div class="value" id="in-eps">–</div><svg class="spark big" id="in-chart"></svg></div>
      <div class="tile"><div class="label">received bytes/s</div>
        <div class="value" id="in-bps">–</div><div class="label" id="in-total"></div></div>
      <div class="tile"><div class="label">requests answered (push + raw)</div>
        <div class="value" id="responses">–</div><div class="label" id="skipped"></div></div>
    </div>
  </section>
  <section>
    <h2>Tenants (received; charts: entries/s over the last 5 minutes)</h2>
    <table><thead><tr><th>tenant</th><th class="num">entries/s</th><th class="num">bytes/s</th>
      <th class="num">entries</th><th class="num">bytes</th><th>last 5 min</th></tr></thead>
      <tbody id="tenants"></tbody></table>
  </section>
  <section>
    <h2>Loki endpoints (sent)</h2>
    <table><thead><tr><th>endpoint</th><th class="num">entries/s</th><th class="num">bytes/s</th>
      <th>queue</th><th class="num">retries</th><th>dropped</th><th class="num">429s to clients</th>
      <th>last 5 min</th></tr></thead><tbody id="endpoints"></tbody></table>
  </section>
  <div class="cols">
    <section><h2>Last errors from Loki</h2><ul class="events" id="loki-errors"></ul></section>
    <section><h2>Last refusals to clients</h2><ul class="events" id="client-errors"></ul></section>
  </div>
  <section>
    <h2>Live tail</h2>
    <form id="tail-form">
      <input type="text" id="tail-match" value="{}" aria-label="label matcher"
        placeholder='{app="api"}'>
      <button type="submit" id="tail-start">Follow</button>
      <button type="button" id="tail-stop">Stop</button>
      <span class="meta" id="tail-state">stopped</span>
    </form>
    <ul id="tail-lines"></ul>
  </section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const HISTORY = ${HISTORY_SECONDS};
const fmt = (n) => n >= 100 || n === 0 ? Math.round(n).toLocaleString("en-US")
  : n.toLocaleString("en-US", { maximumFractionDigits: 1 });
const bytes = (n) => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? Math.round(n) : n.toFixed(1)) + " " + units[i];
};
const ago = (seconds) => {
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600),
    m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m ? m + "m " + s + "s" : s + "s";
};
function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}
function spark(svg, values) {
  const NS = "http://www.w3.org/2000/svg";
  svg.setAttribute("viewBox", "0 0 300 40");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.replaceChildren();
  if (values.length < 2) return;
  const max = Math.max(1, ...values);
  // A fixed time axis: the last HISTORY seconds, the newest at the right edge.
  const step = 300 / (HISTORY - 1), start = HISTORY - values.length;
  const line = document.createElementNS(NS, "polyline");
  line.setAttribute("points", values.map((v, i) =>
    ((start + i) * step).toFixed(1) + "," + (38 - v / max * 36).toFixed(1)).join(" "));
  const title = document.createElementNS(NS, "title");
  title.textContent = "max " + fmt(max) + "/s";
  svg.append(title, line);
}
function sparkCell(values) {
  const td = el("td");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "spark");
  spark(svg, values);
  td.append(svg);
  return td;
}
function eventLine(e, describe) {
  const li = el("li");
  li.append(el("span", new Date(e.time).toLocaleTimeString() + " ", { class: e.level }));
  li.append(document.createTextNode(describe(e)));
  return li;
}
function renderEvents(list, items, describe) {
  list.replaceChildren(...(items.length ? items.map((e) => eventLine(e, describe))
    : [el("li", "none since start", { class: "empty" })]));
}
function render(s) {
  $("version").textContent = s.version + (s.runtime ? " (" + s.runtime + ")" : "");
  $("uptime").textContent = ago(s.uptime_seconds);
  const reload = s.reload.ok === false ? "last reload FAILED" : s.reload.last_success
    ? "loaded " + new Date(s.reload.last_success).toLocaleString() : "loaded at start";
  $("reload").textContent = reload;
  $("reload").className = s.reload.ok === false ? "bad" : "ok";
  $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  $("in-eps").textContent = fmt(s.received.entries.per_second);
  $("in-bps").textContent = bytes(s.received.bytes.per_second) + "/s";
  $("in-total").textContent = fmt(s.received.entries.total) + " entries, " +
    bytes(s.received.bytes.total) + " since start";
  spark($("in-chart"), s.received.entries.history);
  const answered = Object.entries(s.responses).sort();
  $("responses").textContent = answered.length
    ? answered.map(([code, n]) => code + ": " + fmt(n)).join("  ") : "none yet";
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0);
  $("skipped").textContent = skipped.length
    ? "not forwarded: " + skipped.map(([r, n]) => r + " " + fmt(n)).join(", ") : "";

  const dropped = s.endpoints.reduce((n, e) =>
    n + Object.values(e.dropped).reduce((a, b) => a + b, 0), 0);
  const verdict = $("verdict");
  if (s.reload.ok === false) {
    verdict.textContent = "The last config reload failed: the previous config is running.";
    verdict.className = "verdict bad";
  } else if (s.errors.loki.length && s.endpoints.some((e) => e.retries_total > 0 && e.sent.entries.per_second === 0)) {
    verdict.textContent = "Loki is refusing or failing pushes: entries are being retried.";
    verdict.className = "verdict bad";
  } else if (s.received.entries.per_second > 0) {
    verdict.textContent = "Logs are flowing: " + fmt(s.received.entries.per_second) +
      " entries/s in" + (dropped ? ", " + fmt(dropped) + " dropped since start" : "") + ".";
    verdict.className = dropped ? "verdict warn" : "verdict ok";
  } else {
    verdict.textContent = "No entries received in the last 10 seconds.";
    verdict.className = "verdict warn";
  }

  const tenants = $("tenants");
  tenants.replaceChildren(...(s.tenants.length ? s.tenants.map((t) => {
    const tr = el("tr", undefined, { "data-tenant": t.tenant });
    tr.append(el("td", t.tenant === "" ? "(none)" : t.tenant),
      el("td", fmt(t.entries.per_second), { class: "num", "data-field": "entries_per_second" }),
      el("td", bytes(t.bytes.per_second) + "/s", { class: "num" }),
      el("td", fmt(t.entries.total), { class: "num", "data-field": "entries_total" }),
      el("td", bytes(t.bytes.total), { class: "num", "data-field": "bytes_total" }),
      sparkCell(t.entries.history));
    return tr;
  }) : [el("tr").appendChild(el("td", "nothing received yet", { class: "empty", colspan: "6" })).parentNode]));

  const endpoints = $("endpoints");
  endpoints.replaceChildren(...(s.endpoints.length ? s.endpoints.map((e) => {
    const tr = el("tr", undefined, { "data-host": e.host });
    const name = el("td");
    name.append(el("b", e.host), el("br"), el("span", e.url, { class: "meta" }));
    const fill = e.queue.capacity ? e.queue.bytes / e.queue.capacity : 0;
    const queue = el("td", undefined, { "data-field": "queue" });
    const bar = el("div", undefined, { class: "bar", title: bytes(e.queue.bytes) + " of " + bytes(e.queue.capacity) });
    const inner = el("div");
    inner.style.width = Math.min(100, fill * 100).toFixed(1) + "%";
    inner.style.background = fill > 0.8 ? "var(--bad)" : fill > 0.5 ? "var(--warn)" : "var(--ok)";
    bar.append(inner);
    queue.append(bar, el("span", bytes(e.queue.bytes) + " / " + bytes(e.queue.capacity), { class: "meta" }));
    const drops = Object.entries(e.dropped).filter(([, n]) => n > 0);
    tr.append(name,
      el("td", fmt(e.sent.entries.per_second), { class: "num", "data-field": "entries_per_second" }),
      el("td", bytes(e.sent.bytes.per_second) + "/s", { class: "num" }),
      queue,
      el("td", fmt(e.retries_total), { class: "num", "data-field": "retries_total" }),
      el("td", drops.length ? drops.map(([r, n]) => r + ": " + fmt(n)).join(", ") : "none",
        { "data-field": "dropped", class: drops.length ? "bad" : "" }),
      el("td", fmt(e.refused_pushes_total), { class: "num" }),
      sparkCell(e.sent.entries.history));
    return tr;
  }) : [el("tr").appendChild(el("td", "no forward_to: entries go to stdout", { class: "empty", colspan: "8" })).parentNode]));

  renderEvents($("loki-errors"), s.errors.loki, (e) =>
    e.fields.endpoint + ": " + e.msg + (e.fields.status !== undefined ? " (status " + e.fields.status + ")" : "") +
    (e.fields.reason ? " [" + e.fields.reason + "]" : "") + (e.fields.error ? ": " + e.fields.error : ""));
  renderEvents($("client-errors"), s.errors.clients, (e) =>
    (e.fields.status !== undefined ? e.fields.status + " " : "") + (e.fields.route || "") + ": " +
    (e.fields.reason || e.fields.error || e.msg));
}
async function poll() {
  try {
    const res = await fetch("status", { cache: "no-store" });
    if (!res.ok) throw new Error("status " + res.status);
    render(await res.json());
  } catch (err) {
    $("updated").textContent = "cannot reach the relay (" + err.message + "), retrying";
    $("updated").className = "bad";
    return;
  }
  $("updated").className = "meta";
}
poll();
setInterval(poll, 2000);

let source = null;
const MAX_LINES = 500;
function stopTail(state) {
  if (source) source.close();
  source = null;
  $("tail-state").textContent = state || "stopped";
}
function startTail(event) {
  if (event) event.preventDefault();
  stopTail();
  const match = $("tail-match").value.trim();
  const lines = $("tail-lines");
  source = new EventSource("tail?match=" + encodeURIComponent(match));
  $("tail-state").textContent = "following " + (match || "{}");
  source.addEventListener("entry", (m) => {
    const e = JSON.parse(m.data);
    const li = el("li");
    const labels = Object.entries(e.labels).map(([k, v]) => k + "=" + JSON.stringify(v)).join(", ");
    li.append(el("span", e.time.slice(11, 23) + " ", { class: "t" }),
      el("span", "{" + labels + "}" + (e.tenant ? " [" + e.tenant + "]" : "") + " ", { class: "l" }),
      document.createTextNode(e.line));
    const atBottom = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 4;
    lines.append(li);
    while (lines.childElementCount > MAX_LINES) lines.firstElementChild.remove();
    if (atBottom) lines.scrollTop = lines.scrollHeight;
  });
  source.addEventListener("dropped", (m) => {
    const d = JSON.parse(m.data);
    $("tail-state").textContent = "following " + (match || "{}") + " (not shown: " +
      d.rate_limited + " over the rate limit, " + d.slow_client + " while this page was slow)";
  });
  source.onerror = () => {
    if (source && source.readyState === EventSource.CLOSED) stopTail("tail refused (see the relay's log)");
  };
}
$("tail-form").addEventListener("submit", startTail);
$("tail-stop").addEventListener("click", () => stopTail());
startTail();
</script>
</body>
</html>
`;

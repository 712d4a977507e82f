/**
 * The sink used when no `forward_to` is configured: every entry becomes one JSON line, shaped so
 * it could be pushed to Loki's JSON API again.
 *
 * @module
 */
import type { Accepted, LabelPair, Labels, Sink } from "../types.ts";
import { toNanoString } from "../codec/timestamp.ts";
import { compareBytes } from "../labels/format_labels.ts";

/**
 * Creates a sink that writes each entry as
 * `{"stream":{…},"values":[["<unix ns>","<line>",{<metadata>}]],"tenant":"t"}`
 * (`tenant` only when there is one, the metadata only when there is some). Labels are written in
 * the order of the stream's key (names sorted by bytes); structured metadata pairs in the order
 * they came, a repeated name repeated (`{"k":"1","k":"2"}`: Alloy reads such an object in a push
 * pair by pair), so that the line pushed back to Loki's JSON API gives the same entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createStdoutSink } from "./stdout_sink.ts";
 *
 * const out: string[] = [];
 * const sink = createStdoutSink((text) => out.push(text));
 * sink.offer({
 *   tenant: "t1",
 *   entryCount: 1,
 *   byteSize: 2,
 *   queuedBytes: 300,
 *   streams: [{ labels: { app: "a" }, key: '{app="a"}', entries: [{ seconds: 1, nanos: 2, line: "hi" }] }],
 * });
 * assert.equal(out.join(""), '{"stream":{"app":"a"},"values":[["1000000002","hi"]],"tenant":"t1"}\n');
 *
 * out.length = 0;
 * const metadata = [{ name: "k", value: "1" }, { name: "k", value: "2" }];
 * sink.offer({
 *   entryCount: 1,
 *   byteSize: 6,
 *   queuedBytes: 300,
 *   streams: [{ labels: { b: "2", a: "1" }, key: '{a="1", b="2"}', entries: [{ seconds: 1, nanos: 0, line: "x", metadata }] }],
 * });
 * assert.equal(out.join(""), '{"stream":{"a":"1","b":"2"},"values":[["1000000000","x",{"k":"1","k":"2"}]]}\n');
 * ```
 */
export function createStdoutSink(write: (text: string) => void): Sink {
  let closed = false;
  return {
    offer(accepted: Accepted) {
      if (closed) return { status: "closed" };
      let text = "";
      for (const stream of accepted.streams) {
        const owner = stream.tenant ?? accepted.tenant;
        const tenant = owner === undefined ? "" : `,"tenant":${JSON.stringify(owner)}`;
        const head = `{"stream":${labelsObject(stream.labels)},"values":[[`;
        for (const e of stream.entries) {
          text += `${head}"${toNanoString(e.seconds, e.nanos)}",${JSON.stringify(e.line)}`;
          const metadata = e.metadata;
          if (metadata && metadata.length > 0) text += `,${pairsObject(metadata)}`;
          text += `]]${tenant}}\n`;
        }
      }
      write(text);
      return { status: "ok" };
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

/** Labels as a JSON object, names in byte order (a JS object would put `"10"` before `"app"`). */
function labelsObject(labels: Labels): string {
  const names = Object.keys(labels).sort(compareBytes);
  let out = "{";
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ",";
    out += `${JSON.stringify(names[i])}:${JSON.stringify(labels[names[i]])}`;
  }
  return out + "}";
}

/** Pairs as a JSON object written pair by pair: order and repeated names kept. */
function pairsObject(pairs: LabelPair[]): string {
  let out = "{";
  for (let i = 0; i < pairs.length; i++) {
    if (i > 0) out += ",";
    out += `${JSON.stringify(pairs[i].name)}:${JSON.stringify(pairs[i].value)}`;
  }
  return out + "}";
}

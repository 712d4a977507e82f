/**
 * The sink used when no `forward_to` is configured: every entry becomes one JSON line, shaped so
 * it could be pushed to Loki's JSON API again.
 *
 * @module
 */
import type { Accepted, Sink } from "../types.ts";
import { toNanoString } from "../codec/timestamp.ts";

/**
 * Creates a sink that writes each entry as
 * `{"stream":{…},"values":[["<unix ns>","<line>",{<metadata>}]],"tenant":"t"}`
 * (`tenant` only when there is one, the metadata only when there is some).
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
 * ```
 */
export function createStdoutSink(write: (text: string) => void): Sink {
  let closed = false;
  return {
    offer(accepted: Accepted) {
      if (closed) return { status: "closed" };
      const tenant = accepted.tenant === undefined
        ? ""
        : `,"tenant":${JSON.stringify(accepted.tenant)}`;
      let text = "";
      for (const stream of accepted.streams) {
        const head = `{"stream":${JSON.stringify(stream.labels)},"values":[[`;
        for (const e of stream.entries) {
          text += `${head}"${toNanoString(e.seconds, e.nanos)}",${JSON.stringify(e.line)}`;
          if (e.metadata && e.metadata.length > 0) {
            const md: Record<string, string> = {};
            for (const p of e.metadata) md[p.name] = p.value;
            text += `,${JSON.stringify(md)}`;
          }
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

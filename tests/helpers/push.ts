// The one way tests build and send requests to a relay: raw bodies, JSON pushes of lines or of
// many streams, snappy protobuf pushes (encoded by protobufjs reflection, not the project's codec).
import { encodeRefSnappy, type RefStream } from "./reference_proto.ts";

/** Anything with the relay's `fetch`. */
export interface Fetcher {
  fetch(request: Request): Promise<Response>;
}

export const JSON_HEADERS = { "content-type": "application/json" };

/** A JSON push body of these streams. */
export const jsonBody = (streams: unknown[]) => JSON.stringify({ streams });

/** POSTs `body` to `path` (the push endpoint by default). */
export function post(
  relay: Fetcher,
  body: BodyInit | Uint8Array,
  headers: Record<string, string> = {},
  path = "/loki/api/v1/push",
): Promise<Response> {
  return relay.fetch(
    new Request(`http://relay${path}`, { method: "POST", headers, body: body as BodyInit }),
  );
}

/** POSTs a streamed body (the relay reads it as it arrives). */
export function postStream(
  relay: Fetcher,
  body: ReadableStream<Uint8Array>,
  path = "/loki/api/v1/push",
): Promise<Response> {
  return relay.fetch(
    new Request(`http://relay${path}`, {
      method: "POST",
      body,
      // @ts-ignore: needed for a streamed body
      duplex: "half",
    }),
  );
}

/** The nanosecond timestamp of the i-th line of {@link pushLines}. */
export const lineTimestamp = (i: number) => `1795500000${String(i).padStart(9, "0")}`;

/** Pushes `lines` as one JSON stream (`{app="a"}` unless `labels`), each 1 ns after the last. */
export function pushLines(
  relay: Fetcher,
  lines: string[],
  opts: { tenant?: string; labels?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (opts.tenant) headers["x-scope-orgid"] = opts.tenant;
  return post(
    relay,
    jsonBody([{
      stream: opts.labels ?? { app: "a" },
      values: lines.map((l, i) => [lineTimestamp(i), l]),
    }]),
    headers,
  );
}

/** Pushes `streams` JSON streams `{app="app-<s>"}` of `perStream` lines `<s>:<i>` each. */
export function pushStreams(relay: Fetcher, streams: number, perStream: number) {
  return post(
    relay,
    jsonBody(Array.from({ length: streams }, (_, s) => ({
      stream: { app: `app-${s}` },
      values: Array.from({ length: perStream }, (_, i) => [String(1795500000e9 + i), `${s}:${i}`]),
    }))),
    JSON_HEADERS,
  );
}

/** Pushes streams as snappy protobuf, as Loki clients do. */
export function pushProto(
  relay: Fetcher,
  streams: RefStream[],
  headers: Record<string, string> = {},
): Promise<Response> {
  return post(relay, encodeRefSnappy(streams), headers);
}

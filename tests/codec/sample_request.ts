// A push request with every kind of entry the codec tests round-trip.
import type { PushRequest } from "../../src/types.ts";

export const SAMPLE: PushRequest = {
  streams: [
    {
      labels: '{app="a", env="prod"}',
      entries: [
        { seconds: 1700000000, nanos: 123456789, line: "first line" },
        {
          seconds: 1700000001,
          nanos: 0,
          line: "with metadata ü 😀",
          metadata: [{ name: "trace_id", value: "0af7651916cd43dd" }, { name: "empty", value: "" }],
        },
        { seconds: -62135596800, nanos: 0, line: "" },
        { seconds: -1, nanos: 999999999, line: "x".repeat(70_000) },
      ],
    },
    { labels: "{}", entries: [] },
  ],
};

/** Entries decoded from protobuf are read through getters: compare their plain form. */
export function plain(req: PushRequest): PushRequest {
  return JSON.parse(JSON.stringify(req));
}

// An independent codec for Loki's push protobuf: protobufjs reflection from the .proto text, so
// tests never check the project's hand-written codec against itself.
import protobuf from "protobufjs";
import { compress, uncompress } from "snappyjs";

const PROTO = `
syntax = "proto3";
package logproto;
import "google/protobuf/timestamp.proto";
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter {
  google.protobuf.Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
  repeated LabelPairAdapter parsed = 4;
}
message LabelPairAdapter { string name = 1; string value = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
root.addJSON(protobuf.common.get("google/protobuf/timestamp.proto")!.nested!);
const PushRequest = root.lookupType("logproto.PushRequest");

export interface RefEntry {
  timestamp?: { seconds?: number | string; nanos?: number };
  line?: string;
  structuredMetadata?: { name: string; value: string }[];
}
export interface RefStream {
  labels: string;
  entries: RefEntry[];
  hash?: number;
}

/** Encodes a push request with reflection (no snappy). */
export function encodeRef(streams: RefStream[]): Uint8Array {
  return PushRequest.encode(PushRequest.fromObject({ streams })).finish();
}

/** Encodes and snappy-compresses, as Loki clients send it. */
export function encodeRefSnappy(streams: RefStream[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(compress(encodeRef(streams)));
}

/** Decodes protobuf bytes (no snappy) with reflection into plain objects (int64 as strings). */
export function decodeRef(bytes: Uint8Array): { streams?: RefStream[] } {
  return PushRequest.toObject(PushRequest.decode(bytes), { longs: String, defaults: false }) as {
    streams?: RefStream[];
  };
}

/** Undoes snappy, then decodes with reflection. */
export function decodeRefSnappy(bytes: Uint8Array): { streams?: RefStream[] } {
  return decodeRef(uncompress(bytes));
}

// RFC 3339 times as Go's time.Time.UnmarshalJSON reads them. Expected values: what Go returns for
// each input (checked by running Go 1.19 on all of them, and on 3000 random mutations of a valid
// time); the rows marked "current Go" follow the time zone offset range check newer Go has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Instant, parseRfc3339 } from "../../src/codec/rfc3339.ts";

const cases: [string, Instant | undefined][] = [
  ["2018-12-18T08:28:06.801064-04:00", { seconds: 1545136086, nanos: 801064000 }],
  ["1970-01-01T0:00:01,5Z", { seconds: 1, nanos: 500000000 }],
  ["2018-02-30T00:00:00Z", undefined],
  ["2016-02-29T23:59:59Z", { seconds: 1456790399, nanos: 0 }],
  ["1900-02-29T00:00:00Z", undefined],
  ["2000-02-29T00:00:00Z", { seconds: 951782400, nanos: 0 }],
  ["2018-12-18T24:00:00Z", undefined],
  ["2018-12-18T23:59:60Z", undefined],
  ["2018-12-18T08:28:06+24:00", { seconds: 1545035286, nanos: 0 }],
  ["2018-12-18T08:28:06+24:60", { seconds: 1545031686, nanos: 0 }],
  ["2018-12-18T08:28:06+25:00", undefined], // current Go: offsets past 24:00 or :60 are refused (Go 1.19 took them)
  ["2018-12-18T08:28:06+23:61", undefined], // current Go: offsets past 24:00 or :60 are refused (Go 1.19 took them)
  ["2018-12-18t08:28:06Z", undefined],
  ["2018-12-18T08:28:06z", undefined],
  ["2018-12-18T08:28:06", undefined],
  ["2018-12-18T08:28:06.Z", undefined],
  ["2018-12-18T08:28:06.1234567891234Z", { seconds: 1545121686, nanos: 123456789 }],
  ["0000-01-01T00:00:00Z", { seconds: -62167219200, nanos: 0 }],
  ["9999-12-31T23:59:59.999999999Z", { seconds: 253402300799, nanos: 999999999 }],
  ["2018-12-18T08:28:06+0400", undefined],
  ["2018-12-18T8:2:06Z", undefined],
  ["2018-1-18T08:28:06Z", undefined],
  ["+018-12-18T08:28:06Z", undefined],
  ["2024-01-02T03:04:05.678Z", { seconds: 1704164645, nanos: 678000000 }],
  ["2018-12-18T08:28:06 Z", undefined],
  [" 2018-12-18T08:28:06Z", undefined],
  ["2018-12-18T08:28:06Z ", undefined],
  ["2018-12-18T08:28:06-00:00", { seconds: 1545121686, nanos: 0 }],
  ["2018-12-18T08:28:06+00:30", { seconds: 1545119886, nanos: 0 }],
  ["2018-12-18T08:28:06.5+01:00", { seconds: 1545118086, nanos: 500000000 }],
  ["1969-12-31T23:59:59.999999999Z", { seconds: -1, nanos: 999999999 }],
  ["2018-12-18T08:28:06,Z", undefined],
  ["2018-12-18T08:28:06.1,2Z", undefined],
  ["2018-12-18T08:28:06Z+01:00", undefined],
  ["2018-12-18T08:28:06+01:00Z", undefined],
  ["2018-12-18T08:28:06+1:00", undefined],
  ["2018-12-18T08:28:06+01:0", undefined],
];

for (const [input, expected] of cases) {
  test(`parseRfc3339(${JSON.stringify(input)})`, () => {
    assert.deepEqual(parseRfc3339(input), expected);
  });
}

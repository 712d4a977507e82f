// JSON-structural mutations of a push body's text: unbalanced and deep brackets, huge and
// malformed numbers, bad escapes and lone surrogates, duplicate and re-cased keys, values of the
// wrong type, a byte order mark, trailing garbage. They work on the text, found by a lenient scan,
// so they still apply to a body an earlier mutation already broke.
import type { Prng } from "./prng.ts";

/** Where the strings, numbers and brackets of a JSON text are (lenient: any text scans). */
interface Spots {
  strings: [number, number][];
  numbers: [number, number][];
  brackets: number[];
}

function scan(text: string): Spots {
  const spots: Spots = { strings: [], numbers: [], brackets: [] };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      spots.strings.push([i, Math.min(j + 1, text.length)]);
      i = j + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j])) j++;
      spots.numbers.push([i, j]);
      i = j;
    } else {
      if ("{}[]:,".includes(c)) spots.brackets.push(i);
      i++;
    }
  }
  return spots;
}

const NUMBERS = [
  "1e999999",
  "-1e999999",
  "1.5e-400",
  "123456789012345678901234567890123456789012345678901234567890",
  "-0",
  "0.0",
  "1.",
  ".5",
  "01",
  "1e",
  "--1",
  "+1",
  "NaN",
  "Infinity",
  "0x10",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775809",
];
const TIMESTAMPS = [
  '""',
  '"-"',
  '"-0"',
  '"00"',
  '"+1"',
  '"1 "',
  '"1e9"',
  '"9223372036854775807"',
  '"9223372036854775808"',
  '"-9223372036854775808"',
  '"-9223372036854775809"',
  '"99999999999999999999999"',
  '"\\u0031"',
  "1700000000000000000",
  "null",
];
const ESCAPES = [
  "\\",
  "\\x41",
  "\\u12",
  "\\u12G4",
  "\\uD800",
  "\\uDC00",
  "\\uD800\\u0041",
  "\\uD800\\uDBFF",
  "\\uDBFF\\uDFFF",
  "\\uD83D\\uDE00",
  "\\u0000",
  "\\/",
  "\\'",
  "\\a",
  "\u0000",
  "\u001f",
  "\n",
  "\ud800", // a lone surrogate in the text (UTF-8 encodes it as U+FFFD)
  "\udfff\ud800",
  "\u2028",
  "\uffff",
];
const VALUES = [
  "null",
  "true",
  "false",
  "0",
  "[]",
  "{}",
  '""',
  "[[]]",
  '[["1","x"]]',
  '{"a":"b"}',
  '{"":""}',
  "[null,null]",
  '["1"]',
  '["1","x",{"k":"v"},"extra"]',
  '["1","x",{"k":1}]',
  '["1","x",null]',
];
const KEYS = ['"streams"', '"Streams"', '"STREAMS"', '"stream"', '"values"', '"strea\\u006ds"'];

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function nest(rnd: Prng, inner: string): string {
  const depth = rnd.chance(0.8) ? rnd.range(2, 80) : rnd.range(100, 20000);
  const open = rnd.chance(0.5) ? "[" : '{"a":';
  const close = open === "[" ? "]" : "}";
  const balanced = rnd.chance(0.8);
  return open.repeat(depth) + inner + (balanced ? close.repeat(depth) : "");
}

type JsonMutator = (rnd: Prng, text: string, s: Spots) => string;

const MUTATORS: JsonMutator[] = [
  function dropBracket(rnd, t, s) {
    if (s.brackets.length === 0) return t;
    const at = rnd.pick(s.brackets);
    return splice(t, at, at + 1, "");
  },
  function addBracket(rnd, t) {
    const at = rnd.int(t.length + 1);
    return splice(t, at, at, rnd.pick(["[", "]", "{", "}", ",", ":", '"', ",,", "]]]]"]));
  },
  function deepNesting(rnd, t, s) {
    if (s.strings.length === 0 || rnd.chance(0.2)) return nest(rnd, t);
    const [a, b] = rnd.pick(s.strings);
    return splice(t, a, b, nest(rnd, t.slice(a, b)));
  },
  function hugeNumber(rnd, t, s) {
    const all = [...s.numbers, ...s.strings];
    if (all.length === 0) return t;
    const [a, b] = rnd.pick(all);
    return splice(t, a, b, rnd.pick(NUMBERS));
  },
  function oddTimestamp(rnd, t) {
    // the first element of a values entry
    const at = [...t.matchAll(/\[\s*"(\d*)"/g)];
    if (at.length === 0) return t;
    const m = rnd.pick(at);
    const start = m.index! + m[0].indexOf('"');
    return splice(t, start, start + m[1].length + 2, rnd.pick(TIMESTAMPS));
  },
  function badEscape(rnd, t, s) {
    if (s.strings.length === 0) return t;
    const [a, b] = rnd.pick(s.strings);
    const at = a + 1 + rnd.int(Math.max(1, b - a - 1));
    return splice(t, at, at, rnd.pick(ESCAPES));
  },
  function duplicateKey(rnd, t) {
    const keys = [...t.matchAll(/"(streams|stream|values)"\s*:/gi)];
    if (keys.length === 0) return t;
    const m = rnd.pick(keys);
    const dup = `${m[0]}${rnd.pick(VALUES)},`;
    return splice(t, m.index!, m.index!, dup);
  },
  function recaseKey(rnd, t) {
    const keys = [...t.matchAll(/"(streams|stream|values)"/g)];
    if (keys.length === 0) return t;
    const m = rnd.pick(keys);
    return splice(t, m.index!, m.index! + m[0].length, rnd.pick(KEYS));
  },
  function wrongType(rnd, t, s) {
    const all = [...s.numbers, ...s.strings];
    if (all.length === 0) return t;
    const [a, b] = rnd.pick(all);
    return splice(t, a, b, rnd.pick(VALUES));
  },
  function cutString(rnd, t, s) {
    if (s.strings.length === 0) return t;
    const [, b] = rnd.pick(s.strings);
    return splice(t, b - 1, b, ""); // unterminated
  },
  function garbageAround(rnd, t) {
    const junk = rnd.pick(["\ufeff", " ", "\n", "x", "{}", "null", "\u0000", "]"]);
    return rnd.chance(0.5) ? junk + t : t + junk;
  },
  function truncate(rnd, t) {
    return t.slice(0, rnd.int(t.length + 1));
  },
  function copySpan(rnd, t, s) {
    if (s.brackets.length < 2) return t;
    const a = rnd.pick(s.brackets);
    const b = rnd.pick(s.brackets);
    const at = rnd.pick(s.brackets);
    return splice(t, at, at, t.slice(Math.min(a, b), Math.max(a, b) + 1));
  },
  function manyItems(rnd, t) {
    const m = /"values"\s*:\s*\[/.exec(t);
    if (!m) return t;
    const item = rnd.pick(['["1","x"],', "null,", "[],", '["1700000000000000000",""],']);
    const at = m.index + m[0].length;
    return splice(t, at, at, item.repeat(rnd.range(1, 5000)));
  },
];

/** Applies one to a few JSON-structural mutations to a push body's text. */
export function mutateJson(rnd: Prng, text: string): string {
  let out = text;
  const count = 1 + (rnd.chance(0.7) ? 0 : rnd.size(5));
  for (let i = 0; i < count; i++) {
    out = rnd.pick(MUTATORS)(rnd, out, scan(out));
    if (out.length > 1 << 20) out = out.slice(0, 1 << 20);
  }
  return out;
}

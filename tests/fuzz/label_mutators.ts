// Label strings (`{app="a", env="p\"q"}`) and text: valid seeds in every syntax the parser reads,
// random well-formed label sets, and mutations that break them the ways a client or a bit flip
// can (quotes, escapes, braces, names, huge and many labels, lone surrogates, control characters).
import type { Prng } from "./prng.ts";
import { formatLabels } from "../../src/labels/format_labels.ts";

/** Label strings the parser accepts, one per syntax it knows. */
export const LABEL_SEEDS: readonly string[] = [
  '{app="a"}',
  '{app="a", env="p\\"q"}',
  '{ app = "a" , env = "b" , }',
  "{env='single \\' quote'}",
  "{env=`raw \\n stays`}",
  '{e="\\a\\b\\f\\n\\r\\t\\v\\\\"}',
  '{e="\\u00e9\\U0001F600\\x41\\101"}',
  '{e="日本語", f="😀"}',
  'up{job="x"}',
  "ns:metric:rate5m",
  '{"name.with.dots"="v"}',
  '{"just_a_name"}',
  '{a="", b="x"}',
  '{a="1", a="2"}',
  '{a="1", # comment\n b="2"}',
  '{__name__="m", __meta="x", job="j"}',
  "{}",
  "",
];

const NAMES = ["app", "env", "job", "__name__", "__x", "a_b", "A", "_", "n0", "名前", "a.b", "le"];
const PIECES = [
  "hello",
  "",
  " ",
  "é",
  "日本語",
  "😀",
  '"',
  "'",
  "`",
  "\\",
  "\n",
  "\r\n",
  "\t",
  "\u0000",
  "\u007f",
  "\u2028",
  "\ufffd",
  "\ufeff",
  "\ud800", // lone surrogates
  "\udc00",
  "{",
  "}",
  "=",
  ",",
  "#",
  'level=info msg="quoted"',
];

/** A short random text: words, quotes, escapes, non-ASCII, control characters, surrogates. */
export function randomText(rnd: Prng): string {
  let s = "";
  const n = rnd.size(12);
  for (let i = 0; i < n; i++) {
    s += rnd.chance(0.8)
      ? rnd.pick(PIECES)
      : String.fromCharCode(rnd.chance(0.5) ? rnd.int(128) : rnd.int(0x10000));
  }
  if (rnd.chance(0.02)) s += "x".repeat(rnd.range(1000, 70000));
  return s;
}

/** A random well-formed label string (formatted as the relay formats keys), or a seed. */
export function randomLabels(rnd: Prng): string {
  if (rnd.chance(0.3)) return rnd.pick(LABEL_SEEDS);
  const labels: Record<string, string> = {};
  const n = rnd.chance(0.01) ? rnd.range(100, 3000) : rnd.size(6);
  for (let i = 0; i < n; i++) {
    const name = rnd.chance(0.8) ? rnd.pick(NAMES) : `l${i}_${rnd.int(100)}`;
    labels[name] = rnd.chance(0.7) ? `v${rnd.int(50)}` : randomText(rnd);
  }
  return formatLabels(labels);
}

const INSERTS = [
  "{",
  "}",
  '"',
  "'",
  "`",
  "=",
  "!=",
  "=~",
  ",",
  ",,",
  "#",
  "\\",
  "\\x4",
  "\\u12",
  "\\uD800",
  "\\U0010FFFF",
  "\\U00110000",
  "\\777",
  "\\400",
  "\\08",
  "\\q",
  "\n",
  "\t",
  " ",
  "\u0000",
  "\ud800",
  "😀",
  "-",
  "1",
  ":",
  "__name__",
  '""="x"',
  'a="b"',
];

type LabelMutator = (rnd: Prng, t: string) => string;

const MUTATORS: LabelMutator[] = [
  function insert(rnd, t) {
    const at = rnd.int(t.length + 1);
    return t.slice(0, at) + rnd.pick(INSERTS) + t.slice(at);
  },
  function remove(rnd, t) {
    const at = rnd.int(t.length + 1);
    return t.slice(0, at) + t.slice(at + 1 + rnd.size(4));
  },
  function replaceChar(rnd, t) {
    if (t.length === 0) return t;
    const at = rnd.int(t.length);
    return t.slice(0, at) + String.fromCharCode(rnd.int(0x10000)) + t.slice(at + 1);
  },
  function swapQuotes(rnd, t) {
    const from = rnd.pick(['"', "'", "`"]);
    return t.split(from).join(rnd.pick(['"', "'", "`", ""]));
  },
  function manyPairs(rnd, t) {
    const pairs = Array.from({ length: rnd.range(2, 2000) }, (_, i) => `l${i}="${i}"`);
    return `{${pairs.join(",")}${t.replace(/^\{/, ",")}`;
  },
  function hugeValue(rnd, t) {
    return t.replace(/"([^"\\]*)"/, `"${"v".repeat(rnd.range(100, 100000))}"`);
  },
  function duplicate(rnd, t) {
    const inner = t.replace(/^\{|\}$/g, "");
    return `{${inner},${inner}${rnd.chance(0.5) ? "," : ""}}`;
  },
  function metricName(rnd, t) {
    return rnd.pick(["up", ":", "a:b", "1x", "_", "é", ""]) + t;
  },
  function truncate(rnd, t) {
    return t.slice(0, rnd.int(t.length + 1));
  },
  function nestBraces(rnd, t) {
    const n = rnd.range(1, 1000);
    return "{".repeat(n) + t + "}".repeat(rnd.chance(0.5) ? n : 0);
  },
];

/** Applies one to a few mutations to a label string. */
export function mutateLabels(rnd: Prng, text: string): string {
  let out = text;
  const count = 1 + (rnd.chance(0.6) ? 0 : rnd.size(6));
  for (let i = 0; i < count; i++) out = rnd.pick(MUTATORS)(rnd, out);
  return out;
}

// The Alloy tokenizer and parser: structure, values, line numbers, and every syntax error as a
// value naming line:col and the token.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AlloyExpr,
  isAlloyIdentifier,
  parseAlloy,
  parseAlloyExpression,
  tokenizeAlloy,
} from "../../src/convert/alloy_syntax.ts";

function expr(text: string): AlloyExpr {
  const r = parseAlloyExpression(text);
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.expr;
}

function errorOf(text: string): string {
  const r = parseAlloy(text);
  assert.equal(r.ok, false, `expected a syntax error in ${JSON.stringify(text)}`);
  return r.ok ? "" : r.error.message;
}

test("blocks, labels, nested blocks and attributes keep their lines and columns", () => {
  const text = [
    "// a relay",
    'loki.write "vault" {',
    "  endpoint {",
    '    url = "http://loki.lan:3100/loki/api/v1/push"',
    "  }",
    '  external_labels = { dc = "ams" }',
    "}",
    'logging { level = "warn" }',
    "",
  ].join("\n");
  const r = parseAlloy(text);
  assert.ok(r.ok);
  assert.deepEqual(r.body, [
    {
      kind: "block",
      name: "loki.write",
      label: "vault",
      line: 2,
      col: 1,
      body: [
        {
          kind: "block",
          name: "endpoint",
          label: null,
          line: 3,
          col: 3,
          body: [{
            kind: "attribute",
            name: "url",
            line: 4,
            col: 5,
            value: {
              kind: "string",
              value: "http://loki.lan:3100/loki/api/v1/push",
              raw: false,
              line: 4,
              col: 11,
            },
          }],
        },
        {
          kind: "attribute",
          name: "external_labels",
          line: 6,
          col: 3,
          value: {
            kind: "object",
            line: 6,
            col: 21,
            fields: [{
              key: "dc",
              quoted: false,
              line: 6,
              col: 23,
              value: { kind: "string", value: "ams", raw: false, line: 6, col: 28 },
            }],
          },
        },
      ],
    },
    {
      kind: "block",
      name: "logging",
      label: null,
      line: 8,
      col: 1,
      body: [{
        kind: "attribute",
        name: "level",
        line: 8,
        col: 11,
        value: { kind: "string", value: "warn", raw: false, line: 8, col: 19 },
      }],
    },
  ]);
});

test("an empty file, comments only, a BOM and CRLF line ends parse", () => {
  assert.deepEqual(parseAlloy(""), { ok: true, body: [] });
  assert.deepEqual(parseAlloy("// nothing\n/* at\nall */\n"), { ok: true, body: [] });
  const r = parseAlloy('\uFEFFa = 1\r\nb = "x"\r\n');
  assert.ok(r.ok);
  assert.deepEqual(r.body.map((s) => [s.kind, s.name, s.line]), [
    ["attribute", "a", 1],
    ["attribute", "b", 2],
  ]);
});

test("strings: Go escapes, bytes that form UTF-8, and raw backtick strings", () => {
  assert.deepEqual(expr('"tab\\tnl\\nq\\"bs\\\\"'), {
    kind: "string",
    value: 'tab\tnl\nq"bs\\',
    raw: false,
    line: 1,
    col: 1,
  });
  const s = (t: string) => {
    const e = expr(t);
    return e.kind === "string" ? e.value : undefined;
  };
  assert.equal(s('"\\a\\b\\f\\r\\v"'), "\x07\b\f\r\v");
  assert.equal(s('"\\x41\\102\\u00e9\\U0001F600"'), "ABé😀");
  assert.equal(s('"caf\\xc3\\xa9"'), "café");
  assert.equal(s('"$1 ${2}"'), "$1 ${2}");
  assert.equal(s('`C:\\path "quoted"\r\nline two`'), 'C:\\path "quoted"\nline two');
  assert.equal(s('"ünï"'), "ünï");
});

test("numbers: integers, floats, exponents and Go's leading-zero octal", () => {
  const n = (t: string) => {
    const e = expr(t);
    return e.kind === "number" ? e.value : undefined;
  };
  assert.equal(n("42"), 42);
  assert.equal(n("3.25"), 3.25);
  assert.equal(n(".5"), 0.5);
  assert.equal(n("2e3"), 2000);
  assert.equal(n("1.5E-1"), 0.15);
  assert.equal(n("0755"), 493);
  assert.equal(n("08"), 8);
  assert.equal(n("0"), 0);
});

test("references, calls, access and indexing", () => {
  assert.deepEqual(expr("loki.write.vault.receiver"), {
    kind: "ref",
    path: ["loki", "write", "vault", "receiver"],
    line: 1,
    col: 1,
  });
  assert.deepEqual(expr('sys.env("HOME")'), {
    kind: "call",
    name: "sys.env",
    callee: { kind: "ref", path: ["sys", "env"], line: 1, col: 1 },
    args: [{ kind: "string", value: "HOME", raw: false, line: 1, col: 9 }],
    line: 1,
    col: 1,
  });
  const chained = expr('encoding.from_json(x)["a"].b');
  assert.equal(chained.kind, "access");
  assert.ok(chained.kind === "access" && chained.object.kind === "index");
  const calledValue = expr("(f)(1, 2,)");
  assert.ok(
    calledValue.kind === "call" && calledValue.name === "f" && calledValue.args.length === 2,
  );
  const anonymous = expr("f(1)(2)");
  assert.ok(anonymous.kind === "call" && anonymous.name === null);
});

test("operators: Alloy's precedence, right-associative ^, unary ! and -", () => {
  const show = (e: AlloyExpr): string => {
    switch (e.kind) {
      case "binary":
        return `(${show(e.left)} ${e.op} ${show(e.right)})`;
      case "unary":
        return `${e.op}${show(e.operand)}`;
      case "number":
        return e.text;
      case "ref":
        return e.path.join(".");
      case "string":
        return JSON.stringify(e.value);
      default:
        return e.kind;
    }
  };
  assert.equal(show(expr("1 + 2 * 3 ^ 2 ^ 2")), "(1 + (2 * (3 ^ (2 ^ 2))))");
  assert.equal(show(expr("!a || b && c == d")), "(!a || (b && (c == d)))");
  assert.equal(show(expr("1 - 2 - 3")), "((1 - 2) - 3)");
  assert.equal(show(expr('"a" + sys.x % -4 >= 2')), '(("a" + (sys.x % -4)) >= 2)');
  assert.equal(show(expr("(1 + 2) * 3")), "((1 + 2) * 3)");
  assert.equal(show(expr("a != b\n")), "(a != b)");
});

test("lists and objects take trailing commas and span lines; quoted keys stay as written", () => {
  const e = expr(
    '{\n  plain = [1,\n  2,],\n  "app.kubernetes.io/name" = "x",\n  "a\\"b" = null,\n}',
  );
  assert.ok(e.kind === "object");
  assert.deepEqual(e.fields.map((f) => [f.key, f.quoted, f.line, f.value.kind]), [
    ["plain", false, 2, "array"],
    ["app.kubernetes.io/name", true, 4, "string"],
    ['a\\"b', true, 5, "null"],
  ]);
  assert.deepEqual(expr("[]"), { kind: "array", elements: [], line: 1, col: 1 });
  assert.deepEqual(expr("{}"), { kind: "object", fields: [], line: 1, col: 1 });
});

test("comments: between tokens, running to the end of a line, spanning lines", () => {
  const r = parseAlloy(
    [
      "a = 1 // trailing",
      "b /* inline */ = /* more */ 2",
      "c = [ /* x",
      "  */ 3, // after",
      "]",
      "d = 4 /* ends",
      "here */ e = 5",
    ].join("\n"),
  );
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  assert.deepEqual(r.body.map((s) => [s.name, s.line]), [
    ["a", 1],
    ["b", 2],
    ["c", 3],
    ["d", 6],
    ["e", 7],
  ]);
});

test("one-line blocks and a block closed on the line of its last attribute", () => {
  const r = parseAlloy('loki.write "w" { endpoint { url = "http://l:1/p" } }\nx { y = 1 }');
  assert.ok(r.ok);
  assert.equal(r.body.length, 2);
});

test("isAlloyIdentifier follows the scanner", () => {
  assert.equal(isAlloyIdentifier("_x9"), true);
  assert.equal(isAlloyIdentifier("Ünïcode"), true);
  assert.equal(isAlloyIdentifier(""), false);
  assert.equal(isAlloyIdentifier("a-b"), false);
  assert.equal(isAlloyIdentifier("null"), false);
});

test("tokenizeAlloy inserts terminators only after values and closers", () => {
  const r = tokenizeAlloy("a = [\n1,\n]\nb = (\n2\n)\n");
  assert.ok(r.ok);
  assert.deepEqual(r.tokens.map((t) => t.kind === "punct" ? t.text : t.kind), [
    "ident",
    "=",
    "[",
    "number",
    ",",
    "]",
    "terminator",
    "ident",
    "=",
    "(",
    "number",
    "terminator",
    ")",
    "terminator",
    "eof",
  ]);
});

const SYNTAX_ERRORS: [string, string][] = [
  [
    'items = [\n  "a",\n  "b"\n]\n',
    '3:6: missing "," at the end of the line in list (a multi-line list needs a "," after every element)',
  ],
  [
    "obj = {\n  a = 1,\n  b = 2\n}",
    '3:8: missing "," at the end of the line in object (a multi-line object needs a "," after every element)',
  ],
  [
    "f = g(\n  1\n)",
    '2:4: missing "," at the end of the line in argument list (a multi-line argument list needs a "," after every element)',
  ],
  ["x = [1 2]", '1:8: expected "," or "]" in list, got number 2'],
  ['url = "http://a\n', "1:7: string literal not terminated"],
  ["x = `never closed\n\n", "1:5: raw string literal not terminated"],
  ["lbl = 'q'", "1:7: single-quoted strings are not allowed; use double quotes"],
  [
    'loki.write "w"\n{\n}',
    '1:15: expected "{" after the label of "loki.write", got end of line (a block\'s "{" must be on the same line as its name)',
  ],
  [
    "endpoint\n{\n}",
    '1:9: expected "=" or "{" after "endpoint", got end of line (a block\'s "{" must be on the same line as its name)',
  ],
  ["loki.write = 1", '1:1: an attribute name cannot contain "." (got "loki.write")'],
  ['url "x" = 1', '1:1: the attribute "url" cannot have a label'],
  [
    'labels = { app: "x" }',
    '1:15: illegal character ":" (Alloy objects write `key = value`, not `key: value`)',
  ],
  ['labels = { 12 = "x" }', "1:12: expected an object key (identifier or string), got number 12"],
  ['labels = { app "x" }', '1:16: expected "=" after the object key "app", got string "x"'],
  ['s = "a\\qb"', '1:7: unknown escape sequence "\\q" in string'],
  ['s = "it\\\'s"', `1:8: unknown escape sequence "\\'" in string`],
  ['s = "\\x4"', "1:6: escape sequence not terminated"],
  ['s = "\\xZZ"', "1:6: illegal character U+005A 'Z' in escape sequence"],
  ['s = "\\ud800"', "1:6: escape sequence is an invalid Unicode code point"],
  ['s = "\\xff"', '1:5: string "\\xff" is not valid UTF-8 once its escapes are applied'],
  [
    'loki.write "w" {\n  endpoint {\n    url = "u"\n  }\n',
    '5:1: expected "}" to close the block "loki.write" opened at line 1, got end of file',
  ],
  ['loki.write "bad label" {}', '1:12: block label "bad label" is not a valid identifier'],
  ["loki.write `w` {}", "1:12: a block label must be a double-quoted string, got string `w`"],
  [
    "loki.write w {}",
    '1:12: expected a label or "{" after the block name "loki.write", got identifier "w"',
  ],
  ["a = 1 b = 2", '1:7: expected end of line after the attribute "a", got identifier "b"'],
  ["x = foo {\n}", '1:9: a block cannot be used as a value (to write a block, remove the "=")'],
  ['x = foo "l" {\n}', '1:9: a block cannot be used as a value (to write a block, remove the "=")'],
  ["x = a @ b", "1:7: illegal character U+0040 '@'"],
  ["x = a | b", '1:7: "|" must be doubled ("||")'],
  ["x = 1 +", "1:8: expected a value, got end of file"],
  ["x = 1 +\n", "2:1: expected a value, got end of file"],
  ["x = a.true", '1:7: expected an identifier after ".", got "true"'],
  ["x = 1e", '1:5: exponent of number "1e" has no digits'],
  ["/* open", "1:1: block comment not terminated"],
  ["= 1", '1:1: expected an attribute or block name, got "="'],
  ["}", '1:1: expected an attribute or block name, got "}"'],
  ["a = 1\n}", '2:1: expected an attribute or block name, got "}"'],
  ["x = (1", '1:7: expected ")", got end of line'],
  ["x = a[1", '1:8: expected "]", got end of line'],
  ["x = \0", "1:5: illegal character NUL"],
];

for (const [text, message] of SYNTAX_ERRORS) {
  test(`syntax error: ${JSON.stringify(text)}`, () => {
    assert.equal(errorOf(text), message);
    const r = parseAlloy(text);
    assert.ok(!r.ok);
    assert.equal(`${r.error.line}:${r.error.col}: `, message.slice(0, message.indexOf(" ") + 1));
  });
}

test("deep nesting is an error value, not a stack overflow", () => {
  assert.equal(errorOf("x = " + "[".repeat(5000)), "1:205: nesting deeper than 200 levels");
  assert.equal(errorOf("a {".repeat(300)).startsWith("1:"), true);
  assert.equal(
    errorOf("x = " + "-".repeat(5000) + "1").endsWith("nesting deeper than 200 levels"),
    true,
  );
});

test("every prefix of a valid file parses or fails as a value, never throws", () => {
  const text = [
    'loki.source.api "in" {',
    "  http { listen_port = 3500 }",
    '  labels = { a = "b", `c` = sys.env("D") + "\\u00e9" }',
    "  forward_to = [loki.write.out.receiver, /* c */]",
    "}",
    "x = !(1 + 2.5e3 ^ -3) || a[0].b(c,) != null",
  ].join("\n");
  for (let i = 0; i <= text.length; i++) {
    const r = parseAlloy(text.slice(0, i));
    if (!r.ok) assert.match(r.error.message, /^\d+:\d+: /);
  }
  assert.equal(parseAlloy(text).ok, true);
});

test("random token soup never throws: every outcome is a body or an error value", () => {
  const pieces = [
    "a",
    "b.c",
    '"s"',
    "`r`",
    "1",
    "2.5",
    "true",
    "null",
    "=",
    "==",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ".",
    "+",
    "-",
    "!",
    "^",
    "\n",
    " ",
    "//c\n",
    "/*c*/",
    '"\\x"',
    "'",
    ":",
    "|",
    "&&",
  ];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 3000; i++) {
    let text = "";
    const n = 1 + Math.floor(next() * 30);
    for (let k = 0; k < n; k++) text += pieces[Math.floor(next() * pieces.length)];
    const r = parseAlloy(text);
    if (!r.ok) assert.match(r.error.message, /^\d+:\d+: /, JSON.stringify(text));
  }
});

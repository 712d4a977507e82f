// Go's mime.ParseMediaType, case by case. The expected values are what Go's mime.ParseMediaType
// returns for each input: checked against Go 1.19 run on every input here, except the two rows
// marked "current Go", where newer Go (what Alloy and Loki are built with) allows a parameter
// repeated with the same value ("Duplicate parameter names are incorrect, but we allow them if
// they are equal." in src/mime/mediatype.go) and Go 1.19 still refuses it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { INVALID_MEDIA_PARAMETER, parseMediaType } from "../../src/http/media_type.ts";
import { headerText } from "../../src/http/header_text.ts";

type Expected = { mediaType: string; params: Record<string, string> } | { error: string };

const cases: [string, Expected][] = [
  ["", { error: "mime: no media type" }],
  ["application/json", { mediaType: "application/json", params: {} }],
  ["Application/JSON", { mediaType: "application/json", params: {} }],
  ["  application/json  ", { mediaType: "application/json", params: {} }],
  ["\tapplication/json\t", { mediaType: "application/json", params: {} }],
  ["application/json; charset=utf-8", {
    mediaType: "application/json",
    params: { "charset": "utf-8" },
  }],
  ["application/json;charset=UTF-8", {
    mediaType: "application/json",
    params: { "charset": "UTF-8" },
  }],
  ["application/json; charsetutf-8", {
    error: "mime: invalid media parameter",
  }],
  ["application/json; charset=utf-8; charset=utf-8", {
    mediaType: "application/json",
    params: { "charset": "utf-8" },
  }], // current Go
  ["application/json; charset=utf-8; charset=UTF-8", {
    error: "mime: duplicate parameter name",
  }],
  ["application/json; CHARSET=utf-8; charset=latin1", {
    error: "mime: duplicate parameter name",
  }],
  ["application/json;", { mediaType: "application/json", params: {} }],
  ["application/json; ", { mediaType: "application/json", params: {} }],
  ["application/json;;", { error: "mime: invalid media parameter" }],
  ["application/json; charset=utf-8;", {
    mediaType: "application/json",
    params: { "charset": "utf-8" },
  }],
  ["application/json; charset=utf-8; ;", {
    error: "mime: invalid media parameter",
  }],
  ['application/json ; charset = "utf-8"', {
    mediaType: "application/json",
    params: { "charset": "utf-8" },
  }],
  ['application/json; charset="utf\\"-8"', {
    mediaType: "application/json",
    params: { "charset": 'utf"-8' },
  }],
  ['application/json; x="a\\b"', { mediaType: "application/json", params: { "x": "a\\b" } }],
  ['application/json; x="a\\ b"', { mediaType: "application/json", params: { "x": "a\\ b" } }],
  ['application/json; x="a\\\\b"', { mediaType: "application/json", params: { "x": "a\\b" } }],
  ['application/json; x=""', { mediaType: "application/json", params: { "x": "" } }],
  ["application/json; x=", {
    error: "mime: invalid media parameter",
  }],
  ['application/json; x="unterminated', {
    error: "mime: invalid media parameter",
  }],
  ['application/json; x="a\r\nb"', {
    error: "mime: invalid media parameter",
  }],
  ["application/", { error: "mime: expected token after slash" }],
  ["/json", { error: "mime: no media type" }],
  ["application json", { error: "mime: expected slash after first token" }],
  ["application/json/x", { error: "mime: unexpected content after media subtype" }],
  ["application/json x", { error: "mime: unexpected content after media subtype" }],
  ["application/json, text/plain", {
    error: "mime: unexpected content after media subtype",
  }],
  ["foobar", { mediaType: "foobar", params: {} }],
  ["text/plain", { mediaType: "text/plain", params: {} }],
  ["application/x-protobuf", { mediaType: "application/x-protobuf", params: {} }],
  ["application/json; charset=utf-8 extra", {
    error: "mime: invalid media parameter",
  }],
  ["application/json; =utf-8", {
    error: "mime: invalid media parameter",
  }],
  ["application/json; charset", {
    error: "mime: invalid media parameter",
  }],
  ["application/json\u00a0", { mediaType: "application/json", params: {} }],
  ["\ufeffapplication/json", { error: "mime: no media type" }],
  ["application/json\u0085", { mediaType: "application/json", params: {} }],
  ["text/\u212a", { mediaType: "text/k", params: {} }],
  ["\u0130mage/png", { mediaType: "image/png", params: {} }],
  ["application/json\u2028", { mediaType: "application/json", params: {} }],
  ["application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", {
    mediaType: "application/x-stuff",
    params: { "title": "This is ***fun***" },
  }],
  [
    'message/external-body; access-type=URL; URL*0="ftp://";URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"',
    {
      mediaType: "message/external-body",
      params: {
        "access-type": "URL",
        "url": "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar",
      },
    },
  ],
  [
    "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
    {
      mediaType: "application/x-stuff",
      params: { "title": "This is even more ***fun*** isn't it!" },
    },
  ],
  ["attachment; filename*=UTF-8''foo-%c3%a4.html", {
    mediaType: "attachment",
    params: { "filename": "foo-\u00e4.html" },
  }],
  ['attachment; filename*0="foo"; filename*2="bar"', {
    mediaType: "attachment",
    params: { "filename": "foo" },
  }],
  ['attachment; filename*1="foo"; filename*2="bar"', { mediaType: "attachment", params: {} }],
  ["attachment; filename=\"foo-ae.html\"; filename*=UTF-8''foo-%c3%a4.html", {
    mediaType: "attachment",
    params: { "filename": "foo-\u00e4.html" },
  }],
  ["text/plain; a*=utf-8''%zz", { mediaType: "text/plain", params: {} }],
  ["text/plain; a*=iso-8859-1''x", { mediaType: "text/plain", params: {} }],
  ["text/plain; a*=''x", { mediaType: "text/plain", params: {} }],
  ["text/plain; a*=utf-8'x", { mediaType: "text/plain", params: {} }],
  ["text/plain; a=plain; a*=utf-8''enc", { mediaType: "text/plain", params: { "a": "enc" } }],
  ["text/plain; a=plain; a*=bad", { mediaType: "text/plain", params: { "a": "plain" } }],
  ["text/plain; a*0*=utf-8''x%41; a*1*=%42%zz; a*2=c", {
    mediaType: "text/plain",
    params: { "a": "xAc" },
  }],
  ["text/plain; a*0=x; a*0=x", { mediaType: "text/plain", params: { "a": "x" } }], // current Go
  ["text/plain; a*0=x; a*0=y", { error: "mime: duplicate parameter name" }],
  ["text/plain; a*b=1", { mediaType: "text/plain", params: {} }],
  ["text/plain; *=1", { mediaType: "text/plain", params: {} }],
  ["text/plain; a*0=x; a*1=y;", { mediaType: "text/plain", params: { "a": "xy" } }],
  ["text/plain; a*0*=utf-8''%E2%82%AC", { mediaType: "text/plain", params: { "a": "\u20ac" } }],
  ["text/plain; Charset=UTF-8", { mediaType: "text/plain", params: { "charset": "UTF-8" } }],
  ["text/plain; __proto__=x", { mediaType: "text/plain", params: { ["__proto__"]: "x" } }],
  ["text/plain; constructor=x", { mediaType: "text/plain", params: { "constructor": "x" } }],
  ["text/plain;charset=utf-8;format=flowed", {
    mediaType: "text/plain",
    params: { "charset": "utf-8", "format": "flowed" },
  }],
  ["text/plain; a=b/c", { error: "mime: invalid media parameter" }],
  ['text/plain; x="a;b"', { mediaType: "text/plain", params: { "x": "a;b" } }],
  ['"foo; filename=bar;baz"; filename=qux', { error: "mime: no media type" }],
  ["text/plain; x='a'", { mediaType: "text/plain", params: { "x": "'a'" } }],
  ["text/plain; x=a b", { error: "mime: invalid media parameter" }],
  ['text/plain; x="\u0411\u0440\u044d\u0434"', {
    mediaType: "text/plain",
    params: { "x": "\u0411\u0440\u044d\u0434" },
  }],
  ["text/plain; x=\u0411\u0440\u044d\u0434", {
    error: "mime: invalid media parameter",
  }],
  ['text/plain; x="a\\"', { error: "mime: invalid media parameter" }],
  ["text/plain;\u00a0charset=utf-8", { mediaType: "text/plain", params: { "charset": "utf-8" } }],
  ["text/plain; charset=utf-8\u00a0", { mediaType: "text/plain", params: { "charset": "utf-8" } }],
  ["text/plain; charset=utf-8 ; format=flowed", {
    mediaType: "text/plain",
    params: { "charset": "utf-8", "format": "flowed" },
  }],
  ['text/plain; x="\\"quoting\\" tested"', {
    mediaType: "text/plain",
    params: { "x": '"quoting" tested' },
  }],
  ["application/json; boundary=----CUT;", {
    mediaType: "application/json",
    params: { "boundary": "----CUT" },
  }],
  ['text/plain; x="a\\\u00e9"', { mediaType: "text/plain", params: { "x": "a\\\u00e9" } }],
  ["text/plain; a*10=z; a*0=x; a*1=y", { mediaType: "text/plain", params: { "a": "xy" } }],
  ["text/plain; a*01=z; a*0=x", { mediaType: "text/plain", params: { "a": "x" } }],
  ["text/plain; a*0=x; a*0*=utf-8''y", { mediaType: "text/plain", params: { "a": "x" } }],
  ["text/plain; a*0*=x", { mediaType: "text/plain", params: { "a": "" } }],
  ["text/plain; a*0*=utf-8''x; a*1*=%", { mediaType: "text/plain", params: { "a": "x" } }],
  ["text/plain; a*1*=%41; a*0=x", { mediaType: "text/plain", params: { "a": "xA" } }],
  ["application/json ;charset=utf-8", {
    mediaType: "application/json",
    params: { "charset": "utf-8" },
  }],
  ["application/json;  charset=utf-8  ;  ", {
    mediaType: "application/json",
    params: { "charset": "utf-8" },
  }],
  ['text/plain; x="a\tb"', { mediaType: "text/plain", params: { "x": "a\tb" } }],
  ['text/plain; x="\\\\"', { mediaType: "text/plain", params: { "x": "\\" } }],
  ["text/plain; x = y", { mediaType: "text/plain", params: { "x": "y" } }],
  ["text/plain; x=y;z", { error: "mime: invalid media parameter" }],
  ["text/plain;\r\n charset=utf-8", { mediaType: "text/plain", params: { "charset": "utf-8" } }],
];

for (const [input, expected] of cases) {
  test(`parseMediaType(${JSON.stringify(input)})`, () => {
    const got = parseMediaType(input);
    if ("error" in expected) {
      assert.deepEqual(got, { ok: false, error: expected.error });
    } else {
      assert.ok(got.ok, JSON.stringify(got));
      assert.equal(got.mediaType, expected.mediaType);
      assert.deepEqual({ ...got.params }, expected.params);
    }
  });
}

test("params has no prototype: __proto__ and constructor are parameters like any other", () => {
  const r = parseMediaType("text/plain; __proto__=x; constructor=y");
  assert.ok(r.ok);
  assert.equal(Object.getPrototypeOf(r.params), null);
  assert.equal(Object.hasOwn(r.params, "__proto__"), true);
  assert.equal(r.params["__proto__"], "x");
  assert.equal(r.params.constructor, "y");
  const none = parseMediaType("text/plain");
  assert.ok(none.ok);
  assert.equal(none.params.toString, undefined);
});

test("a header's bytes are read as UTF-8, as Go reads them", () => {
  // U+00A0 (no-break space) is a space to Go: sent as UTF-8 it is trimmed.
  const r = parseMediaType(headerText("application/json\xc2\xa0"));
  assert.ok(r.ok);
  assert.equal(r.mediaType, "application/json");
  // A byte that is not UTF-8 is refused, in a token or as a parameter name.
  assert.deepEqual(parseMediaType(headerText("application/json\xff")), {
    ok: false,
    error: "mime: unexpected content after media subtype",
  });
  assert.deepEqual(parseMediaType(headerText("application/json; \xff=1")), {
    ok: false,
    error: INVALID_MEDIA_PARAMETER,
  });
});

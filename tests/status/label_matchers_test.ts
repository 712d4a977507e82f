// The tail's label matchers: PromQL's four operators, RE2 anchored, missing labels as "".
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMatchers } from "../../src/status/label_matchers.ts";

function filter(text: string) {
  const m = parseMatchers(text);
  assert.ok(m.ok, m.ok ? "" : m.error);
  return m.filter;
}

test("=, !=, =~ and !~, anchored, on every label of the set", () => {
  const f = filter('{ app = "api" , env!="dev", pod=~"api-[0-9]+", zone!~"eu-.*" }');
  assert.equal(f({ app: "api", env: "prod", pod: "api-12", zone: "us-1" }), true);
  assert.equal(f({ app: "api", env: "prod", pod: "api-12x", zone: "us-1" }), false);
  assert.equal(f({ app: "api", env: "prod", pod: "api-1", zone: "eu-1" }), false);
  assert.equal(f({ app: "api2", env: "prod", pod: "api-1" }), false);
});

test("a missing label is the empty string, as in PromQL", () => {
  assert.equal(filter('{env=""}')({ app: "a" }), true);
  assert.equal(filter('{env!=""}')({ app: "a" }), false);
  assert.equal(filter('{env=~".*"}')({}), true);
});

test("quoted values take escapes; RE2 syntax that JavaScript lacks works", () => {
  assert.equal(filter('{msg="say \\"hi\\""}')({ msg: 'say "hi"' }), true);
  assert.equal(filter('{app=~"(?i)API"}')({ app: "api" }), true);
  assert.equal(filter("{}")({ a: "b" }), true);
  assert.equal(filter("  ")({ a: "b" }), true);
});

test("bad matchers are refused, quoting the text", () => {
  for (const text of ["app=api", '{app="a"', '{app~"a"}', '{1a="x"}', '{a="b" c="d"}']) {
    const m = parseMatchers(text);
    assert.equal(m.ok, false, text);
    assert.ok(!m.ok && m.error.startsWith(`match ${JSON.stringify(text)}: `), text);
  }
  const re = parseMatchers('{a=~"("}');
  assert.deepEqual(re, {
    ok: false,
    error: 'match "{a=~\\"(\\"}": "(" is not a valid RE2 regex: missing closing )',
  });
});

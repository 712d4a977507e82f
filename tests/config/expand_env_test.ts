// expandEnv: ${NAME}, ${NAME:-default}, $$, lone $, errors with their lines, JSON-aware mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expandEnv } from "../../src/config/expand_env.ts";

const ENV = { HOST: "loki.lan", PORT: "3100", EMPTY: "", QUOTE: 'pa"ss\\word\n' };

test("${NAME} is replaced by the value; an empty value expands to nothing", () => {
  assert.deepEqual(expandEnv("http://${HOST}:${PORT}/push [${EMPTY}]", ENV), {
    ok: true,
    text: "http://loki.lan:3100/push []",
  });
});

test("${NAME:-default} uses the default when the variable is unset or empty", () => {
  assert.deepEqual(expandEnv("${HOST:-x} ${NOPE:-fallback} ${EMPTY:-dflt} ${NOPE:-}", ENV), {
    ok: true,
    text: "loki.lan fallback dflt ",
  });
  assert.deepEqual(expandEnv("${NOPE:-a$$b} ${NOPE:-has space, and :-}", ENV), {
    ok: true,
    text: "a$b has space, and :-",
  });
});

test("$$ is a literal $, and a $ not followed by { or $ stays", () => {
  assert.deepEqual(expandEnv("$$1 $${2} $1 ${HOST}$ $ $$$$ a$b", ENV), {
    ok: true,
    text: "$1 ${2} $1 loki.lan$ $ $$ a$b",
  });
});

test("text without any $ is returned unchanged", () => {
  const text = '{\n  "url": "http://x"\n}\n';
  assert.deepEqual(expandEnv(text, {}), { ok: true, text });
});

test("every unset variable and bad reference is an error naming it and its line", () => {
  assert.deepEqual(
    expandEnv("first ${A}\nsecond ${B} ${HOST}\n${}\n${9X}\n${OPEN\n${A-b}", ENV),
    {
      ok: false,
      errors: [
        'line 1: environment variable "A" is not set (give a default with ${A:-default})',
        'line 2: environment variable "B" is not set (give a default with ${B:-default})',
        'line 3: "${}" is not a variable reference (write $${ for a literal "${")',
        'line 4: "${9X}" is not a variable reference (write $${ for a literal "${")',
        'line 5: "${" is not a variable reference (write $${ for a literal "${")',
        'line 6: "${A-b}" is not a variable reference (write $${ for a literal "${")',
      ],
    },
  );
});

test("a default spanning lines keeps the line count right", () => {
  const r = expandEnv("${NOPE:-a\nb}\n${MISSING}", {});
  assert.deepEqual(r, {
    ok: false,
    errors: [
      'line 3: environment variable "MISSING" is not set (give a default with ${MISSING:-default})',
    ],
  });
});

test("json mode escapes values expanded inside JSON strings, not outside them", () => {
  const text = '{"password": "${QUOTE}", "port": ${PORT}, "note": "a \\"${HOST}\\" b"}';
  const r = expandEnv(text, ENV, { json: true });
  assert.deepEqual(r, {
    ok: true,
    text: '{"password": "pa\\"ss\\\\word\\n", "port": 3100, "note": "a \\"loki.lan\\" b"}',
  });
  assert.ok(r.ok);
  assert.deepEqual(JSON.parse(r.text), {
    password: 'pa"ss\\word\n',
    port: 3100,
    note: 'a "loki.lan" b',
  });
  // Without json mode the same text would break the JSON.
  const raw = expandEnv(text, ENV);
  assert.ok(raw.ok);
  assert.throws(() => JSON.parse(raw.text));
});

test("values are inserted once: a value holding ${...} or $$ is not expanded again", () => {
  assert.deepEqual(expandEnv("${V}", { V: "${HOST} $$" }), { ok: true, text: "${HOST} $$" });
});

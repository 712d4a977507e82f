/**
 * Turns an Alloy configuration (`loki.source.api` → `loki.relabel`* → `loki.write`) into
 * lokirelay's JSON configuration, reporting everything it cannot translate.
 *
 * What maps to what:
 *
 * - `loki.source.api`'s own arguments become the top level (`http`, `http.tls`, `labels`,
 *   `relabel_rules`, `use_incoming_timestamp`, `max_send_message_size`,
 *   `graceful_shutdown_timeout`); its `forward_to` is followed through `loki.relabel`
 *   components to `loki.write` components, whose `endpoint` blocks become `forward_to`, whose
 *   `external_labels` become the top-level `external_labels` and whose `wal` block becomes the
 *   top-level `wal`.
 * - `relabel_rules` is `loki.source.api`'s own rules (`loki.relabel.X.rules`,
 *   `discovery.relabel.X.rules`, `array.concat(...)` of those, or a literal list of rule
 *   objects), then, when the route passes `loki.relabel` components with rules, a
 *   `{ "action": "labeldrop", "regex": "__.*" }` rule, then each component's `rule` blocks in
 *   route order. The extra rule reproduces what `loki.source.api` does between the two: it
 *   removes every `__`-prefixed label before forwarding, so later rules never see them.
 * - `sys.env("X")` and `env("X")` become `"${X}"`, `coalesce(sys.env("X"), "d")` becomes
 *   `"${X:-d}"`, `+` concatenates; `convert.nonsensitive(x)` is `x`. When the result holds any
 *   such reference, every literal `$` of every emitted string (and key) is written `$$`, and
 *   `needsEnv` is true: the file must be loaded with `--config-expand-env`.
 * - A secret or PEM attribute set to `local.file.X.content` becomes its `*_file` twin naming
 *   the file (`password` → `password_file`, `bearer_token` and `authorization.credentials` →
 *   `bearer_token_file`, `*_pem` → `*_file`, `client_ca` → `client_ca_file`).
 *
 * Every field the Alloy file sets is kept, none is added (except `basic_auth.username: ""`,
 * which lokirelay requires and Alloy defaults to); keys come out in a fixed order. Problems
 * (the output differs from what Alloy would do) and warnings (a field is accepted but has no
 * effect in lokirelay) each carry the 1-based line they are about; line 0 means the whole file.
 *
 * @module
 */
import {
  type AlloyAttribute,
  type AlloyBlock,
  type AlloyExpr,
  type AlloyStatement,
  parseAlloy,
} from "./alloy_syntax.ts";

/** A problem or warning, with the 1-based line it is about (0: the whole file). */
export interface ConvertNote {
  line: number;
  message: string;
}

/** Options of {@link convertAlloy}. */
export interface ConvertAlloyOptions {
  /**
   * How `sys.env("X")` treats an unset variable: `"error"` emits `${X}`, which lokirelay refuses
   * to start without; `"empty"` emits `${X:-}`, an empty string as Alloy gives.
   * @default "error"
   */
  unsetEnv?: "error" | "empty";
  /**
   * Whether `regex` (RE2, anchored at both ends) matches `value`, or `undefined` when that is
   * unknown. Used to tell whether a `labeldrop`/`labelkeep`/`labelmap` rule after
   * `loki.source.api` touches `__tenant_id__`. Defaults to JavaScript's RegExp, which reads most
   * RE2 patterns alike; pass an RE2 engine (re2js) for exact answers.
   */
  matchesRegex?: (regex: string, value: string) => boolean | undefined;
}

/** What {@link convertAlloy} returns. */
export interface ConvertAlloyResult {
  /** lokirelay's configuration, keys in a fixed order (`JSON.stringify` it as is). */
  config: Record<string, unknown>;
  /** What could not be translated faithfully, and why; empty when the translation is exact. */
  problems: ConvertNote[];
  /** Alloy settings that are accepted but have no effect in lokirelay. */
  warnings: ConvertNote[];
  /** The config holds `${VAR}` references: load it with `--config-expand-env`. */
  needsEnv: boolean;
}

interface EnvRef {
  env: string;
  fallback: string | null;
}

/** A string holding environment-variable references, rendered at the end. */
class EnvString {
  readonly parts: (string | EnvRef)[];
  constructor(parts: (string | EnvRef)[]) {
    this.parts = parts;
  }
}

type Str = string | EnvString;
type Out = Str | number | boolean | Out[] | OutObject;
interface OutObject {
  [key: string]: Out;
}

type Kind = "string" | "int" | "bool" | "size" | "duration" | "map" | "strings";

interface AttrSpec {
  kind: Kind;
  /** Output key, when it differs from the attribute's name. */
  to?: string;
  /** Output key used when the value is `local.file.X.content` (the file's name goes there). */
  fileTo?: string;
}

type AttrHandler = (attr: AlloyAttribute, out: OutObject, where: string) => void;
type BlockHandler = (block: AlloyBlock, out: OutObject, where: string) => void;

interface BlockSpec {
  attrs?: Record<string, Kind | AttrSpec | AttrHandler>;
  blocks?: Record<string, BlockHandler>;
  /** Blocks that may appear more than once. */
  repeated?: string[];
}

interface Component {
  key: string;
  kind: string;
  block: AlloyBlock;
}

interface Route {
  write: Component;
  chain: Component[];
}

interface WriteOut {
  endpoints: OutObject[];
  externalLabels: OutObject | undefined;
  wal: OutObject | undefined;
}

const ORDER: Record<string, string[]> = {
  top: [
    "http",
    "graceful_shutdown_timeout",
    "labels",
    "relabel_rules",
    "use_incoming_timestamp",
    "max_send_message_size",
    "forward_to",
    "external_labels",
    "wal",
  ],
  http: [
    "listen_address",
    "listen_port",
    "conn_limit",
    "server_read_timeout",
    "server_write_timeout",
    "server_idle_timeout",
    "tls",
  ],
  serverTls: [
    "cert_pem",
    "cert_file",
    "key_pem",
    "key_file",
    "client_ca_pem",
    "client_ca_file",
    "client_auth_type",
    "min_version",
    "cipher_suites",
  ],
  endpoint: [
    "url",
    "name",
    "batch_wait",
    "batch_size",
    "remote_timeout",
    "headers",
    "tenant_id",
    "min_backoff_period",
    "max_backoff_period",
    "max_backoff_retries",
    "retry_on_http_429",
    "basic_auth",
    "bearer_token",
    "bearer_token_file",
    "tls_config",
    "queue_config",
  ],
  basicAuth: ["username", "password", "password_file"],
  clientTls: [
    "ca_pem",
    "ca_file",
    "cert_pem",
    "cert_file",
    "key_pem",
    "key_file",
    "server_name",
    "insecure_skip_verify",
  ],
  queue: ["capacity", "drain_timeout", "min_shards", "block_on_overflow"],
  rule: ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"],
  wal: [
    "enabled",
    "dir",
    "max_size",
    "segment_size",
    "fsync",
    "drain_timeout",
    "max_segment_age",
    "min_read_frequency",
    "max_read_frequency",
  ],
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TENANT = "__tenant_id__";
const NOT_LOCAL_FILE = Symbol("not a local.file reference");
const PIPELINE_KINDS = ["loki.source.api", "loki.write", "loki.relabel"];

function put(obj: OutObject, key: string, value: Out): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function ordered(obj: OutObject, order: string[]): OutObject {
  const out: OutObject = {};
  for (const key of order) if (Object.hasOwn(obj, key)) put(out, key, obj[key]);
  for (const key of Object.keys(obj)) if (!Object.hasOwn(out, key)) put(out, key, obj[key]);
  return out;
}

function concatStr(a: Str, b: Str): Str {
  if (typeof a === "string" && typeof b === "string") return a + b;
  const parts: (string | EnvRef)[] = [];
  for (const p of [a, b].flatMap((s) => typeof s === "string" ? [s] : s.parts)) {
    const last = parts.at(-1);
    if (typeof p === "string" && typeof last === "string") parts[parts.length - 1] = last + p;
    else if (p !== "") parts.push(p);
  }
  return new EnvString(parts);
}

function serialize(v: Out | undefined): string {
  return JSON.stringify(v ?? {}, (_k, x) => x instanceof EnvString ? { $env: x.parts } : x);
}

function jsMatches(regex: string, value: string): boolean | undefined {
  try {
    return new RegExp(`^(?:${regex})$`, "su").test(value);
  } catch {
    return undefined;
  }
}

/** A short description of an expression for a message: `loki.write.w.receiver`, `2.5`, `"x"`. */
function exprName(e: AlloyExpr): string {
  switch (e.kind) {
    case "ref":
      return e.path.join(".");
    case "call":
      return `${e.name ?? "(...)"}(...)`;
    case "number":
      return e.text;
    case "string":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "binary":
    case "unary":
      return `an expression with "${e.op}"`;
    case "null":
      return "null";
    case "array":
      return "a list";
    case "object":
      return "an object";
    case "index":
      return "an indexed value";
    case "access":
      return `a field access (.${e.name})`;
  }
}

class Converter {
  readonly problems: ConvertNote[] = [];
  readonly warnings: ConvertNote[] = [];
  readonly #options: ConvertAlloyOptions;
  readonly #components = new Map<string, Component>();
  readonly #used = new Set<string>();
  readonly #rulesCache = new Map<string, OutObject[]>();
  readonly #writeCache = new Map<string, WriteOut>();
  readonly #warnedLocalFiles = new Set<string>();
  readonly #reportedOpaque = new Set<string>();
  #sourceKey = "loki.source.api";

  constructor(options: ConvertAlloyOptions) {
    this.#options = options;
  }

  problem(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  warn(line: number, message: string): void {
    this.warnings.push({ line, message });
  }

  convert(body: AlloyStatement[]): OutObject {
    const sources: Component[] = [];
    for (const stmt of body) {
      if (stmt.kind === "attribute") {
        this.problem(
          stmt.line,
          `top-level attribute "${stmt.name}": not part of the loki pipeline: ignored`,
        );
        continue;
      }
      if (stmt.label === null || stmt.label === "") {
        const needsLabel = stmt.name.includes(".");
        this.problem(
          stmt.line,
          needsLabel
            ? `${stmt.name}: a component needs a label (Alloy refuses it): ignored`
            : `${stmt.name}: not part of the loki pipeline: ignored`,
        );
        continue;
      }
      const key = `${stmt.name}.${stmt.label}`;
      if (this.#components.has(key)) {
        const first = this.#components.get(key)!.block.line;
        this.problem(
          stmt.line,
          `${key} is defined twice (first at line ${first}; Alloy refuses this): ignored`,
        );
        continue;
      }
      const c = { key, kind: stmt.name, block: stmt };
      this.#components.set(key, c);
      if (stmt.name === "loki.source.api") sources.push(c);
    }
    if (sources.length === 0) {
      this.problem(0, "no loki.source.api component: there is nothing to translate");
      this.#reportUnused();
      return {};
    }
    const [source, ...others] = sources;
    this.#sourceKey = source.key;
    for (const other of others) {
      this.#used.add(other.key);
      this.problem(
        other.block.line,
        `${other.key}: lokirelay runs one loki.source.api; only ${source.key} (line ${source.block.line}) is translated`,
      );
    }
    const top = this.#source(source);
    this.#reportUnused();
    return top;
  }

  #source(source: Component): OutObject {
    this.#used.add(source.key);
    const top: OutObject = {};
    let forwardTo: AlloyAttribute | undefined;
    let ownRules: Out[] | undefined;
    const where = source.key;
    this.#read(source.block, where, {
      attrs: {
        forward_to: (a) => (forwardTo = a),
        labels: "map",
        relabel_rules: (a) => (ownRules = this.#rulesExpr(a.value, `${where} > relabel_rules`)),
        use_incoming_timestamp: "bool",
        max_send_message_size: "size",
        graceful_shutdown_timeout: "duration",
      },
      blocks: {
        http: (b, out, w) => put(out, "http", this.#http(b, w)),
        grpc: (b, _out, w) =>
          this.problem(
            b.line,
            `${w}: lokirelay has no gRPC server (it receives the HTTP push API only): not translated`,
          ),
      },
    }, top);

    let routes: Route[] = [];
    if (forwardTo === undefined) {
      this.problem(source.block.line, `${where}: forward_to is missing (Alloy requires it)`);
    } else {
      routes = this.#follow(forwardTo.value, [], `${where} > forward_to`);
      if (routes.length === 0) {
        this.problem(
          forwardTo.line,
          `${where} > forward_to: reaches no loki.write, so Alloy discards every entry; without forward_to lokirelay would print entries to stdout`,
        );
      }
    }

    const rules: Out[] = [...(ownRules ?? [])];
    const chain = this.#chosenChain(routes, forwardTo);
    const chainRules = chain.flatMap((c) =>
      c.kind === "loki.relabel" ? this.#componentRules(c) : []
    );
    if (chainRules.length > 0) {
      rules.push({ regex: "__.*", action: "labeldrop" });
      for (const c of chain) if (c.kind === "loki.relabel") this.#checkTenantRules(c);
      rules.push(...chainRules);
    }
    if (ownRules !== undefined || rules.length > 0) put(top, "relabel_rules", rules);

    this.#writes(routes, top);
    return ordered(top, ORDER.top);
  }

  #chosenChain(routes: Route[], forwardTo: AlloyAttribute | undefined): Component[] {
    if (routes.length === 0) return [];
    const describe = (r: Route) => [...r.chain, r.write].map((c) => c.key).join(" → ");
    const rulesOf = (r: Route) =>
      serialize(
        r.chain.flatMap((c) =>
          c.kind === "loki.relabel" ? this.#componentRules(c) : [{ opaque: c.key }]
        ),
      );
    const first = rulesOf(routes[0]);
    const differing = routes.filter((r) => rulesOf(r) !== first);
    if (differing.length > 0) {
      this.problem(
        forwardTo!.line,
        `loki.source.api fans out through different relabel rules (${
          routes.map(describe).join("; ")
        }); lokirelay applies one relabel_rules list to every endpoint: the rules of ${
          describe(routes[0])
        } are used`,
      );
    }
    return routes[0].chain;
  }

  #writes(routes: Route[], top: OutObject): void {
    const writes: Component[] = [];
    const count = new Map<string, number>();
    for (const r of routes) {
      if (!count.has(r.write.key)) writes.push(r.write);
      count.set(r.write.key, (count.get(r.write.key) ?? 0) + 1);
    }
    for (const w of writes) {
      const n = count.get(w.key)!;
      if (n > 1) {
        this.problem(
          w.block.line,
          `${w.key} is reached by ${n} routes from loki.source.api: Alloy sends each entry ${n} times, lokirelay once`,
        );
      }
    }
    if (writes.length === 0) return;
    const outs = writes.map((w) => this.#write(w));
    const endpoints = outs.flatMap((o) => o.endpoints);
    if (endpoints.length > 0) {
      put(top, "forward_to", endpoints);
      outs.forEach((o, i) => {
        if (o.endpoints.length === 0) {
          this.warn(
            writes[i].block.line,
            `${writes[i].key} has no endpoint block: Alloy discards what it receives`,
          );
        }
      });
    } else {
      this.problem(
        writes[0].block.line,
        `no endpoint block in ${
          writes.map((w) => w.key).join(", ")
        }: Alloy discards every entry; without forward_to lokirelay would print entries to stdout`,
      );
    }
    const first = writes[0].key;
    for (const [field, label] of [["externalLabels", "external_labels"], ["wal", "wal"]] as const) {
      outs.forEach((o, i) => {
        if (i > 0 && serialize(o[field]) !== serialize(outs[0][field])) {
          this.problem(
            writes[i].block.line,
            `${
              writes[i].key
            }: ${label} is not the same as in ${first}; lokirelay has one top-level ${label}: ${first}'s is used`,
          );
        }
      });
      const value = outs[0][field];
      if (value !== undefined) put(top, label, value);
    }
  }

  #write(w: Component): WriteOut {
    const cached = this.#writeCache.get(w.key);
    if (cached) return cached;
    this.#used.add(w.key);
    const endpoints: OutObject[] = [];
    const scratch: OutObject = {};
    let wal: OutObject | undefined;
    this.#read(w.block, w.key, {
      attrs: {
        external_labels: "map",
        max_streams: (a, _o, where) => {
          const v = this.#value(a.value, "int", `${where} > max_streams`);
          if (v === 0) {
            this.warn(
              a.line,
              `${where} > max_streams: 0 has no effect (no limit, as in lokirelay)`,
            );
          } else if (v !== undefined) {
            this.problem(
              a.line,
              `${where} > max_streams: lokirelay has no limit on active streams: not translated`,
            );
          }
        },
      },
      blocks: {
        endpoint: (b, _o, where) => endpoints.push(this.#endpoint(b, where)),
        wal: (b, _o, where) => (wal = this.#wal(b, where)),
      },
      repeated: ["endpoint"],
    }, scratch);
    const external = scratch.external_labels as OutObject | undefined;
    const out = { endpoints, externalLabels: external, wal };
    this.#writeCache.set(w.key, out);
    return out;
  }

  #wal(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    this.#read(b, where, {
      attrs: {
        enabled: "bool",
        drain_timeout: "duration",
        max_segment_age: "duration",
        min_read_frequency: "duration",
        max_read_frequency: "duration",
      },
    }, out);
    if (out.enabled === true) {
      this.warn(
        b.line,
        `${where}: the WAL lives in lokirelay's own wal.dir, not under Alloy's --storage.path; entries left in Alloy's WAL are not replayed`,
      );
    }
    return ordered(out, ORDER.wal);
  }

  #endpoint(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    const httpHeaders: OutObject = {};
    let httpHeadersLine = 0;
    const noEffect = (what: string): AttrHandler => (a, _o, w) => {
      const v = a.value;
      const isDefault = (v.kind === "bool" && v.value === false) ||
        (v.kind === "string" && v.value === "") || (v.kind === "object" && v.fields.length === 0);
      if (isDefault) this.warn(a.line, `${w} > ${a.name}: set to its default: no effect`);
      else this.problem(a.line, `${w} > ${a.name}: ${what}: not translated`);
    };
    this.#read(b, where, {
      attrs: {
        url: "string",
        name: "string",
        batch_wait: "duration",
        batch_size: "size",
        remote_timeout: "duration",
        headers: "map",
        tenant_id: "string",
        min_backoff_period: "duration",
        max_backoff_period: "duration",
        max_backoff_retries: "int",
        retry_on_http_429: "bool",
        bearer_token: { kind: "string", fileTo: "bearer_token_file" },
        bearer_token_file: "string",
        enable_http2: (a, _o, w) => {
          if (this.#value(a.value, "bool", `${w} > enable_http2`) !== undefined) {
            this.warn(
              a.line,
              `${w} > enable_http2: no effect: the runtime's fetch chooses the HTTP version`,
            );
          }
        },
        follow_redirects: (a, _o, w) => {
          const v = this.#value(a.value, "bool", `${w} > follow_redirects`);
          if (v === true) {
            this.warn(
              a.line,
              `${w} > follow_redirects: no effect: lokirelay follows redirects, as Alloy does by default`,
            );
          } else if (v === false) {
            this.problem(
              a.line,
              `${w} > follow_redirects: lokirelay always follows redirects: not translated`,
            );
          }
        },
        http_headers: (a, _o, w) => {
          httpHeadersLine = a.line;
          if (a.value.kind !== "object") {
            this.problem(
              a.value.line,
              `${w} > http_headers: expected an object of lists, got ${exprName(a.value)}`,
            );
            return;
          }
          for (const f of a.value.fields) {
            const list = f.value;
            if (list.kind !== "array" || list.elements.length !== 1) {
              this.problem(
                f.line,
                `${w} > http_headers > ${f.key}: only one value per header can be translated (lokirelay's headers map a name to one string)`,
              );
              continue;
            }
            const v = this.#str(list.elements[0], `${w} > http_headers > ${f.key}`);
            if (v !== undefined) put(httpHeaders, f.key, v);
          }
        },
        proxy_url: noEffect("lokirelay does not send through a proxy"),
        no_proxy: noEffect("lokirelay does not send through a proxy"),
        proxy_from_environment: noEffect("lokirelay does not send through a proxy"),
        proxy_connect_header: noEffect("lokirelay does not send through a proxy"),
      },
      blocks: {
        basic_auth: (blk, o, w) => put(o, "basic_auth", this.#basicAuth(blk, w)),
        authorization: (blk, o, w) => this.#authorization(blk, o, w),
        oauth2: (blk, _o, w) =>
          this.problem(blk.line, `${w}: lokirelay has no OAuth 2.0 client: not translated`),
        tls_config: (blk, o, w) => put(o, "tls_config", this.#clientTls(blk, w)),
        queue_config: (blk, o, w) => {
          const q: OutObject = {};
          this.#read(blk, w, {
            attrs: {
              capacity: "size",
              min_shards: "int",
              drain_timeout: "duration",
              block_on_overflow: "bool",
            },
          }, q);
          put(o, "queue_config", ordered(q, ORDER.queue));
        },
      },
    }, out);
    if (Object.keys(httpHeaders).length > 0) {
      const headers: OutObject = (out.headers as OutObject | undefined) ?? {};
      const lower = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
      for (const [k, v] of Object.entries(httpHeaders)) {
        if (lower.has(k.toLowerCase())) {
          this.problem(
            httpHeadersLine,
            `${where} > http_headers > ${k}: also set in headers; the headers value is used`,
          );
        } else put(headers, k, v);
      }
      put(out, "headers", headers);
    }
    return ordered(out, ORDER.endpoint);
  }

  #basicAuth(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    this.#read(b, where, {
      attrs: {
        username: "string",
        password: { kind: "string", fileTo: "password_file" },
        password_file: "string",
      },
    }, out);
    if (!Object.hasOwn(out, "username")) put(out, "username", "");
    return ordered(out, ORDER.basicAuth);
  }

  #authorization(b: AlloyBlock, endpoint: OutObject, where: string): void {
    let type: AlloyAttribute | undefined;
    const auth: OutObject = {};
    this.#read(b, where, {
      attrs: {
        type: (a) => (type = a),
        credentials: { kind: "string", to: "bearer_token", fileTo: "bearer_token_file" },
        credentials_file: { kind: "string", to: "bearer_token_file" },
      },
    }, auth);
    if (type !== undefined) {
      const t = type.value.kind === "string" ? type.value.value.trim() : undefined;
      if (t === undefined) {
        this.problem(
          type.line,
          `${where} > type: expected a string literal, got ${exprName(type.value)}: not translated`,
        );
        return;
      }
      if (t !== "" && t.toLowerCase() !== "bearer") {
        this.problem(
          type.line,
          `${where} > type: "${t}": lokirelay sends only Bearer credentials (bearer_token): not translated`,
        );
        return;
      }
    }
    for (const [key, value] of Object.entries(auth)) {
      if (Object.hasOwn(endpoint, key)) {
        this.problem(b.line, `${where}: sets ${key}, which is already set; the first is used`);
      } else put(endpoint, key, value);
    }
  }

  #clientTls(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    this.#read(b, where, {
      attrs: {
        ca_pem: { kind: "string", fileTo: "ca_file" },
        ca_file: "string",
        cert_pem: { kind: "string", fileTo: "cert_file" },
        cert_file: "string",
        key_pem: { kind: "string", fileTo: "key_file" },
        key_file: "string",
        server_name: "string",
        insecure_skip_verify: "bool",
        min_version: (a, _o, w) => {
          const v = a.value.kind === "string" ? a.value.value : undefined;
          if (v === "TLS12") {
            this.warn(
              a.line,
              `${w} > min_version: "TLS12" has no effect: it is the runtime's minimum already`,
            );
          } else {
            this.problem(
              a.line,
              `${w} > min_version: ${
                v === undefined ? exprName(a.value) : JSON.stringify(v)
              }: lokirelay's outbound TLS always uses the runtime's minimum (TLS 1.2): not translated`,
            );
          }
        },
      },
    }, out);
    return ordered(out, ORDER.clientTls);
  }

  #http(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    this.#read(b, where, {
      attrs: {
        listen_address: "string",
        listen_port: "int",
        conn_limit: "int",
        server_read_timeout: "duration",
        server_write_timeout: "duration",
        server_idle_timeout: "duration",
      },
      blocks: {
        tls: (blk, o, w) => put(o, "tls", this.#serverTls(blk, w)),
        http2: (blk, _o, w) => {
          const enabled = blk.body.find((s) => s.kind === "attribute" && s.name === "enabled");
          const on = enabled?.kind === "attribute" &&
            !(enabled.value.kind === "bool" && !enabled.value.value);
          if (on) {
            this.problem(
              blk.line,
              `${w}: lokirelay has no settings for an HTTP/2 server: not translated`,
            );
          } else {
            this.warn(blk.line, `${w}: HTTP/2 is disabled here (Alloy's default): no effect`);
          }
        },
      },
    }, out);
    return ordered(out, ORDER.http);
  }

  #serverTls(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    this.#read(b, where, {
      attrs: {
        cert_pem: { kind: "string", fileTo: "cert_file" },
        cert_file: "string",
        key_pem: { kind: "string", fileTo: "key_file" },
        key_file: "string",
        client_auth_type: "string",
        client_ca_file: "string",
        client_ca: { kind: "string", to: "client_ca_pem", fileTo: "client_ca_file" },
        client_ca_pem: { kind: "string", fileTo: "client_ca_file" },
        cipher_suites: "string",
        min_version: "string",
      },
    }, out);
    return ordered(out, ORDER.serverTls);
  }

  /** Follows a `forward_to` list; returns every route that ends at a loki.write. */
  #follow(list: AlloyExpr, chain: Component[], where: string): Route[] {
    if (list.kind !== "array") {
      this.problem(
        list.line,
        `${where}: expected a list of receivers, got ${exprName(list)}: not translated`,
      );
      return [];
    }
    const routes: Route[] = [];
    for (const el of list.elements) {
      if (el.kind !== "ref" || el.path.length < 2) {
        this.problem(
          el.line,
          `${where}: ${exprName(el)} is not a component's receiver: not translated`,
        );
        continue;
      }
      const key = el.path.slice(0, -1).join(".");
      const exported = el.path.at(-1);
      const c = this.#components.get(key);
      if (c === undefined) {
        this.problem(el.line, `${where}: ${el.path.join(".")}: no component ${key} in this file`);
        continue;
      }
      if (exported !== "receiver") {
        this.problem(el.line, `${where}: ${el.path.join(".")} is not a receiver: not translated`);
        continue;
      }
      if (chain.includes(c)) {
        this.problem(
          el.line,
          `${where}: ${key} is already on this route (a loop): not translated`,
        );
        continue;
      }
      if (c.kind === "loki.write") {
        routes.push({ write: c, chain });
        continue;
      }
      this.#used.add(c.key);
      if (c.kind !== "loki.relabel" && !this.#reportedOpaque.has(c.key)) {
        this.#reportedOpaque.add(c.key);
        this.problem(
          c.block.line,
          `${c.key} sits between loki.source.api and loki.write; lokirelay cannot run ${c.kind}: what it does is not translated`,
        );
      }
      const next = c.block.body.find((s): s is AlloyAttribute =>
        s.kind === "attribute" && s.name === "forward_to"
      );
      if (next === undefined || (next.value.kind === "array" && next.value.elements.length === 0)) {
        if (c.kind === "loki.relabel") {
          this.warn(
            c.block.line,
            `${c.key} forwards to nothing: the entries reaching it are discarded, in Alloy too`,
          );
        }
        continue;
      }
      routes.push(...this.#follow(next.value, [...chain, c], `${c.key} > forward_to`));
    }
    return routes;
  }

  /** The translated `rule` blocks of a loki.relabel or discovery.relabel component. */
  #componentRules(c: Component): OutObject[] {
    const cached = this.#rulesCache.get(c.key);
    if (cached) return cached;
    this.#used.add(c.key);
    const rules: OutObject[] = [];
    const spec: BlockSpec = {
      blocks: { rule: (b, _o, w) => rules.push(this.#rule(b, w)) },
      repeated: ["rule"],
    };
    if (c.kind === "loki.relabel") {
      spec.attrs = {
        forward_to: () => {},
        max_cache_size: (a, _o, w) => {
          if (this.#value(a.value, "int", `${w} > max_cache_size`) !== undefined) {
            this.warn(
              a.line,
              `${w} > max_cache_size: no effect: lokirelay caches resolved label sets itself`,
            );
          }
        },
      };
      this.#read(c.block, c.key, spec, {});
    } else {
      for (const s of c.block.body) {
        if (s.kind === "block" && s.name === "rule") rules.push(this.#rule(s, `${c.key} > rule`));
      }
    }
    this.#rulesCache.set(c.key, rules);
    return rules;
  }

  #rule(b: AlloyBlock, where: string): OutObject {
    const out: OutObject = {};
    this.#read(b, where, { attrs: RULE_ATTRS }, out);
    const rule = ordered(out, ORDER.rule);
    ruleLines.set(rule, b.line);
    return rule;
  }

  /** A `relabel_rules` value: `X.rules` references, `array.concat`, or a list of objects. */
  #rulesExpr(e: AlloyExpr, where: string): Out[] {
    if (e.kind === "ref" && e.path.length >= 2 && e.path.at(-1) === "rules") {
      const key = e.path.slice(0, -1).join(".");
      const c = this.#components.get(key);
      if (c === undefined || (c.kind !== "loki.relabel" && c.kind !== "discovery.relabel")) {
        this.problem(
          e.line,
          `${where}: ${e.path.join(".")}: ${
            c === undefined ? `no component ${key} in this file` : `${c.kind} has no rules`
          }`,
        );
        return [];
      }
      return this.#componentRules(c);
    }
    if (e.kind === "call" && (e.name === "array.concat" || e.name === "concat")) {
      return e.args.flatMap((a) => this.#rulesExpr(a, where));
    }
    if (e.kind === "array") {
      return e.elements.flatMap((el) => {
        if (el.kind !== "object") {
          this.problem(
            el.line,
            `${where}: expected a rule object, got ${exprName(el)}: not translated`,
          );
          return [];
        }
        const out: OutObject = {};
        const seen = new Set<string>();
        for (const f of el.fields) {
          const spec = RULE_ATTRS[f.key];
          if (spec === undefined || !Object.hasOwn(RULE_ATTRS, f.key)) {
            this.problem(f.line, `${where}: unknown rule field "${f.key}": not translated`);
            continue;
          }
          if (seen.has(f.key)) {
            this.problem(f.line, `${where}: rule field "${f.key}" is set twice; the first is used`);
            continue;
          }
          seen.add(f.key);
          const v = this.#value(f.value, spec, `${where} > ${f.key}`);
          if (v !== undefined) put(out, f.key, v);
        }
        const rule = ordered(out, ORDER.rule);
        ruleLines.set(rule, el.line);
        return [rule];
      });
    }
    this.problem(e.line, `${where}: ${exprName(e)} cannot be translated into rules`);
    return [];
  }

  /**
   * After loki.source.api, Alloy carries the push's tenant as the label `__tenant_id__`, which
   * loki.write sends as X-Scope-OrgID; lokirelay keeps the tenant outside the labels.
   */
  #checkTenantRules(c: Component): void {
    const matches = this.#options.matchesRegex ?? jsMatches;
    for (const rule of this.#componentRules(c)) {
      const line = ruleLines.get(rule) ?? c.block.line;
      const plain = (k: string) => typeof rule[k] === "string" ? rule[k] as string : undefined;
      const action = Object.hasOwn(rule, "action") ? plain("action") : "replace";
      const regex = Object.hasOwn(rule, "regex") ? plain("regex") : "(.*)";
      const sources = Array.isArray(rule.source_labels) ? rule.source_labels : [];
      const target = plain("target_label");
      let what: string | undefined;
      if (
        sources.includes(TENANT) ||
        ((action === "keepequal" || action === "dropequal") && target === TENANT)
      ) {
        what = "reads __tenant_id__, which lokirelay never shows to rules";
      } else if (
        target === TENANT && action !== undefined &&
        ["replace", "hashmod", "lowercase", "uppercase"].includes(action)
      ) {
        what =
          "sets __tenant_id__, which Alloy's loki.write sends as the tenant; lokirelay cannot change the tenant by rule";
      } else if (
        regex !== undefined &&
        (action === "labeldrop" || action === "labelkeep" || action === "labelmap")
      ) {
        const m = matches(regex, TENANT);
        const touches = m === undefined ? undefined : action === "labelkeep" ? !m : m;
        if (touches === undefined) {
          what = `may touch __tenant_id__ (could not tell whether ${
            JSON.stringify(regex)
          } matches it)`;
        } else if (touches && action === "labelmap") {
          what =
            "copies __tenant_id__ into a label, which lokirelay cannot (it never shows the tenant to rules)";
        } else if (touches) {
          what =
            "removes __tenant_id__, so Alloy's loki.write falls back to the endpoint's tenant_id; lokirelay keeps the client's tenant";
        }
      }
      if (what !== undefined) {
        this.problem(
          line,
          `${c.key} > rule: after loki.source.api Alloy holds the push's X-Scope-OrgID in the label __tenant_id__; this rule ${what} (kept for the other labels)`,
        );
      }
    }
  }

  /** Applies a block's attributes and nested blocks to `out`, reporting what is unknown. */
  #read(block: AlloyBlock, where: string, spec: BlockSpec, out: OutObject): void {
    const seen = new Set<string>();
    const blockCount = new Map<string, number>();
    for (const s of block.body) {
      if (s.kind === "attribute") {
        if (seen.has(s.name)) {
          this.problem(
            s.line,
            `${where}: "${s.name}" is set twice (Alloy refuses this); the first is used`,
          );
          continue;
        }
        seen.add(s.name);
        const h = spec.attrs && Object.hasOwn(spec.attrs, s.name) ? spec.attrs[s.name] : undefined;
        if (h === undefined) {
          this.problem(s.line, `${where}: unknown attribute "${s.name}": not translated`);
        } else if (s.value.kind === "null") {
          // null is Alloy's "not set"
        } else if (typeof h === "function") {
          h(s, out, where);
        } else {
          this.#attr(s, typeof h === "string" ? { kind: h } : h, out, where);
        }
        continue;
      }
      const h = spec.blocks && Object.hasOwn(spec.blocks, s.name) ? spec.blocks[s.name] : undefined;
      if (h === undefined) {
        this.problem(s.line, `${where}: unknown block "${s.name}": not translated`);
        continue;
      }
      if (s.label !== null) {
        this.problem(
          s.line,
          `${where}: block "${s.name}" cannot have a label (Alloy refuses this): not translated`,
        );
        continue;
      }
      const n = (blockCount.get(s.name) ?? 0) + 1;
      blockCount.set(s.name, n);
      if (n > 1 && !spec.repeated?.includes(s.name)) {
        this.problem(
          s.line,
          `${where}: block "${s.name}" appears twice (Alloy refuses this); the first is used`,
        );
        continue;
      }
      h(s, out, `${where} > ${s.name}`);
    }
  }

  #attr(a: AlloyAttribute, spec: AttrSpec, out: OutObject, where: string): void {
    const at = `${where} > ${a.name}`;
    let key = spec.to ?? a.name;
    let value: Out | undefined;
    const file = spec.fileTo ? this.#localFile(a.value, at, spec.fileTo) : NOT_LOCAL_FILE;
    if (file !== NOT_LOCAL_FILE) {
      key = spec.fileTo!;
      value = file;
    } else {
      value = this.#value(a.value, spec.kind, at);
    }
    if (value === undefined) return;
    if (Object.hasOwn(out, key)) {
      this.problem(a.line, `${at}: sets ${key}, which is already set; the first is used`);
      return;
    }
    put(out, key, value);
  }

  /** `local.file.X.content` (possibly inside nonsensitive()): X's file name, for a `*_file` field. */
  #localFile(
    e: AlloyExpr,
    where: string,
    fileField: string,
  ): Str | undefined | typeof NOT_LOCAL_FILE {
    while (
      e.kind === "call" && (e.name === "convert.nonsensitive" || e.name === "nonsensitive") &&
      e.args.length === 1
    ) {
      e = e.args[0];
    }
    if (e.kind !== "ref" || e.path.at(-1) !== "content") return NOT_LOCAL_FILE;
    const c = this.#components.get(e.path.slice(0, -1).join("."));
    if (c === undefined || c.kind !== "local.file") return NOT_LOCAL_FILE;
    this.#used.add(c.key);
    const filename = c.block.body.find((s): s is AlloyAttribute =>
      s.kind === "attribute" && s.name === "filename"
    );
    if (filename === undefined) {
      this.problem(c.block.line, `${c.key}: filename is missing (Alloy requires it)`);
      return undefined;
    }
    const v = this.#str(filename.value, `${c.key} > filename`);
    if (v !== undefined && !this.#warnedLocalFiles.has(c.key)) {
      this.#warnedLocalFiles.add(c.key);
      const secret = fileField === "password_file" || fileField === "bearer_token_file";
      this.warn(
        c.block.line,
        `${where}: reads ${c.key} as ${fileField}: lokirelay reads the file at start and on each reload, not when it changes${
          secret
            ? ", and trims surrounding whitespace (Alloy's content keeps a trailing newline)"
            : ""
        }; detector, poll_frequency and is_secret have no effect`,
      );
    }
    return v;
  }

  #value(e: AlloyExpr, kind: Kind, where: string): Out | undefined {
    switch (kind) {
      case "string":
        return this.#str(e, where);
      case "duration":
        if (e.kind === "number") {
          this.problem(e.line, `${where}: a duration is a string such as "10s", got ${e.text}`);
          return undefined;
        }
        return this.#str(e, where);
      case "size":
        return e.kind === "number" ? e.value : this.#str(e, where);
      case "int": {
        let n: number | undefined;
        if (e.kind === "number") n = e.value;
        else if (e.kind === "unary" && e.op === "-" && e.operand.kind === "number") {
          n = -e.operand.value;
        } else if (e.kind === "string" && /^-?[0-9]+$/.test(e.value.trim())) {
          n = Number(e.value.trim());
        }
        if (n !== undefined && Number.isInteger(n)) return n;
        this.#notScalar(e, "a whole number", where);
        return undefined;
      }
      case "bool":
        if (e.kind === "bool") return e.value;
        this.#notScalar(e, "true or false", where);
        return undefined;
      case "map": {
        if (e.kind !== "object") {
          this.problem(e.line, `${where}: expected an object, got ${exprName(e)}: not translated`);
          return undefined;
        }
        const out: OutObject = {};
        for (const f of e.fields) {
          if (Object.hasOwn(out, f.key)) {
            this.problem(f.line, `${where}: key "${f.key}" is set twice; the first is used`);
            continue;
          }
          const v = this.#str(f.value, `${where} > ${f.key}`);
          if (v !== undefined) put(out, f.key, v);
        }
        return out;
      }
      case "strings": {
        if (e.kind !== "array") {
          this.problem(
            e.line,
            `${where}: expected a list of strings, got ${exprName(e)}: not translated`,
          );
          return undefined;
        }
        const out: Out[] = [];
        for (const el of e.elements) {
          const v = this.#str(el, where);
          if (v !== undefined) out.push(v);
        }
        return out;
      }
    }
  }

  #notScalar(e: AlloyExpr, expected: string, where: string): void {
    const s = this.#isEnvExpr(e);
    this.problem(
      e.line,
      s
        ? `${where}: an environment variable cannot supply ${expected}: lokirelay expands variables inside strings only`
        : `${where}: expected ${expected}, got ${exprName(e)}: not translated`,
    );
  }

  #isEnvExpr(e: AlloyExpr): boolean {
    if (e.kind === "call") {
      return ["sys.env", "env", "coalesce", "convert.nonsensitive", "nonsensitive"].includes(
        e.name ?? "",
      );
    }
    return e.kind === "binary" && e.op === "+" &&
      (this.#isEnvExpr(e.left) || this.#isEnvExpr(e.right));
  }

  /** A string value: literals, numbers, env references, `coalesce`, `+`. */
  #str(e: AlloyExpr, where: string): Str | undefined {
    switch (e.kind) {
      case "string":
        return e.value;
      case "number":
        return String(e.value);
      case "binary": {
        if (e.op !== "+") break;
        const l = this.#str(e.left, where);
        const r = this.#str(e.right, where);
        return l === undefined || r === undefined ? undefined : concatStr(l, r);
      }
      case "call": {
        const name = e.name ?? "";
        if (name === "sys.env" || name === "env") return this.#env(e, name, where);
        if (name === "convert.nonsensitive" || name === "nonsensitive") {
          if (e.args.length === 1) return this.#str(e.args[0], where);
          break;
        }
        if (name === "coalesce") return this.#coalesce(e, where);
        this.problem(
          e.line,
          `${where}: function ${
            name === "" ? "call" : `"${name}"`
          } cannot be translated (lokirelay's config has no functions; sys.env, env, coalesce and convert.nonsensitive can)`,
        );
        return undefined;
      }
      case "ref": {
        const path = e.path.join(".");
        const isLocalFile =
          this.#components.get(e.path.slice(0, -1).join("."))?.kind === "local.file";
        this.problem(
          e.line,
          isLocalFile
            ? `${where}: ${path}: only secret and PEM fields can come from a local.file (as their *_file twin): not translated`
            : `${where}: ${path}: lokirelay's config has no references or constants: not translated`,
        );
        return undefined;
      }
    }
    this.problem(
      e.line,
      `${where}: ${
        e.kind === "binary" || e.kind === "unary" ? `operator "${e.op}"` : exprName(e)
      } cannot be translated into a string`,
    );
    return undefined;
  }

  #env(e: AlloyExpr & { kind: "call" }, name: string, where: string): Str | undefined {
    if (e.args.length !== 1) {
      this.problem(e.line, `${where}: ${name}() takes one argument, got ${e.args.length}`);
      return undefined;
    }
    const arg = e.args[0];
    const v = this.#str(arg, where);
    if (v === undefined) return undefined;
    if (typeof v !== "string") {
      this.problem(arg.line, `${where}: ${name}() of a computed name cannot be translated`);
      return undefined;
    }
    if (!ENV_NAME.test(v)) {
      this.problem(
        arg.line,
        `${where}: ${name}(${
          JSON.stringify(v)
        }): lokirelay's \${NAME} takes only letters, digits and "_" (not starting with a digit): not translated`,
      );
      return undefined;
    }
    return new EnvString([{ env: v, fallback: this.#options.unsetEnv === "empty" ? "" : null }]);
  }

  /** `coalesce(sys.env("X"), "default")`: the first non-empty value, as `${X:-default}`. */
  #coalesce(e: AlloyExpr & { kind: "call" }, where: string): Str | undefined {
    const args = e.args.map((a) => this.#str(a, where));
    if (args.some((a) => a === undefined) || args.length === 0) {
      if (args.length === 0) this.problem(e.line, `${where}: coalesce() needs arguments`);
      return undefined;
    }
    let acc = args.at(-1)!;
    for (let i = args.length - 2; i >= 0; i--) {
      const a = args[i]!;
      if (typeof a === "string") {
        if (a !== "") acc = a;
        continue;
      }
      const only = a.parts.length === 1 && typeof a.parts[0] !== "string" ? a.parts[0] : undefined;
      if (only === undefined || typeof acc !== "string") {
        this.problem(
          e.line,
          `${where}: coalesce() is translated only as coalesce(sys.env("NAME"), "literal default")`,
        );
        return undefined;
      }
      if (acc.includes("}")) {
        this.problem(
          e.line,
          `${where}: the default ${JSON.stringify(acc)} cannot contain "}" in \${NAME:-default}`,
        );
        return undefined;
      }
      acc = new EnvString([{ env: only.env, fallback: acc }]);
    }
    return acc;
  }

  #reportUnused(): void {
    for (const c of this.#components.values()) {
      if (this.#used.has(c.key)) continue;
      const line = c.block.line;
      if (c.kind === "loki.write") {
        this.warn(line, `${c.key} is not reached from ${this.#sourceKey}: ignored`);
      } else if (c.kind === "loki.relabel") {
        this.warn(
          line,
          `${c.key} is neither reached from ${this.#sourceKey} nor used for its rules: ignored`,
        );
      } else if (c.kind.startsWith("loki.source.")) {
        this.problem(
          line,
          `${c.key}: lokirelay receives only the Loki push API (loki.source.api): ignored`,
        );
      } else if (!PIPELINE_KINDS.includes(c.kind)) {
        this.problem(line, `${c.key}: not part of the loki pipeline: ignored`);
      }
    }
  }
}

const RULE_ATTRS: Record<string, Kind> = {
  source_labels: "strings",
  separator: "string",
  regex: "string",
  modulus: "int",
  target_label: "string",
  replacement: "string",
  action: "string",
};
const ruleLines = new WeakMap<OutObject, number>();

function hasEnv(v: unknown): boolean {
  if (v instanceof EnvString) return true;
  if (Array.isArray(v)) return v.some(hasEnv);
  if (typeof v === "object" && v !== null) return Object.values(v).some(hasEnv);
  return false;
}

function render(v: Out, escape: boolean): unknown {
  const lit = (s: string) => escape ? s.replaceAll("$", "$$$$") : s;
  if (typeof v === "string") return lit(v);
  if (v instanceof EnvString) {
    return v.parts.map((p) =>
      typeof p === "string"
        ? lit(p)
        : p.fallback === null
        ? `\${${p.env}}`
        : `\${${p.env}:-${lit(p.fallback)}}`
    ).join("");
  }
  if (Array.isArray(v)) return v.map((x) => render(x, escape));
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, lit(k), {
        value: render(x, escape),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

/**
 * Converts an Alloy configuration to lokirelay's JSON configuration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertAlloy } from "./convert_alloy.ts";
 *
 * const alloy = `
 * loki.source.api "in" {
 *   http {
 *     listen_port = 3500
 *   }
 *   forward_to = [loki.relabel.tidy.receiver]
 * }
 *
 * loki.relabel "tidy" {
 *   forward_to = [loki.write.out.receiver]
 *   rule {
 *     action = "labeldrop"
 *     regex  = "pod_uid"
 *   }
 * }
 *
 * loki.write "out" {
 *   endpoint {
 *     url          = "https://logs.example.net/loki/api/v1/push"
 *     bearer_token = sys.env("LOGS_TOKEN")
 *   }
 * }
 * `;
 * const r = convertAlloy(alloy);
 * assert.deepEqual(r.problems, []);
 * assert.equal(r.needsEnv, true);
 * assert.deepEqual(r.config, {
 *   http: { listen_port: 3500 },
 *   relabel_rules: [
 *     { regex: "__.*", action: "labeldrop" },
 *     { regex: "pod_uid", action: "labeldrop" },
 *   ],
 *   forward_to: [{
 *     url: "https://logs.example.net/loki/api/v1/push",
 *     bearer_token: "${LOGS_TOKEN}",
 *   }],
 * });
 *
 * const bad = convertAlloy('loki.source.api "a" {\n  forward_to = [\n}\n');
 * assert.deepEqual(bad.problems, [{ line: 3, message: '3:1: expected a value, got "}"' }]);
 * ```
 */
export function convertAlloy(text: string, options: ConvertAlloyOptions = {}): ConvertAlloyResult {
  const parsed = parseAlloy(text);
  if (!parsed.ok) {
    return {
      config: {},
      problems: [{ line: parsed.error.line, message: parsed.error.message }],
      warnings: [],
      needsEnv: false,
    };
  }
  const converter = new Converter(options);
  const built = converter.convert(parsed.body);
  const needsEnv = hasEnv(built);
  const byLine = (a: ConvertNote, b: ConvertNote) => a.line - b.line;
  return {
    config: render(built, needsEnv) as Record<string, unknown>,
    problems: converter.problems.toSorted(byLine),
    warnings: converter.warnings.toSorted(byLine),
    needsEnv,
  };
}

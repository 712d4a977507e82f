// Relabel cost: a realistic 10-rule chain, per label set, without and with the relay's
// per-stream cache (what a steady stream costs).
import { compileRules, relabel } from "../../src/rules/mod.ts";
import { createStreamResolver } from "../../src/receive/stream_resolver.ts";
import { formatLabels } from "../../src/labels/format_labels.ts";
import { fmt, RUNTIME, timeIt } from "./stats.ts";

export const TEN_RULES = [
  { source_labels: ["app"], target_label: "service" },
  { source_labels: ["namespace"], regex: "team-(\\d+)", target_label: "team", replacement: "t$1" },
  { source_labels: ["level"], regex: "debug", action: "drop" as const },
  { source_labels: ["pod"], regex: "(.+)-[a-z0-9]+", target_label: "workload" },
  { source_labels: ["instance"], regex: "([^:]+):\\d+", target_label: "host" },
  { source_labels: ["cluster", "env"], separator: "/", target_label: "where" },
  { regex: "instance", action: "labeldrop" as const },
  { source_labels: ["service"], target_label: "shard", modulus: 8, action: "hashmod" as const },
  { source_labels: ["env"], target_label: "env_upper", action: "uppercase" as const },
  {
    source_labels: ["app"],
    regex: "api|web|worker|billing|auth|search|gateway|cron",
    action: "keep" as const,
  },
];

export function measureRelabel(ms = 1500) {
  const sets = Array.from({ length: 100 }, (_, i) => ({
    app: ["api", "web", "worker", "billing"][i % 4],
    cluster: "prod-eu-1",
    env: "production",
    instance: `10.0.${i % 16}.${i}:9090`,
    level: ["info", "warn", "error"][i % 3],
    namespace: `team-${i % 5}`,
    pod: `api-${(i * 7919).toString(36)}`,
  }));
  const compiled = compileRules(TEN_RULES);
  let i = 0;
  const perCall = timeIt(() => {
    for (let k = 0; k < 100; k++) relabel(sets[i++ % sets.length], compiled);
  }, ms) / 100;
  const resolve = createStreamResolver({ labels: {}, relabel: (l) => relabel(l, compiled) });
  const strings = sets.map(formatLabels);
  const cached = timeIt(() => {
    for (let k = 0; k < 100; k++) resolve(strings[i++ % strings.length]);
  }, ms) / 100;
  return { uncachedPerSec: 1000 / perCall, cachedPerSec: 1000 / cached };
}

if (import.meta.main) {
  const r = measureRelabel();
  console.log(`relabel on ${RUNTIME}, 10-rule chain:`);
  console.log(`  without cache ${fmt(r.uncachedPerSec / 1000)} k label sets/s`);
  console.log(`  with the per-stream cache ${fmt(r.cachedPerSec / 1e6)} M label sets/s`);
}

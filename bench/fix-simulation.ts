// npm run bench:fix-simulation — how often the proposed cloud fix is proven, and what the proof costs.
// 1) the denied scenarios of the rule-engine suites (src/core/cloud/alicloud/fix-scenarios.ts): success
//    rate = scenarios with at least one fix offered whose simulation says allow / denied scenarios;
// 2) seeded generated denied security groups (the same generator shape as the property test);
// 3) time per fix: proposing (checklist + renderer + proof) per scenario, and the proof alone per fix,
//    also at the quota limit (10 groups × 100 rules).
// --quick (or SGD_BENCH_QUICK=1): one run of each measurement, fewer generated cases.
import { DENIED_SCENARIOS, deniedByCloud, proposedFixes } from '../src/core/cloud/alicloud/fix-scenarios';
import { prove } from '../src/core/cloud/alicloud/fixes-simulate';
import type { CloudSnapshot } from '../src/core/cloud/model';
import type { CloudFixJson } from '../src/core/diagnosis/fixes';
import { CLIENT_IP, bigSnapshot, group, prng, rule, snapshot, sshFlow, type RuleSpec } from '../src/core/rules/fixtures';
import type { Flow } from '../src/core/rules/types';
import { QUICK, benchRuns } from './quick';

const quick = QUICK || process.argv.includes('--quick');
const runs = quick ? 1 : benchRuns(20, 'SGD_BENCH_RUNS', 200);

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`);

function time<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

interface Case {
  name: string;
  snapshot: CloudSnapshot;
  flow: Flow;
  noNarrowFix?: boolean;
}

/** Seeded denied security groups: random TCP/UDP/ALL rules near port 22, accept and drop, priorities 1–4. */
function generated(n: number, seed: number): Case[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const cidrs = [`${CLIENT_IP}/32`, '203.0.113.0/24', '0.0.0.0/0', '198.51.100.0/24', '10.0.0.0/8'];
  const out: Case[] = [];
  for (let tries = 0; out.length < n && tries < n * 20; tries++) {
    const specs = (k: number): RuleSpec[] =>
      Array.from({ length: k }, () => {
        const protocol = pick(['tcp', 'tcp', 'udp', 'all'] as const);
        return { protocol, ports: protocol === 'all' ? '-1/-1' : pick(['22/22', '21/23', '80/80', '2222/2222', '1/65535']), cidr: pick(cidrs), policy: pick(['accept', 'drop'] as const), priority: 1 + Math.floor(rnd() * 4), direction: rnd() < 0.8 ? ('ingress' as const) : ('egress' as const) };
      });
    const s = snapshot({ groups: [group('sg-a', specs(Math.floor(rnd() * 6))), group('sg-b', specs(Math.floor(rnd() * 4)))] });
    if (deniedByCloud(s, sshFlow())) out.push({ name: `generated #${tries}`, snapshot: s, flow: sshFlow() });
  }
  return out;
}

/** The quota-limit account with the SSH flow denied by a priority-5 drop from anywhere. */
function atQuota(): Case {
  const big = bigSnapshot(10, 100);
  const [first, ...rest] = big.securityGroups;
  const drop = rule(first.id, first.rules.length, { id: 'sgr-drop22', ports: '22/22', cidr: '0.0.0.0/0', policy: 'drop', priority: 5 });
  const s = { ...big, securityGroups: [{ ...first, rules: [...first.rules, drop] }, ...rest] };
  return { name: '10 groups × 100 rules, drop at priority 5', snapshot: s, flow: sshFlow() };
}

function evaluate(label: string, cases: Case[]): { rate: number; failedSims: number } {
  let fixed = 0;
  let failedSims = 0;
  const proposeMs: number[] = [];
  const proofMs: number[] = [];
  const notFixed: string[] = [];
  let fixes = 0;
  for (const c of cases) {
    let offered: CloudFixJson[] = [];
    for (let i = 0; i < runs; i++) {
      // A fresh copy each run: proofs are memoised per snapshot object, and a memo hit is not the cost.
      const snap = structuredClone(c.snapshot);
      const r = time(() => proposedFixes(snap, c.flow));
      proposeMs.push(r.ms);
      offered = r.value.filter((f) => f.actions.length > 0);
    }
    failedSims += offered.filter((f) => f.simulated.decision !== 'allow').length;
    if (offered.some((f) => f.simulated.decision === 'allow')) fixed++;
    else notFixed.push(`${c.name}${c.noNarrowFix ? ' (expected: no narrow fix exists)' : ''}`);
    fixes += offered.length;
    for (const f of offered) for (let i = 0; i < runs; i++) proofMs.push(time(() => prove(c.snapshot, c.flow, f.actions)).ms);
  }
  const rate = cases.length ? fixed / cases.length : 0;
  console.log(`\n${label}`);
  console.log(`  simulated-fix success rate: ${fixed}/${cases.length} = ${(rate * 100).toFixed(1)} % (offered with simulated allow / denied scenarios)`);
  console.log(`  fixes offered: ${fixes} (every one simulated allow: ${failedSims === 0 ? 'yes' : `NO, ${failedSims} did not`})`);
  console.log(`  propose (checklist + renderer + proof) per scenario: median ${fmt(quantile(proposeMs, 0.5))}, p95 ${fmt(quantile(proposeMs, 0.95))}`);
  console.log(`  proof alone per fix (apply + re-evaluate + narrowness, not memoised): median ${fmt(quantile(proofMs, 0.5))}, p95 ${fmt(quantile(proofMs, 0.95))}`);
  for (const n of notFixed) console.log(`  not fixed: ${n}`);
  return { rate, failedSims };
}

const table = evaluate(`Denied scenarios of the rule-engine suites (${DENIED_SCENARIOS.length}), ${runs} run(s) each`, [...DENIED_SCENARIOS]);
const gen = generated(quick ? 40 : 300, 20261202);
const g = evaluate(`Generated denied security groups (${gen.length}, seed 20261202), ${runs} run(s) each`, gen);
const q = evaluate(`At the quota limit, ${runs} run(s)`, [atQuota()]);
if (table.failedSims + g.failedSims + q.failedSims > 0) {
  console.error('\nfix-simulation: an offered fix did not simulate allow');
  process.exit(1);
}

// npm run bench:rules — rule-engine speed at the quota limit, and the cloud read's critical path.
// 1) evaluateSecurityGroups for one flow and effectiveAccess for one source over 10 groups × 1000 rules
//    (seeded, deterministic; the platform's real cap is 1000 rules per ENI, so 10 × 100 is shown too);
// 2) the full read against the fake API with injected latency, if bench/rules-read.ts (helper H5) exists.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { effectiveAccess } from '../src/core/rules/effective';
import type { CloudSnapshot } from '../src/core/cloud/model';
import { EIP, bigSnapshot, rule } from '../src/core/rules/fixtures';
import { evaluateNetworkAcl } from '../src/core/rules/networkAcl';
import { evaluateSecurityGroups } from '../src/core/rules/securityGroups';
import type { Flow } from '../src/core/rules/types';
import { benchRuns } from './quick';

/** The same snapshot plus a priority-1 drop of TCP 22 from anywhere in the first group. */
function withDrop22(snap: CloudSnapshot): CloudSnapshot {
  const [first, ...rest] = snap.securityGroups;
  const drop = rule(first.id, first.rules.length, { id: 'sgr-drop22', ports: '22/22', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 });
  return { ...snap, securityGroups: [{ ...first, rules: [...first.rules, drop] }, ...rest] };
}

interface Stat {
  name: string;
  runs: number;
  firstMs: number;
  medianMs: number;
  p95Ms: number;
  /** CPU time of this process per run (median): less disturbed than wall time on a shared machine. */
  cpuMedianMs: number;
}

function measure(name: string, runs: number, fn: () => unknown): Stat {
  const t0 = performance.now();
  fn();
  const firstMs = performance.now() - t0;
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    fn();
    samples.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { name, runs, firstMs, medianMs: samples[Math.floor(runs / 2)], p95Ms: samples[Math.min(runs - 1, Math.floor(runs * 0.95))], cpuMedianMs: cpu[Math.floor(runs / 2)] };
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

function printTable(stats: Stat[]): void {
  const head = ['case', 'runs', 'first (cold)', 'median', 'p95', 'cpu median'];
  const rows = stats.map((s) => [s.name, String(s.runs), fmt(s.firstMs), fmt(s.medianMs), fmt(s.p95Ms), fmt(s.cpuMedianMs)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const load = (await import('node:os')).loadavg()[0];
  console.log(`SG Doctor rule-engine benchmark (node ${process.version}, ${process.platform}/${process.arch}, load average ${load.toFixed(1)})\n`);
  const stats: Stat[] = [];
  for (const [groups, perGroup] of [
    [10, 1000],
    [10, 100],
  ] as const) {
    const snap = bigSnapshot(groups, perGroup, 42);
    const label = `${groups}×${perGroup}`;
    const allowed: Flow = { direction: 'ingress', protocol: 'tcp', sourceIp: '203.0.113.7', destinationIp: EIP, port: 22 };
    const a = evaluateSecurityGroups(snap, allowed);
    stats.push(measure(`${label} evaluateSecurityGroups, one flow (${a.decision})`, benchRuns(300), () => evaluateSecurityGroups(snap, allowed)));
    // Worst case: a priority-1 drop decides, so near misses are collected over every rule.
    const dropped = withDrop22(snap);
    const d = evaluateSecurityGroups(dropped, allowed);
    stats.push(measure(`${label} evaluateSecurityGroups, one flow (${d.decision}, ${d.nearMisses.length} near misses)`, benchRuns(300), () => evaluateSecurityGroups(dropped, allowed)));
    const effective = effectiveAccess(snap, '203.0.113.7');
    stats.push(measure(`${label} effectiveAccess (${effective.tcp.length}+${effective.udp.length} segments)`, benchRuns(100), () => effectiveAccess(snap, '203.0.113.7')));
    // Fresh snapshots (built outside the timing): includes compiling every rule, what a first `cloud check` pays.
    const fresh = Array.from({ length: benchRuns(20) + 1 }, () => bigSnapshot(groups, perGroup, 42));
    let k = 0;
    stats.push(measure(`${label} evaluateSecurityGroups, uncompiled snapshot`, benchRuns(20), () => evaluateSecurityGroups(fresh[k++], allowed)));
  }
  const aclSnap = bigSnapshot(1, 1, 1);
  aclSnap.networkAcls = [
    {
      id: 'nacl-bench',
      region: 'cn-hangzhou',
      vSwitchIds: [aclSnap.interfaces[0].vSwitchId as string],
      ingress: Array.from({ length: 20 }, (_, i) => ({ id: `in-${i}`, direction: 'ingress' as const, protocol: 'tcp' as const, portRange: { from: 1000 + i, to: 2000 + i }, cidr: `198.51.${i}.0/24`, policy: 'accept' as const, order: i })),
      egress: Array.from({ length: 20 }, (_, i) => ({ id: `eg-${i}`, direction: 'egress' as const, protocol: 'tcp' as const, portRange: { from: 1024 + i * 3000, to: 1024 + i * 3000 + 2000 }, cidr: '0.0.0.0/0', policy: (i % 3 ? 'accept' : 'drop') as 'accept' | 'drop', order: i })),
    },
  ];
  stats.push(measure('network ACL 20+20 entries, one flow + ephemeral coverage', benchRuns(300), () => evaluateNetworkAcl(aclSnap, { direction: 'ingress', protocol: 'tcp', sourceIp: '203.0.113.7', destinationIp: EIP, port: 22 })));
  printTable(stats);

  console.log('\nFull cloud read against the fake API (100 ms injected latency per call):');
  const candidates = [resolve(process.cwd(), 'bench/rules-read.ts'), resolve(__dirname, 'rules-read.ts')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    console.log('  not available: bench/rules-read.ts (helper H5) does not exist yet');
    return;
  }
  const mod = (await import(pathToFileURL(file).href)) as { benchFullRead?: (opts?: unknown) => Promise<{ wallMs: number; criticalPathRoundTrips: number; calls: number }> };
  const benchFullRead = mod.benchFullRead ?? (mod as { default?: typeof mod }).default?.benchFullRead;
  if (typeof benchFullRead !== 'function') {
    console.log(`  not available: ${file} does not export benchFullRead()`);
    return;
  }
  const r = await benchFullRead({ latencyMs: 100 });
  const ok = r.criticalPathRoundTrips <= 3;
  console.log(`  wall time ${r.wallMs.toFixed(0)} ms, ${r.calls} API calls, critical path ${r.criticalPathRoundTrips} sequential round trips (goal ≤ 3: ${ok ? 'met' : 'NOT met'})`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

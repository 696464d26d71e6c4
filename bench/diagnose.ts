// npm run bench:diagnose — time to verdict for the lab scenarios, with the fake Alibaba API answering
// every call after 50 ms. For each scenario: the median wall time of runDiagnosis (probes + cloud read +
// rules + verdict) run inside the lab's client namespace, and for a filtered port how long after the last
// adaptive-timeout expiry the verdict came. Goal: every verdict within 2 s, filtered ones included, on the
// lab's fast path (--icmp: the ping RTT seeds the adaptive timeout).
//   SGD_BENCH_RUNS   runs per scenario (default 5)
//   SGD_BENCH_ICMP   0 to probe without the ICMP fast path (timeouts then start at nmap T4's 500 ms)
//   SGD_BENCH_LATENCY_MS  fake API latency per call (default 50)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, labAvailability, tsxArgv } from '../test/lab/lab';
import { benchRuns, cannotRun } from './quick';
import { collectServerEvidence, FakeApiInNamespace, INSTANCE_ID, labSpec, REGION, SCENARIOS, scenarioParams } from '../test/scenarios/support';

const RUNS = benchRuns(5, 'SGD_BENCH_RUNS', 50);
const ICMP = process.env.SGD_BENCH_ICMP !== '0';
const LATENCY = Math.max(0, Number(process.env.SGD_BENCH_LATENCY_MS ?? 50) || 0);
const GOAL_MS = 2000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  const avail = labAvailability();
  if (!avail.ok) {
    cannotRun('bench:diagnose', `the network lab cannot run here (${avail.reason})`);
  }
  // Scenarios where the probe would hit the unroutable stale address are not timed (nothing to wait for there).
  const scenarios = SCENARIOS;
  const lab = await createLab(labSpec(scenarios));
  const dir = mkdtempSync(join(tmpdir(), 'sgd-bench-diag-'));
  let fake: FakeApiInNamespace | null = null;
  try {
    fake = await FakeApiInNamespace.start(lab, scenarioParams(lab, scenarios[0]), LATENCY);
    console.log(`bench:diagnose — ${RUNS} run(s) per scenario, fake API latency ${LATENCY} ms/call, ICMP fast path ${ICMP ? 'on' : 'off'}, goal < ${GOAL_MS} ms`);
    console.log('');
    const rows: string[][] = [['scenario', 'locus', 'probe state', 'median ms', 'max ms', 'timeout ms', 'verdict after timeout ms', 'goal']];
    let worst = 0;
    for (const s of scenarios) {
      await fake.set(scenarioParams(lab, s), LATENCY);
      const evidenceFile = s.serverEvidence ? await collectServerEvidence(lab, s.port, dir) : undefined;
      const job = {
        host: s.host === 'dns-name' ? 'www.sgd.test' : lab.hosts.server.ipv4,
        port: s.port,
        instanceId: INSTANCE_ID,
        region: REGION,
        endpoint: fake.endpoint,
        echoUrl: fake.echoUrl,
        control: `${lab.hosts.echo.ipv4}:${s.port}`,
        runs: RUNS,
        icmp: ICMP,
        evidenceFile,
      };
      const { TEST_ACCESS_KEY } = await import('../test/fake-api');
      const r = await lab.runInClient(tsxArgv('bench/diagnose-child.ts', [JSON.stringify(job)]), {
        timeoutMs: 120_000,
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret, HOME: dir, SGD_CONFIG: '' },
      });
      if (r.code !== 0) {
        rows.push([s.name, 'ERROR', r.stderr.trim().split('\n').slice(-1)[0] ?? '', '', '', '', '', '']);
        continue;
      }
      const runs = JSON.parse(r.stdout.trim().split('\n').pop()!) as { totalMs: number; locus: string; afterTimeoutMs: number | null; timeoutMs: number | null; state: string }[];
      const med = median(runs.map((x) => x.totalMs));
      const max = Math.max(...runs.map((x) => x.totalMs));
      worst = Math.max(worst, med);
      const after = runs.map((x) => x.afterTimeoutMs).filter((x): x is number => x !== null);
      const tmo = runs.map((x) => x.timeoutMs).filter((x): x is number => x !== null);
      rows.push([s.name, runs[0].locus, runs[0].state, med.toFixed(0), max.toFixed(0), tmo.length ? String(Math.max(...tmo)) : '-', after.length ? median(after).toFixed(0) : '-', med < GOAL_MS ? 'ok' : 'MISSED']);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
    for (const r of rows) console.log(r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  '));
    console.log('');
    console.log(`worst median: ${worst.toFixed(0)} ms (${worst < GOAL_MS ? 'within' : 'OVER'} the ${GOAL_MS} ms goal)`);
  } finally {
    await fake?.stop();
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

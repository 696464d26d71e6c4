// Benchmark: a full cloud read (real SDK clients, real signatures) against the loopback fake API with an
// injected latency per call. Prints the wall time and the number of sequential round trips on the critical
// path (goal: <= 3 however many groups). Run: npx tsx bench/rules-read.ts [--latency 100] [--groups 10] [--rules 100]
import { readCloudSnapshot } from '../src/core/cloud/alicloud/read';
import { buildScenario, criticalPathRoundTrips, startFakeAliyun, TEST_ACCESS_KEY } from '../test/fake-api';

export interface BenchReadOptions {
  latencyMs?: number;
  groups?: number;
  rulesPerGroup?: number;
  /** Find by address (adds the search) instead of by instance id. */
  byAddress?: boolean;
}

export interface BenchReadResult {
  wallMs: number;
  criticalPathRoundTrips: number;
  calls: number;
}

export async function benchFullRead(opts: BenchReadOptions = {}): Promise<BenchReadResult> {
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ??= 'true';
  const scenario = buildScenario({ variant: 'many-rules', groups: opts.groups ?? 10, rulesPerGroup: opts.rulesPerGroup ?? 100 });
  const fake = await startFakeAliyun({ scenario, ...TEST_ACCESS_KEY, latencyMs: 0 });
  const endpoints = { ecs: fake.endpoint, vpc: fake.endpoint, sts: fake.endpoint };
  const target = opts.byAddress ? { address: '47.96.10.20' } : { instanceId: 'i-bp1sgdoctor00000001' };
  try {
    // Warm-up (module loading, JIT) without latency, so the measured read is the network-bound part.
    await readCloudSnapshot({ ...target, region: 'cn-hangzhou', credentials: { ...TEST_ACCESS_KEY }, endpoints });
    fake.calls.length = 0;
    fake.setLatency(opts.latencyMs ?? 100);
    const started = performance.now();
    const snap = await readCloudSnapshot({ ...target, region: 'cn-hangzhou', credentials: { ...TEST_ACCESS_KEY }, endpoints, timeoutMs: 10_000 });
    const wallMs = performance.now() - started;
    if (snap.errors.length) throw new Error(`bench read had errors: ${snap.errors.map((e) => e.code).join(', ')}`);
    const rules = snap.securityGroups.reduce((n, g) => n + g.rules.length, 0);
    if (snap.securityGroups.length !== (opts.groups ?? 10) || rules !== (opts.groups ?? 10) * (opts.rulesPerGroup ?? 100)) throw new Error('bench read is incomplete');
    return { wallMs: Math.round(wallMs), criticalPathRoundTrips: criticalPathRoundTrips(fake.calls), calls: fake.calls.length };
  } finally {
    await fake.stop();
  }
}

async function main(): Promise<void> {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const latencyMs = arg('latency', 100);
  const groups = arg('groups', 10);
  const rulesPerGroup = arg('rules', 100);
  for (const byAddress of [false, true]) {
    const r = await benchFullRead({ latencyMs, groups, rulesPerGroup, byAddress });
    console.log(
      `full read by ${byAddress ? 'address' : 'instance id'}: ${groups} groups x ${rulesPerGroup} rules, ${latencyMs} ms per call: ` +
        `wall ${r.wallMs} ms, ${r.calls} calls, critical path ${r.criticalPathRoundTrips} round trips (goal <= 3)`,
    );
  }
}

if (process.argv[1] && /rules-read\.ts$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

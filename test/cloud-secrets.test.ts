// Secrets never reach a snapshot, an error message, a log line or anything written to the console —
// even when every kind of fault fires during a full read.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCloudSnapshot } from '../src/core/cloud/alicloud/read';
import { runCloudAssistant } from '../src/core/cloud/alicloud/assistant';
import { buildScenario, startFakeAliyun, type FakeAliyun } from './fake-api';
import { endpointsOf, FAST } from './fake-api/helpers';

const KEY = { accessKeyId: 'LTAI5tLeakCheck0000abcd', accessKeySecret: 'TopSecret/Value+With=Chars0123456789' };
const TOKEN = 'CAIS.SecurityToken/With+Chars=0987654321';
let fake: FakeAliyun;

beforeAll(async () => {
  fake = await startFakeAliyun({ scenario: buildScenario({ variant: 'prefix-list', sgPageSize: 2 }), ...KEY, securityToken: TOKEN });
});
afterAll(() => fake.stop());

function capture() {
  const seen: string[] = [];
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((c: unknown) => (seen.push(String(c)), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((c: unknown) => (seen.push(String(c)), true)),
    ...(['log', 'warn', 'error', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void seen.push(a.map(String).join(' ')))),
  ];
  return { seen, restore: () => spies.forEach((s) => s.mockRestore()) };
}

function assertClean(text: string): void {
  for (const s of [KEY.accessKeySecret, encodeURIComponent(KEY.accessKeySecret), TOKEN, encodeURIComponent(TOKEN), KEY.accessKeyId]) expect(text).not.toContain(s);
}

describe('secrets never leak', () => {
  it('through a full read with Forbidden, throttling, timeouts, 5xx and malformed JSON', async () => {
    fake.setFaults([
      { action: 'DescribeNetworkAcls', kind: 'forbidden' },
      { action: 'DescribeSecurityGroups', kind: 'nopermission' },
      { action: 'DescribeSecurityGroupAttribute', kind: 'throttle', times: 2, retryAfterMs: 10, match: (p) => p.SecurityGroupId === 'sg-bp1ops0000000000002' },
      { action: 'DescribeEipAddresses', kind: 'slow', delayMs: 1500 },
      { action: 'DescribePrefixListAttributes', kind: 'server-error' },
      { action: 'DescribeNetworkInterfaces', kind: 'malformed' },
    ]);
    const logs: string[] = [];
    const cap = capture();
    let snap;
    try {
      snap = await readCloudSnapshot({
        instanceId: 'i-bp1sgdoctor00000001',
        credentials: { ...KEY, securityToken: TOKEN },
        endpoints: endpointsOf(fake),
        ...FAST,
        timeoutMs: 700,
        retries: 1,
        log: (l) => logs.push(l),
      });
    } finally {
      cap.restore();
    }
    expect(snap.instance).not.toBeNull();
    // (Under heavy load other calls may time out too: only require every injected fault to have fired.)
    expect([...new Set(snap.errors.map((e) => e.code))]).toEqual(expect.arrayContaining(['Forbidden.RAM', 'NoPermission', 'Throttling.User', 'Timeout', 'InternalError', 'MalformedResponse']));
    expect(logs.length).toBeGreaterThanOrEqual(5);
    assertClean(JSON.stringify(snap));
    assertClean(logs.join('\n'));
    assertClean(cap.seen.join('\n'));
    expect(snap.account?.accessKeyIdRedacted).toBe('LTAI****abcd');
  });

  it('when the secret is wrong, and when credentials fail to resolve', async () => {
    fake.setFaults([]);
    const wrong = { accessKeyId: KEY.accessKeyId, accessKeySecret: 'WrongButSecret/Value+0000000000' };
    const snap = await readCloudSnapshot({ instanceId: 'i-bp1sgdoctor00000001', credentials: wrong, endpoints: endpointsOf(fake), ...FAST });
    expect(snap.errors.length).toBeGreaterThan(0);
    const text = JSON.stringify(snap);
    expect(text).not.toContain(wrong.accessKeySecret);
    expect(text).not.toContain(KEY.accessKeyId);
    const none = await readCloudSnapshot({ instanceId: 'i-x', credentials: { accessKeyId: 'LTAI5tOnlyId', accessKeySecret: '' }, endpoints: endpointsOf(fake) });
    expect(none.errors[0]).toMatchObject({ action: 'ResolveCredentials', code: 'IncompleteAccessKey' });
  });

  it('through Cloud Assistant errors', async () => {
    fake.setFaults([{ action: 'DescribeInvocationResults', kind: 'server-error' }]);
    const r = await runCloudAssistant({ instanceId: 'i-bp1sgdoctor00000001', region: 'cn-hangzhou', script: 'true', type: 'RunShellScript', credentials: { ...KEY, securityToken: TOKEN }, endpoints: endpointsOf(fake), pollIntervalMs: 5, retries: 0 });
    expect(r.status).toBe('Error');
    assertClean(JSON.stringify(r));
  });
});

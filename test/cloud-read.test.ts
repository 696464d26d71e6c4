// The reader with the real @alicloud SDK clients against the loopback fake API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCloudSnapshot } from '../src/core/cloud/alicloud/read';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';
import { endpointsOf, FAST } from './fake-api/helpers';

const INSTANCE = 'i-bp1sgdoctor00000001';
let fake: FakeAliyun;

beforeAll(async () => {
  fake = await startFakeAliyun({ scenario: buildScenario(), ...TEST_ACCESS_KEY });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.setScenario(buildScenario());
  fake.setFaults([]);
  fake.calls.length = 0;
});

const read = (extra: Parameters<typeof readCloudSnapshot>[0] = {}) =>
  readCloudSnapshot({ instanceId: INSTANCE, credentials: { ...TEST_ACCESS_KEY }, endpoints: endpointsOf(fake), region: 'cn-hangzhou', ...FAST, ...extra });

describe('readCloudSnapshot against the fake API', () => {
  it('reads a healthy instance completely: instance, ENIs, groups with rules, EIP, ACL, account', async () => {
    const snap = await read();
    expect(snap.errors).toEqual([]);
    expect(snap.account).toMatchObject({ accountId: '1234567890123456', credentialSource: 'AccessKey typed by the user', accessKeyIdRedacted: 'LTAI****0001' });
    expect(snap.instance).toMatchObject({ id: INSTANCE, status: 'Running', networkType: 'vpc', eipAddress: '47.96.10.20', internetMaxBandwidthOut: 5, vSwitchId: 'vsw-bp1sgdoctor0000001', zone: 'cn-hangzhou-h' });
    expect(snap.interfaces).toHaveLength(1);
    expect(snap.interfaces[0]).toMatchObject({ type: 'primary', publicIp: '47.96.10.20', privateIps: ['172.16.0.10'], securityGroupIds: ['sg-bp1web0000000000001', 'sg-bp1ops0000000000002'] });
    expect(snap.securityGroups.map((g) => g.id).sort()).toEqual(['sg-bp1ops0000000000002', 'sg-bp1web0000000000001']);
    const web = snap.securityGroups.find((g) => g.id === 'sg-bp1web0000000000001')!;
    expect(web.type).toBe('normal');
    expect(web.innerAccessPolicy).toBe('Accept');
    expect(web.rules[0]).toMatchObject({ direction: 'ingress', protocol: 'tcp', rawProtocol: 'TCP', portRange: { from: 22, to: 22 }, peer: { kind: 'cidr', cidr: '203.0.113.7/32', family: 4 }, policy: 'accept', priority: 1, order: 0 });
    expect(web.rules.find((r) => r.direction === 'egress')).toMatchObject({ protocol: 'all', portRange: { from: -1, to: -1 }, peer: { kind: 'cidr', cidr: '0.0.0.0/0' } });
    expect(snap.eips).toEqual([expect.objectContaining({ ipAddress: '47.96.10.20', status: 'InUse', businessStatus: 'Normal', bandwidthMbps: 5, instanceType: 'EcsInstance' })]);
    expect(snap.networkAcls).toHaveLength(1);
    const acl = snap.networkAcls[0];
    expect(acl.vSwitchIds).toContain('vsw-bp1sgdoctor0000001');
    expect(acl.ingress.map((e) => e.order)).toEqual([0, 1, 2, 3, 4]);
    expect(acl.ingress[4]).toMatchObject({ policy: 'drop', protocol: 'all', entryType: 'system' });
    expect(acl.egress[0]).toMatchObject({ direction: 'egress', policy: 'accept', protocol: 'all', cidr: '0.0.0.0/0' });
    // Signed requests: every call carried the test AccessKey id and passed verification.
    expect(fake.calls.every((c) => c.status === 200 && c.accessKeyId === TEST_ACCESS_KEY.accessKeyId)).toBe(true);
  });

  it('finds the instance by address in another region, searching all regions after the first', async () => {
    fake.setScenario(buildScenario({ region: 'ap-southeast-1', publicIp: '8.219.1.2' }));
    const snap = await read({ instanceId: undefined, address: '8.219.1.2', region: 'cn-hangzhou' });
    expect(snap.instance?.id).toBe(INSTANCE);
    expect(snap.region).toBe('ap-southeast-1');
    expect(snap.notes?.join(' ')).toMatch(/region ap-southeast-1, not in cn-hangzhou/);
    expect(snap.securityGroups).toHaveLength(2);
    const searched = new Set(fake.calls.filter((c) => c.action === 'DescribeInstances').map((c) => c.params.RegionId));
    expect(searched.has('cn-hangzhou') && searched.has('ap-southeast-1')).toBe(true);
  });

  it('finds by private IP and by public IP (non-EIP)', async () => {
    fake.setScenario(buildScenario({ variant: 'public-ip-no-eip', publicIp: '47.96.1.1' }));
    expect((await read({ instanceId: undefined, address: '47.96.1.1' })).instance?.publicIp).toBe('47.96.1.1');
    expect((await read({ instanceId: undefined, address: '172.16.0.10' })).instance?.id).toBe(INSTANCE);
  });

  it('says so when the address belongs to no instance of the account, or to a NAT gateway EIP', async () => {
    const none = await read({ instanceId: undefined, address: '198.51.100.200' });
    expect(none.instance).toBeNull();
    expect(none.errors).toEqual([]);
    expect(none.notes?.join(' ')).toMatch(/belongs to no ECS instance of this account \(1234567890123456\) in any region/);
    const nat = await read({ instanceId: undefined, address: '47.96.99.99' });
    expect(nat.instance).toBeNull();
    expect(nat.notes?.join(' ')).toMatch(/EIP of this account bound to Nat ngw-bp1natgw0000000001/);
  });

  it('a call denied by RAM leaves only its facts unknown, with the action to grant', async () => {
    fake.setFaults([{ action: 'DescribeNetworkAcls', kind: 'forbidden' }]);
    const snap = await read();
    expect(snap.instance).not.toBeNull();
    expect(snap.securityGroups).toHaveLength(2);
    expect(snap.networkAcls).toEqual([]);
    expect(snap.errors).toHaveLength(1);
    expect(snap.errors[0]).toMatchObject({ action: 'DescribeNetworkAcls', code: 'Forbidden.RAM', grant: 'vpc:DescribeNetworkAcls', leavesUnknown: ['networkAcls/vsw-bp1sgdoctor0000001'] });
    expect(snap.errors[0].requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(snap.errors[0].message).toMatch(/grant vpc:DescribeNetworkAcls/);
    expect(snap.notes?.join(' ') ?? '').not.toMatch(/No network ACL is bound/);
  });

  it('a denied group read leaves that group unknown (absent), not empty; NoPermission is a permission error too', async () => {
    fake.setFaults([{ action: 'DescribeSecurityGroupAttribute', kind: 'nopermission', match: (p) => p.SecurityGroupId === 'sg-bp1ops0000000000002' }]);
    const snap = await read();
    expect(snap.securityGroups.map((g) => g.id)).toEqual(['sg-bp1web0000000000001']);
    expect(snap.errors).toEqual([expect.objectContaining({ code: 'NoPermission', grant: 'ecs:DescribeSecurityGroupAttribute', leavesUnknown: ['securityGroups/sg-bp1ops0000000000002'] })]);
  });

  it('retries throttling (honouring x-acs-retry-after) and 5xx, then succeeds', async () => {
    fake.setFaults([
      { action: 'DescribeSecurityGroupAttribute', kind: 'throttle', times: 2, retryAfterMs: 30 },
      { action: 'DescribeEipAddresses', kind: 'server-error', times: 1 },
    ]);
    const snap = await read();
    expect(snap.errors).toEqual([]);
    expect(snap.securityGroups).toHaveLength(2);
    expect(snap.eips).toHaveLength(1);
    expect(fake.calls.filter((c) => c.fault === 'throttle')).toHaveLength(2);
    expect(fake.calls.filter((c) => c.action === 'DescribeEipAddresses')).toHaveLength(2);
  });

  it('gives up after bounded attempts with one structured error per failed call', async () => {
    fake.setFaults([{ action: 'DescribeEipAddresses', kind: 'unavailable' }]);
    const snap = await read({ retries: 2 });
    expect(fake.calls.filter((c) => c.action === 'DescribeEipAddresses')).toHaveLength(3);
    expect(snap.errors).toEqual([expect.objectContaining({ action: 'DescribeEipAddresses', code: 'ServiceUnavailable', leavesUnknown: ['eips'] })]);
    expect(snap.errors[0].requestId).toBeTruthy();
    expect(snap.eips).toEqual([]);
  });

  it('times a slow call out (per-call timeout) and records it', async () => {
    fake.setFaults([{ action: 'DescribeNetworkAcls', kind: 'slow', delayMs: 2000 }]);
    const snap = await read({ timeoutMs: 600, retries: 1 });
    expect(snap.errors).toContainEqual(expect.objectContaining({ action: 'DescribeNetworkAcls', code: 'Timeout', leavesUnknown: ['networkAcls/vsw-bp1sgdoctor0000001'] }));
    expect(fake.calls.filter((c) => c.action === 'DescribeNetworkAcls')).toHaveLength(2);
    expect(snap.networkAcls).toEqual([]);
  });

  it('reports malformed JSON and falls back to the interfaces DescribeInstances describes', async () => {
    fake.setFaults([{ action: 'DescribeNetworkInterfaces', kind: 'malformed' }]);
    const snap = await read();
    expect(snap.errors).toEqual([expect.objectContaining({ action: 'DescribeNetworkInterfaces', code: 'MalformedResponse', leavesUnknown: ['interfaces'] })]);
    expect(snap.interfaces).toEqual([expect.objectContaining({ id: 'eni-bp1sgdoctor0000001', type: 'primary', securityGroupIds: ['sg-bp1web0000000000001', 'sg-bp1ops0000000000002'] })]);
    expect(snap.notes?.join(' ')).toMatch(/DescribeNetworkInterfaces failed/);
  });

  it('follows NextToken pagination of security group rules', async () => {
    fake.setScenario(buildScenario({ variant: 'many-rules', groups: 2, rulesPerGroup: 35, sgPageSize: 10 }));
    const snap = await read();
    expect(snap.errors).toEqual([]);
    expect(snap.securityGroups.map((g) => g.rules.length)).toEqual([35, 35]);
    expect(new Set(snap.securityGroups[0].rules.map((r) => r.id)).size).toBe(35);
    expect(fake.calls.filter((c) => c.action === 'DescribeSecurityGroupAttribute' && c.params.NextToken)).toHaveLength(6);
  });

  it('resolves prefix lists, marks enterprise groups, reads multi-ENI groups and ACL attributes when the list omits entries', async () => {
    fake.setScenario(buildScenario({ variant: 'prefix-list', omitAclEntriesInList: true }));
    let snap = await read();
    const rule = snap.securityGroups.flatMap((g) => g.rules).find((r) => r.peer.kind === 'prefix-list')!;
    expect(rule.peer).toEqual({ kind: 'prefix-list', prefixListId: 'pl-bp1office000000001', cidrs: ['203.0.113.7/32', '192.0.2.0/24'] });
    expect(fake.calls.some((c) => c.action === 'DescribeNetworkAclAttributes')).toBe(true);
    expect(snap.networkAcls[0].ingress.length).toBeGreaterThan(0);

    fake.setFaults([{ action: 'DescribePrefixListAttributes', kind: 'forbidden' }]);
    snap = await read();
    expect(snap.securityGroups.flatMap((g) => g.rules).find((r) => r.peer.kind === 'prefix-list')!.peer).toMatchObject({ cidrs: null });
    expect(snap.errors[0]).toMatchObject({ grant: 'ecs:DescribePrefixListAttributes', leavesUnknown: ['prefixLists/pl-bp1office000000001'] });

    fake.setFaults([]);
    fake.setScenario(buildScenario({ variant: 'enterprise-group' }));
    snap = await read();
    expect(snap.securityGroups.every((g) => g.type === 'enterprise' && g.innerAccessPolicy === 'Drop')).toBe(true);

    fake.setScenario(buildScenario({ variant: 'multi-eni' }));
    snap = await read();
    expect(snap.interfaces.map((n) => [n.type, n.securityGroupIds])).toEqual([
      ['primary', ['sg-bp1web0000000000001', 'sg-bp1ops0000000000002']],
      ['secondary', ['sg-bp1eni20000000000003']],
    ]);
    expect(snap.securityGroups.map((g) => g.id)).toContain('sg-bp1eni20000000000003');
  });

  it('reads the overdue / stopped / no-public-IP states', async () => {
    fake.setScenario(buildScenario({ variant: 'overdue' }));
    let snap = await read();
    expect(snap.instance).toMatchObject({ status: 'Stopped', operationLocks: ['financial'] });
    expect(snap.eips[0].businessStatus).toBe('FinancialLocked');
    expect(snap.notes?.join(' ')).toMatch(/financial lock/);
    fake.setScenario(buildScenario({ variant: 'no-public-ip' }));
    snap = await read();
    expect(snap.instance).toMatchObject({ internetMaxBandwidthOut: 0 });
    expect(snap.instance?.publicIp).toBeUndefined();
    expect(snap.instance?.eipAddress).toBeUndefined();
    expect(snap.interfaces[0].publicIp).toBeUndefined();
  });

  it('the fake rejects a wrong secret (SignatureDoesNotMatch) and an unknown AccessKey id', async () => {
    let snap = await read({ credentials: { accessKeyId: TEST_ACCESS_KEY.accessKeyId, accessKeySecret: 'WrongSecretWrongSecretWrongSecret00' } });
    expect(snap.instance).toBeNull();
    expect(snap.errors.map((e) => e.code)).toContain('SignatureDoesNotMatch');
    expect(snap.notes?.join(' ')).toMatch(/Could not tell whether/);
    snap = await read({ credentials: { accessKeyId: 'LTAI5tUnknownKey000099', accessKeySecret: TEST_ACCESS_KEY.accessKeySecret } });
    expect(snap.errors.map((e) => e.code)).toContain('InvalidAccessKeyId.NotFound');
  });

  it('signs STS credentials (security token) the fake verifies', async () => {
    const sts = await startFakeAliyun({ scenario: buildScenario(), ...TEST_ACCESS_KEY, securityToken: 'CAIS-test-token-0123456789' });
    try {
      const ok = await readCloudSnapshot({ instanceId: INSTANCE, credentials: { ...TEST_ACCESS_KEY, securityToken: 'CAIS-test-token-0123456789' }, endpoints: endpointsOf(sts), ...FAST });
      expect(ok.errors).toEqual([]);
      const bad = await readCloudSnapshot({ instanceId: INSTANCE, credentials: { ...TEST_ACCESS_KEY, securityToken: 'CAIS-other-token' }, endpoints: endpointsOf(sts), ...FAST });
      expect(bad.errors.map((e) => e.code)).toContain('InvalidSecurityToken.Mismatch');
    } finally {
      await sts.stop();
    }
  });
});

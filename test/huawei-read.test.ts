// readHuaweiSnapshot through the real SDK against the loopback fake Huawei API (which verifies the signature):
// the documented shapes, paging, and each fault kind → one reported error naming what stays unknown.
import { afterEach, describe, expect, it } from 'vitest';
import { huaweiProviderData } from '../src/core/cloud/huawei/map';
import { readHuaweiSnapshot, type HuaweiReadOptions } from '../src/core/cloud/huawei/read';
import type { CloudSnapshot } from '../src/core/cloud/model';
import { ADDRESS_GROUP_ID, EIP, EIP_ID, PORT2_ID, PORT_ID, SUBNET2_ID, firewall, port, server, PRIVATE_IP, PROJECT_ID, REGION, scenario, SERVER_ID, SG_DENY, SG_WEB, SUBNET_ID, type HuaweiState } from './fake-huawei/scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, type Fault, type FakeHuawei } from './fake-huawei/server';

let fake: FakeHuawei | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function read(state: HuaweiState, opts: Partial<HuaweiReadOptions> = {}, fakeOpts: { faults?: Fault[]; pageSize?: number; keys?: Record<string, string> } = {}, env: Record<string, string> = {}): Promise<CloudSnapshot> {
  fake = await startFakeHuawei({ state, ...fakeOpts });
  return readHuaweiSnapshot({
    instanceId: SERVER_ID,
    baseDelayMs: 1,
    maxDelayMs: 5,
    timeoutMs: 2000,
    env: { SGD_HUAWEI_ENDPOINT: fake.url, HUAWEICLOUD_SDK_AK: FAKE_AK, HUAWEICLOUD_SDK_SK: FAKE_SK, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID, HUAWEICLOUD_SDK_REGION: REGION, ...env },
    credentialOptions: { hcloudConfig: '/nonexistent/config.json' },
    ...opts,
  });
}

const ops = () => fake!.calls.map((c) => c.op);
const count = (op: string) => fake!.calls.filter((c) => c.op === op).length;
const errorsOf = (s: CloudSnapshot, action: string) => s.errors.filter((e) => e.action === action);

describe('readHuaweiSnapshot: documents', () => {
  it('reads a healthy server by id: server, ports, groups with all rules, EIP, ACL list', async () => {
    const s = await read(scenario('healthy'));
    expect(s.errors).toEqual([]);
    expect(s.provider).toBe('huawei');
    expect(s.source).toBe('api');
    expect(s.account).toMatchObject({ credentialSource: expect.stringContaining('HUAWEICLOUD_SDK_AK'), accessKeyIdRedacted: 'HPUA****0001' });
    expect(s.instance).toMatchObject({ id: SERVER_ID, status: 'Running', eipAddress: EIP, eipAllocationId: EIP_ID, internetMaxBandwidthOut: 5, privateIps: [PRIVATE_IP] });
    expect(s.interfaces.map((i) => i.id)).toEqual([PORT_ID]);
    expect(s.securityGroups.map((g) => [g.id, g.name, g.rules.length])).toEqual([[SG_WEB, 'web', 4]]);
    expect(s.eips.map((e) => e.status)).toEqual(['InUse']);
    const d = huaweiProviderData(s)!;
    expect(d.firewallState).toBe('none');
    expect(d.unreadGroupIds).toEqual([]);
    expect(new Set(ops())).toEqual(new Set(['ShowServer', 'ListPorts', 'ShowSecurityGroup', 'ListSecurityGroupRules', 'ListFirewall', 'ListPublicips']));
    expect(fake!.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('finds the server by its private address (ListServersDetails ip_eq)', async () => {
    const s = await read(scenario('healthy'), { instanceId: undefined, address: PRIVATE_IP });
    expect(s.errors).toEqual([]);
    expect(s.instance?.id).toBe(SERVER_ID);
    expect(fake!.calls.find((c) => c.op === 'ListServersDetails')?.query.ip_eq).toEqual([PRIVATE_IP]);
  });

  it('finds the server by its EIP (ListPublicips → port → server) without reading the EIP twice', async () => {
    const s = await read(scenario('healthy'), { instanceId: undefined, address: EIP });
    expect(s.errors).toEqual([]);
    expect(s.instance?.id).toBe(SERVER_ID);
    expect(s.eips.map((e) => e.allocationId)).toEqual([EIP_ID]);
    expect(count('ListPublicips')).toBe(1);
  });

  it('an address that is no EIP of the project: a note, no instance, no error', async () => {
    const s = await read(scenario('healthy'), { instanceId: undefined, address: '198.51.100.99' });
    expect(s.instance).toBeNull();
    expect(s.errors).toEqual([]);
    expect(s.notes?.join(' ')).toMatch(/not an EIP/);
  });

  it('reads every page of the rules (marker paging) and of the ACL list', async () => {
    const s = await read(scenario('acl-deny'), {}, { pageSize: 2 });
    expect(s.errors).toEqual([]);
    expect(s.securityGroups[0].rules.length).toBe(4);
    expect(count('ListSecurityGroupRules')).toBe(2);
    expect(fake!.calls.filter((c) => c.op === 'ListSecurityGroupRules')[1].query.marker).toBeDefined();
    const d = huaweiProviderData(s)!;
    expect(d.firewallState).toBe('associated');
    expect(d.firewall?.ingress_rules?.map((r) => r.id)).toEqual(['acl-in-deny', 'acl-in-1']);
  });

  it('several groups on the port: all read, in the port order', async () => {
    const s = await read(scenario('several-groups'));
    expect(s.errors).toEqual([]);
    expect(huaweiProviderData(s)!.securityGroups.map((g) => g.id)).toEqual([SG_DENY, SG_WEB]);
  });

  it('server state: SHUTOFF and frozen', async () => {
    expect((await read(scenario('shutoff'))).instance?.status).toBe('Stopped');
    await fake!.close();
    const frozen = await read(scenario('frozen'));
    expect(huaweiProviderData(frozen)!.server?.frozen).toBe(true);
    expect(frozen.eips[0].businessStatus).toBe('FinancialLocked');
  });
});

describe('readHuaweiSnapshot: a server with two ports in two subnets', () => {
  const twoPorts = (): HuaweiState => {
    const st = scenario('acl-deny');
    const second = port({ id: PORT2_ID, network_id: SUBNET2_ID, fixed_ips: [{ subnet_id: 'x', ip_address: '192.168.1.20' }], security_groups: [SG_DENY] });
    return {
      ...st,
      servers: [server({ addresses: { v: [...Object.values(server().addresses!)[0], { addr: '192.168.1.20', version: 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS:port_id': PORT2_ID }] } })],
      ports: [...st.ports, second],
      securityGroups: [...st.securityGroups, scenario('several-groups').securityGroups[0]],
      firewalls: [...st.firewalls, firewall({ id: 'acl-2', associations: [{ virsubnet_id: SUBNET2_ID }] })],
    };
  };

  it('reads the groups of both ports and the ACL of both subnets', async () => {
    const s = await read(twoPorts());
    expect(s.errors).toEqual([]);
    const d = huaweiProviderData(s)!;
    expect(d.securityGroups.map((g) => g.id)).toEqual([SG_WEB]);
    expect(d.otherGroups.map((g) => g.id)).toEqual([SG_DENY]);
    expect(d.subnetAcls.map((a) => [a.subnetId, a.state, a.firewall?.id])).toEqual([
      [SUBNET_ID, 'associated', d.firewall?.id],
      [SUBNET2_ID, 'associated', 'acl-2'],
    ]);
    expect(count('ShowFirewall')).toBe(2);
  });

  it('ShowFirewall failing for one ACL leaves only that subnet unknown', async () => {
    const s = await read(twoPorts(), {}, { faults: [{ op: 'ShowFirewall', kind: 'forbidden', pathIncludes: 'acl-2' }] });
    expect(errorsOf(s, 'ShowFirewall')).toEqual([expect.objectContaining({ grant: 'vpc:firewalls:get', leavesUnknown: [`networkAcls/${SUBNET2_ID}`, 'networkAcls'] })]);
    const d = huaweiProviderData(s)!;
    expect(d.firewallState).toBe('associated');
    expect(d.subnetAcls.find((a) => a.subnetId === SUBNET2_ID)?.state).toBe('unknown');
  });
});

describe('readHuaweiSnapshot: faults → one error each, naming what stays unknown', () => {
  it('permission denied (403) on ListFirewall: not retried, IAM action to grant, ACL unknown (not "none")', async () => {
    const s = await read(scenario('healthy'), {}, { faults: [{ op: 'ListFirewall', kind: 'forbidden' }] });
    expect(errorsOf(s, 'ListFirewall')).toEqual([expect.objectContaining({ code: 'VPC.0015', grant: 'vpc:firewalls:list', leavesUnknown: ['networkAcls'] })]);
    expect(errorsOf(s, 'ListFirewall')[0].message).toMatch(/grant vpc:firewalls:list/);
    expect(count('ListFirewall')).toBe(1);
    expect(huaweiProviderData(s)!.firewallState).toBe('unknown');
    expect(s.errors.length).toBe(1);
  });

  it('permission denied on ShowServer: everything depending on the server is unknown', async () => {
    const s = await read(scenario('healthy'), {}, { faults: [{ op: 'ShowServer', kind: 'forbidden' }] });
    expect(s.instance).toBeNull();
    expect(errorsOf(s, 'ShowServer')).toEqual([expect.objectContaining({ grant: 'ecs:cloudServers:get', leavesUnknown: expect.arrayContaining(['instance', 'securityGroups', 'networkAcls']) })]);
  });

  it('throttling (429 APIGW.0308) twice, then success: retried with backoff, no error', async () => {
    const s = await read(scenario('healthy'), {}, { faults: [{ op: 'ShowServer', kind: 'throttle', times: 2 }] });
    expect(s.errors).toEqual([]);
    expect(count('ShowServer')).toBe(3);
    expect(s.instance?.id).toBe(SERVER_ID);
  });

  it('throttling that does not stop: one error after 1 + retries attempts, EIPs unknown', async () => {
    const s = await read(scenario('healthy'), { retries: 2 }, { faults: [{ op: 'ListPublicips', kind: 'throttle' }] });
    expect(errorsOf(s, 'ListPublicips')).toEqual([expect.objectContaining({ code: 'APIGW.0308', leavesUnknown: ['eips'] })]);
    expect(count('ListPublicips')).toBe(3);
    expect(s.eips).toEqual([]);
    expect(s.instance?.eipAddress).toBe(EIP); // the floating address is still known from ECS
  });

  it('5xx on the rules of one group: retried, then that group is unread and named', async () => {
    const s = await read(scenario('several-groups'), { retries: 1 }, { faults: [{ op: 'ListSecurityGroupRules', kind: 'server-error', pathIncludes: SG_DENY }] });
    expect(errorsOf(s, 'ListSecurityGroupRules')).toEqual([expect.objectContaining({ code: 'VPC.0001', leavesUnknown: [`securityGroups/${SG_DENY}`] })]);
    const d = huaweiProviderData(s)!;
    expect(d.unreadGroupIds).toEqual([SG_DENY]);
    expect(d.securityGroups.map((g) => g.id)).toEqual([SG_WEB]);
  });

  it('slow ShowFirewall beyond the timeout: Timeout error, the ACL of the subnet unknown', async () => {
    const s = await read(scenario('acl-deny'), { timeoutMs: 300, retries: 1 }, { faults: [{ op: 'ShowFirewall', kind: 'slow', delayMs: 1500 }] });
    expect(errorsOf(s, 'ShowFirewall')).toEqual([expect.objectContaining({ code: 'Timeout', leavesUnknown: [`networkAcls/${SUBNET_ID}`, 'networkAcls'] })]);
    const d = huaweiProviderData(s)!;
    expect(d.firewallState).toBe('unknown');
    expect(d.firewall).toBeNull();
  });

  it('malformed body on ListPorts: MalformedResponse (not retried), groups fall back to the server order', async () => {
    const s = await read(scenario('healthy'), {}, { faults: [{ op: 'ListPorts', kind: 'malformed' }] });
    expect(errorsOf(s, 'ListPorts')).toEqual([expect.objectContaining({ code: 'MalformedResponse', leavesUnknown: ['interfaces', 'securityGroups', 'networkAcls'] })]);
    expect(count('ListPorts')).toBe(1);
    expect(s.interfaces).toEqual([]);
    expect(huaweiProviderData(s)!.securityGroups.map((g) => g.id)).toEqual([SG_WEB]);
    expect(huaweiProviderData(s)!.firewallState).toBe('unknown');
  });

  it('a wrong secret key: the signature is rejected (401 APIGW.0301), reported once per call, never retried, no secret in the output', async () => {
    const s = await read(scenario('healthy'), {}, {}, { HUAWEICLOUD_SDK_SK: 'wrong-secret-key-000000000000000' });
    expect(s.instance).toBeNull();
    expect(errorsOf(s, 'ShowServer')).toEqual([expect.objectContaining({ code: 'APIGW.0301' })]);
    expect(errorsOf(s, 'ShowServer')[0].message).toMatch(/Check the access key/);
    expect(count('ShowServer')).toBe(1);
    expect(fake!.calls.every((c) => c.status === 401)).toBe(true);
    const text = JSON.stringify(s);
    expect(text).not.toContain('wrong-secret-key');
    expect(text).not.toContain(FAKE_AK);
  });

  it('the secret never appears in a successful snapshot either', async () => {
    const s = await read(scenario('healthy'));
    expect(JSON.stringify(s)).not.toContain(FAKE_SK);
  });
});

describe('readHuaweiSnapshot: bounded and concurrent', () => {
  it('a group with more rule pages than maxPages: one PageLimit error, the group unread', async () => {
    const s = await read(scenario('healthy'), { maxPages: 2, pageLimit: 1 }, { pageSize: 1 });
    expect(errorsOf(s, 'ListSecurityGroupRules')).toEqual([expect.objectContaining({ code: 'PageLimit', leavesUnknown: [`securityGroups/${SG_WEB}`] })]);
    expect(count('ListSecurityGroupRules')).toBe(2);
    expect(huaweiProviderData(s)!.unreadGroupIds).toEqual([SG_WEB]);
  });

  it('independent calls overlap: five slow calls cost about one round trip each round, not their sum', async () => {
    const slow = (op: Fault['op']): Fault => ({ op, kind: 'slow', delayMs: 600 });
    await read(scenario('healthy')); // the SDK is loaded once per process: keep that out of the timing
    await fake!.close();
    const t0 = Date.now();
    const s = await read(scenario('acl-deny'), {}, { faults: ['ListPorts', 'ListSecurityGroupRules', 'ShowSecurityGroup', 'ListFirewall', 'ListPublicips'].map((op) => slow(op as Fault['op'])) });
    const ms = Date.now() - t0;
    expect(s.errors).toEqual([]);
    expect(huaweiProviderData(s)!.firewallState).toBe('associated');
    expect(ms).toBeLessThan(2400); // sequential would be at least 5 × 600 ms
  });
});

describe('readHuaweiSnapshot: refused before any call', () => {
  it.each([
    ['a project id that is not one', {}, { HUAWEICLOUD_SDK_PROJECT_ID: '../../v3/x' }, 'BadProjectId'],
    ['no region', {}, { HUAWEICLOUD_SDK_REGION: '' }, 'MissingRegion'],
    ['a server id that is no UUID', { instanceId: 'i-bp1abc' }, {}, 'InvalidInput'],
    ['an address that is no IP', { instanceId: undefined, address: 'example.com' }, {}, 'InvalidInput'],
    ['a region that is no region id', { region: 'x@127.0.0.1:22/' }, {}, 'BadRegion'],
    ['an http endpoint that is not loopback', {}, { SGD_HUAWEI_ENDPOINT: 'http://203.0.113.5:80' }, 'BAD_ENDPOINT'],
    ['no credentials', {}, { HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '' }, 'NoCredentials'],
  ] as const)('%s', async (_name, opts, env, code) => {
    const s = await read(scenario('healthy'), opts as Partial<HuaweiReadOptions>, {}, env as Record<string, string>);
    expect(s.errors).toEqual([expect.objectContaining({ action: 'ResolveCredentials', code, leavesUnknown: ['everything'] })]);
    expect(fake!.calls).toEqual([]);
  });

  it('without a project id, the one named after the region is looked up (IAM KeystoneListAuthProjects, read-only)', async () => {
    const s = await read(scenario('healthy'), {}, {}, { HUAWEICLOUD_SDK_PROJECT_ID: '' });
    expect(s.errors).toEqual([]);
    expect(s.instance?.id).toBe(SERVER_ID);
    expect(ops()[0]).toBe('KeystoneListAuthProjects');
    expect(fake!.calls[0].headers['x-project-id']).toBeUndefined();
    expect(fake!.calls.filter((c) => c.op !== 'KeystoneListAuthProjects').every((c) => c.path.includes(PROJECT_ID))).toBe(true);
    expect(s.notes?.join(' ')).toContain(`project id of ${REGION} looked up`);
    expect(fake!.calls.every((c) => c.method === 'GET')).toBe(true); // never creates a project
  });

  it('no project named after the region: MissingProjectId with where to find it, nothing else called', async () => {
    const s = await read(scenario('healthy'), { region: 'ap-southeast-1' }, {}, { HUAWEICLOUD_SDK_PROJECT_ID: '' });
    expect(s.errors).toEqual([expect.objectContaining({ code: 'MissingProjectId', leavesUnknown: ['everything'] })]);
    expect(s.errors[0].message).toMatch(/My Credentials/);
    expect(ops()).toEqual(['KeystoneListAuthProjects']);
  });

  it('the project lookup failing is one error that says what to do', async () => {
    const s = await read(scenario('healthy'), {}, { faults: [{ op: 'KeystoneListAuthProjects', kind: 'server-error' }] }, { HUAWEICLOUD_SDK_PROJECT_ID: '' });
    expect(s.errors).toEqual([expect.objectContaining({ action: 'KeystoneListAuthProjects', leavesUnknown: ['everything'] })]);
    expect(s.errors[0].message).toMatch(/HUAWEICLOUD_SDK_PROJECT_ID/);
    expect(ops().every((o) => o === 'KeystoneListAuthProjects')).toBe(true);
  });

  it('a cancelled read stops without waiting for the retries', async () => {
    const ac = new AbortController();
    ac.abort();
    const s = await read(scenario('healthy'), { signal: ac.signal });
    expect(s.errors.some((e) => e.code === 'Aborted')).toBe(true);
    expect(fake!.calls).toEqual([]);
  });
});


describe('readHuaweiSnapshot: IP address groups', () => {
  it('reads the address groups the rules reference, so the evaluators can decide', async () => {
    const s = await read(scenario('address-group'));
    expect(s.errors).toEqual([]);
    expect(huaweiProviderData(s)!.addressGroups).toEqual({ [ADDRESS_GROUP_ID]: ['198.51.100.0/24', '192.0.2.10-192.0.2.20'] });
    expect(fake!.calls.find((c) => c.op === 'ListAddressGroup')?.query.id).toEqual([ADDRESS_GROUP_ID]);
  });

  it('no reference, no call', async () => {
    await read(scenario('healthy'));
    expect(count('ListAddressGroup')).toBe(0);
  });

  it('address groups not readable: one error naming them, the contents stay unknown', async () => {
    const s = await read(scenario('address-group'), {}, { faults: [{ op: 'ListAddressGroup', kind: 'forbidden' }] });
    expect(errorsOf(s, 'ListAddressGroup')).toEqual([expect.objectContaining({ grant: 'vpc:addressGroups:list', leavesUnknown: [`addressGroups/${ADDRESS_GROUP_ID}`] })]);
    expect(huaweiProviderData(s)!.addressGroups).toEqual({});
  });
});

describe('readHuaweiSnapshot: a server that is not there', () => {
  it('ShowServer 404: a note saying where it was looked for, not a read failure', async () => {
    const s = await read(scenario('healthy'), { instanceId: '00000000-0000-4000-8000-000000000000' });
    expect(s.instance).toBeNull();
    expect(s.errors).toEqual([]);
    expect(s.notes?.join(' ')).toMatch(/was not found in region cn-north-4/);
    expect(count('ShowServer')).toBe(1);
  });
});

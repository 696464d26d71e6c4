// applyActions (src/core/cloud/alicloud/apply.ts) with the real @alicloud SDK against the loopback fake API:
// what it writes, what it reads back, what it records, and that the recorded undo removes exactly that.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActionRefused, applyActions, describeAction, flattenParams, ruleLookupFromSnapshot, ruleMatches, validateActions } from '../src/core/cloud/alicloud/apply';
import { readCloudSnapshot } from '../src/core/cloud/alicloud/read';
import { ramPolicy } from '../src/core/cloud/alicloud/actions';
import { resolveCredentials, type ResolvedCredentials } from '../src/core/cloud/alicloud/credentials';
import type { CloudAction } from '../src/core/cloud/provider';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';
import type { ApiObject } from './fake-api/scenarios';
import { endpointsOf } from './fake-api/helpers';

const REGION = 'cn-hangzhou';
const WEB = 'sg-bp1web0000000000001';
const OPS = 'sg-bp1ops0000000000002';
const INSTANCE = 'i-bp1sgdoctor00000001';
const ACL = 'nacl-bp1sgdoctor000001';
let fake: FakeAliyun;
let credentials: ResolvedCredentials;
let changes = 0;

beforeAll(async () => {
  fake = await startFakeAliyun({ scenario: buildScenario({ variant: 'rule-missing' }), ...TEST_ACCESS_KEY, onChange: () => void changes++ });
  const c = resolveCredentials({ accessKey: { ...TEST_ACCESS_KEY } });
  if (!c.ok) throw new Error(c.message);
  credentials = c.value;
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.setScenario(buildScenario({ variant: 'rule-missing' }));
  fake.setFaults([]);
  fake.calls.length = 0;
  changes = 0;
});

const opts = (extra: Partial<Parameters<typeof applyActions>[1]> = {}) => ({ credentials, endpoints: endpointsOf(fake), region: REGION, timeoutMs: 2000, baseDelayMs: 10, maxDelayMs: 50, ...extra });
const rulesOf = (groupId: string): ApiObject[] => fake.scenario().securityGroups.find((g) => g.SecurityGroupId === groupId)!.Permissions as ApiObject[];
const writes = () => fake.calls.filter((c) => !c.action.startsWith('Describe')).map((c) => c.action);

const allow22: CloudAction = {
  api: 'AuthorizeSecurityGroup',
  params: { RegionId: REGION, SecurityGroupId: WEB, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '203.0.113.7/32', Policy: 'accept', Priority: 1, Description: 'added by SG Doctor' },
};

describe('applyActions: AuthorizeSecurityGroup', () => {
  it('adds the rule, finds its new id by reading the group back, and records an undo that revokes exactly it', async () => {
    const before = rulesOf(WEB).map((r) => r.SecurityGroupRuleId);
    const out = await applyActions([allow22], opts({ clientTokens: ['tok-1'] }));
    expect(out.failure).toBeNull();
    expect(out.applied).toHaveLength(1);
    const c = out.applied[0];
    const added = rulesOf(WEB).filter((r) => !before.includes(r.SecurityGroupRuleId));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: '203.0.113.7/32', Policy: 'Accept', Priority: '1' });
    expect(c).toMatchObject({ api: 'AuthorizeSecurityGroup', changed: true, clientToken: 'tok-1', created: { securityGroupId: WEB, ruleIds: [added[0].SecurityGroupRuleId] } });
    expect(c.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(c.undo).toEqual([{ api: 'RevokeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: WEB, 'SecurityGroupRuleId.1': added[0].SecurityGroupRuleId } }]);
    // The write went out with the ClientToken, between two reads of the group.
    const write = fake.calls.find((x) => x.action === 'AuthorizeSecurityGroup')!;
    expect(write.params).toMatchObject({ ClientToken: 'tok-1', SecurityGroupId: WEB, PortRange: '22/22', RegionId: REGION });
    expect(fake.calls.map((x) => x.action)).toEqual(['DescribeSecurityGroupAttribute', 'AuthorizeSecurityGroup', 'DescribeSecurityGroupAttribute']);
    expect(changes).toBe(1);

    const undo = await applyActions(c.undo, opts());
    expect(undo.failure).toBeNull();
    expect(undo.applied[0]).toMatchObject({ api: 'RevokeSecurityGroup', changed: true });
    expect(rulesOf(WEB).map((r) => r.SecurityGroupRuleId)).toEqual(before);
  });

  it('a rule that is already there is success with no change and no write', async () => {
    fake.setScenario(buildScenario({ variant: 'healthy' }));
    const out = await applyActions([{ ...allow22, params: { ...allow22.params, Description: 'another text' } }], opts());
    expect(out.failure).toBeNull();
    expect(out.applied[0]).toMatchObject({ changed: false, requestId: null, undo: [] });
    expect(out.applied[0].note.en).toMatch(/already in sg-bp1web0000000000001/);
    expect(writes()).toEqual([]);
  });

  it('the Permissions.N list form and nested arrays are the same request as the single-rule form', async () => {
    const listForm: CloudAction = { api: 'AuthorizeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: WEB, Permissions: [{ IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: '203.0.113.7/32', Policy: 'accept', Priority: '1' }] } };
    expect(flattenParams(listForm.params)).toMatchObject({ 'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.Priority': '1' });
    const out = await applyActions([listForm], opts());
    expect(out.applied[0].created.ruleIds).toHaveLength(1);
    const again = await applyActions([allow22], opts());
    expect(again.applied[0].changed).toBe(false);
  });

  it('a retry with the same ClientToken (the answer was lost) adds no second rule', async () => {
    // First attempt: the fake applies it, the client never sees the answer (it is too slow), the call is retried.
    fake.setFaults([{ action: 'AuthorizeSecurityGroup', kind: 'slow', delayMs: 2600, times: 1 }]);
    const n = rulesOf(WEB).length;
    const out = await applyActions([allow22], opts({ clientTokens: ['tok-retry'], timeoutMs: 800 }));
    expect(out.failure).toBeNull();
    const tokens = fake.calls.filter((x) => x.action === 'AuthorizeSecurityGroup').map((x) => x.params.ClientToken);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tokens)).toEqual(new Set(['tok-retry']));
    expect(rulesOf(WEB).length).toBe(n + 1);
    // The slow first attempt lands later with the same token: the fake answers it from the token, no change.
    await new Promise((r) => setTimeout(r, 2200));
    expect(fake.calls.filter((x) => x.action === 'AuthorizeSecurityGroup').every((x) => x.status === 200)).toBe(true);
    expect(rulesOf(WEB).length).toBe(n + 1);
  });
});

describe('applyActions: denied writes and refused action lists', () => {
  it('Forbidden.RAM names the RAM action to grant; nothing after the failure is sent', async () => {
    fake.setFaults([{ action: 'AuthorizeSecurityGroup', kind: 'forbidden' }]);
    const n = rulesOf(WEB).length;
    const second: CloudAction = { api: 'JoinSecurityGroup', params: { RegionId: REGION, InstanceId: INSTANCE, SecurityGroupId: 'sg-bp1eni20000000000003' } };
    const out = await applyActions([allow22, second], opts());
    expect(out.applied).toEqual([]);
    expect(out.failure).toMatchObject({ index: 0, api: 'AuthorizeSecurityGroup', error: { code: 'Forbidden.RAM', grant: 'ecs:AuthorizeSecurityGroup' } });
    expect(out.failure!.message.en).toContain('Grant ecs:AuthorizeSecurityGroup');
    expect(out.failure!.message['zh-CN']).toContain('请授予 ecs:AuthorizeSecurityGroup');
    expect(out.notSent).toBe(1);
    expect(writes()).toEqual(['AuthorizeSecurityGroup']);
    expect(rulesOf(WEB).length).toBe(n);
  });

  it('NoPermission on the second action: the first stays applied and is reported', async () => {
    fake.setFaults([{ action: 'RevokeSecurityGroup', kind: 'nopermission' }]);
    const drop = rulesOf(WEB).find((r) => r.PortRange === '80/80')!;
    const out = await applyActions([allow22, { api: 'RevokeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: WEB, 'SecurityGroupRuleId.1': drop.SecurityGroupRuleId } }], opts());
    expect(out.applied.map((a) => a.api)).toEqual(['AuthorizeSecurityGroup']);
    expect(out.failure).toMatchObject({ index: 1, error: { code: 'NoPermission', grant: 'ecs:RevokeSecurityGroup' } });
  });

  it('refuses before sending anything: a non-fix API, another region, a malformed id, an Authorize without a rule', async () => {
    const bad: CloudAction[][] = [
      [{ api: 'DeleteInstance', params: { RegionId: REGION, InstanceId: INSTANCE } }],
      [allow22, { api: 'RunCommand', params: { RegionId: REGION } }],
      [{ ...allow22, params: { ...allow22.params, RegionId: 'cn-beijing' } }],
      [{ ...allow22, params: { ...allow22.params, SecurityGroupId: 'sg-x@127.0.0.1:9' } }],
      [{ api: 'AuthorizeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: WEB } }],
      [{ api: 'UpdateNetworkAclEntries', params: { RegionId: REGION, NetworkAclId: '../x' } }],
      // A fix rendered while a value was unknown still carries the placeholder.
      [{ ...allow22, params: { ...allow22.params, SourceCidrIp: '<your-public-ip>/32' } }],
    ];
    for (const actions of bad) await expect(applyActions(actions, opts())).rejects.toBeInstanceOf(ActionRefused);
    expect(() => validateActions([allow22], 'x@evil')).toThrow(ActionRefused);
    expect(fake.calls).toEqual([]);
  });

  it('a declined confirmation sends nothing', async () => {
    const out = await applyActions([allow22], opts({ confirm: async () => false }));
    expect(out).toEqual({ applied: [], failure: null, notSent: 1 });
    expect(fake.calls).toEqual([]);
  });
});

describe('applyActions: revoke, modify, join / leave, start, network ACL', () => {
  it('revoking the deciding drop records the removed rule; undo puts an equal rule back', async () => {
    fake.setScenario(buildScenario({ variant: 'higher-priority-drop' }));
    const drop = rulesOf(OPS).find((r) => r.Policy === 'Drop')!;
    const out = await applyActions([{ api: 'RevokeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: OPS, SecurityGroupRuleId: [drop.SecurityGroupRuleId] } }], opts());
    expect(out.applied[0]).toMatchObject({ changed: true, created: { removedRules: [expect.objectContaining({ SecurityGroupRuleId: drop.SecurityGroupRuleId })] } });
    expect(rulesOf(OPS).some((r) => r.Policy === 'Drop')).toBe(false);
    const undo = await applyActions(out.applied[0].undo, opts());
    expect(undo.failure).toBeNull();
    const back = rulesOf(OPS).find((r) => r.Policy === 'Drop')!;
    expect(back.SecurityGroupRuleId).not.toBe(drop.SecurityGroupRuleId);
    expect(ruleMatches(back as Record<string, string>, drop as Record<string, string>)).toBe(true);
    // Revoking a rule that is gone is no change.
    const again = await applyActions([{ api: 'RevokeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: OPS, 'SecurityGroupRuleId.1': drop.SecurityGroupRuleId } }], opts());
    expect(again.applied[0].changed).toBe(false);
  });

  it('ModifySecurityGroupRule records the previous values and undo restores them', async () => {
    fake.setScenario(buildScenario({ variant: 'udp-instead-of-tcp' }));
    const rule = rulesOf(WEB).find((r) => r.IpProtocol === 'UDP')!;
    const out = await applyActions([{ api: 'ModifySecurityGroupRule', params: { RegionId: REGION, SecurityGroupId: WEB, SecurityGroupRuleId: rule.SecurityGroupRuleId, IpProtocol: 'TCP' } }], opts());
    expect(out.applied[0]).toMatchObject({ changed: true, created: { previous: { IpProtocol: 'UDP' } } });
    expect(rulesOf(WEB).find((r) => r.SecurityGroupRuleId === rule.SecurityGroupRuleId)!.IpProtocol).toBe('TCP');
    await applyActions(out.applied[0].undo, opts());
    expect(rulesOf(WEB).find((r) => r.SecurityGroupRuleId === rule.SecurityGroupRuleId)!.IpProtocol).toBe('UDP');
  });

  it('JoinSecurityGroup adds the group; undo leaves it; joining twice is no change', async () => {
    fake.setScenario(buildScenario({ variant: 'multi-eni' }));
    const join: CloudAction = { api: 'JoinSecurityGroup', params: { RegionId: REGION, InstanceId: INSTANCE, SecurityGroupId: 'sg-bp1eni20000000000003' } };
    const out = await applyActions([join], opts());
    const groups = () => (fake.scenario().instances[0].SecurityGroupIds as { SecurityGroupId: string[] }).SecurityGroupId;
    expect(groups()).toContain('sg-bp1eni20000000000003');
    expect((await applyActions([join], opts())).applied[0].changed).toBe(false);
    expect(out.applied[0].undo[0].api).toBe('LeaveSecurityGroup');
    await applyActions(out.applied[0].undo, opts());
    expect(groups()).not.toContain('sg-bp1eni20000000000003');
  });

  it('StartInstance starts a stopped instance (no automatic undo, and it says so); a running one is no change', async () => {
    fake.setScenario(buildScenario({ variant: 'stopped' }));
    const start: CloudAction = { api: 'StartInstance', params: { RegionId: REGION, InstanceId: INSTANCE } };
    const out = await applyActions([start], opts());
    expect(out.applied[0]).toMatchObject({ changed: true, undo: [], created: { previousStatus: 'Stopped' } });
    expect(out.applied[0].undoNote?.en).toMatch(/not undone automatically/);
    expect(fake.scenario().instances[0].Status).toBe('Running');
    expect((await applyActions([start], opts())).applied[0].changed).toBe(false);
  });

  it('UpdateNetworkAclEntries: the entry goes first; undo restores the previous list (ids and order)', async () => {
    fake.setScenario(buildScenario({ variant: 'acl-deny' }));
    const acl = () => fake.scenario().networkAcls[0];
    const ingress = () => (acl().IngressAclEntries as { IngressAclEntry: ApiObject[] }).IngressAclEntry;
    const before = ingress().map((e) => [e.NetworkAclEntryId, e.Policy, e.Port]);
    const custom = ingress().filter((e) => e.EntryType !== 'system');
    const action: CloudAction = {
      api: 'UpdateNetworkAclEntries',
      params: {
        RegionId: REGION,
        NetworkAclId: ACL,
        UpdateIngressAclEntries: true,
        IngressAclEntries: [
          { NetworkAclEntryName: 'sg-doctor', Policy: 'accept', Protocol: 'tcp', Port: '22/22', SourceCidrIp: '203.0.113.7/32' },
          ...custom.map((e) => ({ NetworkAclEntryId: e.NetworkAclEntryId, NetworkAclEntryName: e.NetworkAclEntryName, Policy: e.Policy, Protocol: e.Protocol, Port: e.Port, SourceCidrIp: e.SourceCidrIp })),
        ],
      },
    };
    expect(describeAction(action).join('\n')).toContain('+ accept tcp 22/22 from 203.0.113.7/32 (sg-doctor)');
    const out = await applyActions([action], opts({ clientTokens: ['acl-tok'] }));
    expect(out.failure).toBeNull();
    expect(ingress()[0]).toMatchObject({ Policy: 'accept', Port: '22/22', SourceCidrIp: '203.0.113.7/32' });
    expect(ingress().at(-1)).toMatchObject({ EntryType: 'system' });
    expect((await applyActions([action], opts())).applied[0].changed).toBe(false);
    await applyActions(out.applied[0].undo, opts());
    expect(ingress().map((e) => [e.NetworkAclEntryId, e.Policy, e.Port])).toEqual(before);
  });
});

describe('describeAction: the diff shown before confirming', () => {
  it('names what a revoked or modified rule id stands for, from the diagnosis snapshot', async () => {
    fake.setScenario(buildScenario({ variant: 'higher-priority-drop' }));
    const snap = await readCloudSnapshot({ instanceId: INSTANCE, credentials: { ...TEST_ACCESS_KEY }, endpoints: endpointsOf(fake), region: REGION });
    const drop = rulesOf(OPS).find((r) => r.Policy === 'Drop')!;
    const lookup = ruleLookupFromSnapshot(snap);
    const revoke: CloudAction = { api: 'RevokeSecurityGroup', params: { RegionId: REGION, SecurityGroupId: OPS, SecurityGroupRuleId: [drop.SecurityGroupRuleId] } };
    expect(describeAction(revoke, lookup)).toEqual([`${OPS} ingress:`, `- rule ${drop.SecurityGroupRuleId as string} (drop TCP 22/22 from 0.0.0.0/0 priority 1)`]);
    expect(describeAction(revoke)).toEqual([`${OPS} ingress:`, `- rule ${drop.SecurityGroupRuleId as string}`]);
    const modify: CloudAction = { api: 'ModifySecurityGroupRule', params: { RegionId: REGION, SecurityGroupId: OPS, SecurityGroupRuleId: drop.SecurityGroupRuleId, Priority: '2' } };
    expect(describeAction(modify, lookup)[1]).toBe('~ Priority 1 → 2');
  });
});

describe('the write RAM policy', () => {
  it('default and Cloud Assistant policies grant no write; --write adds exactly the fix actions', () => {
    const read = ramPolicy().Statement[0].Action;
    expect(read.some((a) => /Authorize|Revoke|Modify|Join|Leave|Update|Start/.test(a))).toBe(false);
    expect(ramPolicy({ cloudAssistant: true }).Statement[0].Action.some((a) => /Authorize|Revoke|Update|Start/.test(a))).toBe(false);
    const write = ramPolicy({ write: true }).Statement[0].Action;
    expect(write.filter((a) => !read.includes(a)).sort()).toEqual(
      [
        'ecs:AuthorizeSecurityGroup',
        'ecs:AuthorizeSecurityGroupEgress',
        'ecs:JoinSecurityGroup',
        'ecs:LeaveSecurityGroup',
        'ecs:ModifySecurityGroupEgressRule',
        'ecs:ModifySecurityGroupRule',
        'ecs:RevokeSecurityGroup',
        'ecs:RevokeSecurityGroupEgress',
        'ecs:StartInstance',
        'vpc:UpdateNetworkAclEntries',
      ].sort(),
    );
    expect(write).not.toContain('ecs:RunCommand');
  });
});

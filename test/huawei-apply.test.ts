// Huawei Cloud apply / undo through the provider port (huaweiProvider.apply), the real SDK and the loopback fake
// Huawei API (which verifies every request's signature and changes its state on a write): a rule created, read
// back, not created twice, undone exactly; a network ACL rule inserted at its place and removed; a group put
// first on a port and taken off again; a denied write naming the IAM action; refusals with nothing sent.
import { afterEach, describe, expect, it } from 'vitest';
import { huaweiProvider } from '../src/core/cloud/huawei/provider';
import { readHuaweiSnapshot } from '../src/core/cloud/huawei/read';
import { HUAWEI_WRITE_ACTIONS, huaweiPolicy } from '../src/core/cloud/huawei/policy';
import type { ApplyActionsArgs, ApplyActionsResult, CloudAction } from '../src/core/cloud/provider';
import { firewall, group, port, PORT_ID, PROJECT_ID, REGION, scenario, server, SERVER_ID, SG_DENY, SG_WEB, ACL_ID, type HuaweiState } from './fake-huawei/scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, WRITE_OPERATIONS, type FakeHuawei, type Fault } from './fake-huawei/server';

const apply = huaweiProvider.apply!;
let fake: FakeHuawei | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const env = (): Record<string, string> => ({
  SGD_HUAWEI_ENDPOINT: fake!.url,
  HUAWEICLOUD_SDK_AK: FAKE_AK,
  HUAWEICLOUD_SDK_SK: FAKE_SK,
  HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID,
  HUAWEICLOUD_SDK_REGION: REGION,
  HOME: '/nonexistent-home',
});

async function start(state: HuaweiState, faults: Fault[] = []): Promise<FakeHuawei> {
  fake = await startFakeHuawei({ state, faults });
  return fake;
}

const logs: string[] = [];
async function run(actions: CloudAction[], over: Partial<ApplyActionsArgs> = {}): Promise<ApplyActionsResult> {
  return apply.applyActions(actions, { region: REGION, env: env(), expectAccountId: PROJECT_ID, timeoutMs: 3000, log: (l) => logs.push(l), ...over });
}
const outcome = (r: ApplyActionsResult) => {
  if (!r.ok) throw new Error(`refused: ${r.refused.en}`);
  return r.outcome;
};
const writes = () => fake!.calls.filter((c) => (WRITE_OPERATIONS as string[]).includes(c.op)).map((c) => c.op);
const rulesOf = (groupId: string) => fake!.options.state.securityGroups.find((g) => g.id === groupId)!.security_group_rules ?? [];

const MY_IP = '203.0.113.7/32';
const allowSsh: CloudAction = {
  api: 'CreateSecurityGroupRule',
  params: { security_group_rule: { security_group_id: SG_WEB, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', multiport: '22', remote_ip_prefix: MY_IP, action: 'allow', priority: 1, description: 'sg-doctor' } },
};

// Real Huawei ids are UUIDs (the executor refuses anything else): ACL rules and one deletable rule with UUID ids.
const ACL_IN_DENY = 'a0000000-0000-4000-8000-00000000a001';
const ACL_IN_SSH = 'a0000000-0000-4000-8000-00000000a002';
const ACL_OUT = 'a0000000-0000-4000-8000-00000000a003';
const DENY_RULE = 'b0000000-0000-4000-8000-00000000b001';

function aclState(): HuaweiState {
  const st = scenario('healthy');
  st.firewalls = [
    firewall({
      ingress_rules: [
        { id: ACL_IN_DENY, name: 'block-ssh', action: 'deny', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true },
        { id: ACL_IN_SSH, name: 'ssh', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true },
      ],
      egress_rules: [{ id: ACL_OUT, name: 'all', action: 'allow', protocol: 'any', ip_version: 4, destination_ip_address: '0.0.0.0/0', enabled: true }],
    }),
  ];
  return st;
}

describe('Huawei apply: security-group rules', { timeout: 60_000 }, () => {
  it('creates the rule (read back with its new id), does not create it twice, and undo removes exactly it', async () => {
    await start(scenario('rule-missing'));
    const before = structuredClone(rulesOf(SG_WEB));
    let asked = 0;
    const r = outcome(await run([allowSsh], { confirm: async () => (asked++, true) }));
    expect(asked).toBe(1);
    expect(r.failure).toBeNull();
    const [c] = r.applied;
    expect(c).toMatchObject({ api: 'CreateSecurityGroupRule', changed: true, clientToken: null });
    const id = (c.created.ruleIds as string[])[0];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.undo).toEqual([{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: id } }]);
    expect(c.note.en).toContain(`Added rule ${id} to ${SG_WEB}: allow TCP 22 from ${MY_IP} priority 1 (ingress)`);
    // The account check, the read before the write, then the one write; the body is exactly the action's.
    expect(fake!.calls.map((x) => x.op)).toEqual(['KeystoneListAuthProjects', 'ListSecurityGroupRules', 'CreateSecurityGroupRule']);
    expect(fake!.calls[2].body).toEqual(allowSsh.params);
    expect(fake!.calls.every((x) => x.status < 300)).toBe(true);

    // Read back by the reader: the group now has the rule with that id.
    const snap = await readHuaweiSnapshot({ instanceId: SERVER_ID, env: env(), credentialOptions: { hcloudConfig: '/nonexistent/config.json' } });
    expect(snap.errors).toEqual([]);
    expect(snap.account?.accountId).toBe(PROJECT_ID);
    expect(snap.securityGroups[0].rules.map((x) => x.id)).toContain(id);

    // Second apply: the same rule is already there → changed:false, nothing written.
    fake!.calls.length = 0;
    const again = outcome(await run([allowSsh]));
    expect(again.applied[0]).toMatchObject({ changed: false, undo: [], requestId: null });
    expect(again.applied[0].note.en).toContain(`already in ${SG_WEB} (${id})`);
    expect(writes()).toEqual([]);

    // Undo: exactly that rule goes, every other rule stays as it was.
    const u = outcome(await run(c.undo));
    expect(u.applied[0]).toMatchObject({ api: 'DeleteSecurityGroupRule', changed: true });
    expect(u.applied[0].undo[0]).toMatchObject({ api: 'CreateSecurityGroupRule', params: { security_group_rule: { security_group_id: SG_WEB, multiport: '22', remote_ip_prefix: MY_IP, priority: 1 } } });
    expect(rulesOf(SG_WEB)).toEqual(before);
    expect(writes()).toEqual(['DeleteSecurityGroupRule']);
    // Undoing again: already gone, nothing written.
    fake!.calls.length = 0;
    expect(outcome(await run(c.undo)).applied[0]).toMatchObject({ changed: false });
    expect(writes()).toEqual([]);
    expect(logs.join('\n')).not.toContain(FAKE_SK);
  });

  it('two applies of the same rule at once: one creates it, the other reports it already there (the 409 or the read); one rule in the end', async () => {
    // The first write is answered late, so the second apply's write lands first and the late one meets a 409.
    await start(scenario('rule-missing'), [{ op: 'CreateSecurityGroupRule', kind: 'slow', delayMs: 400, times: 1 }]);
    const [a, b] = await Promise.all([run([allowSsh]), run([allowSsh])]);
    const changed = [outcome(a).applied[0], outcome(b).applied[0]].map((c) => c.changed).sort();
    expect(changed).toEqual([false, true]);
    expect(rulesOf(SG_WEB).filter((r) => r.remote_ip_prefix === MY_IP)).toHaveLength(1);
    const statuses = fake!.calls.filter((c) => c.op === 'CreateSecurityGroupRule').map((c) => c.status);
    if (statuses.includes(409)) expect([outcome(a), outcome(b)].find((o) => !o.applied[0].changed)!.applied[0].note.en).toContain('The rule is already in');
  });

  it('DeleteSecurityGroupRule records the rule it removed; its undo creates the same rule again', async () => {
    const st = scenario('healthy');
    st.securityGroups = [group(SG_WEB, 'web', [{ id: DENY_RULE, security_group_id: SG_WEB, direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', multiport: '22', action: 'deny', priority: 1, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null, remote_address_group_id: null, description: 'block' }])];
    await start(st);
    const r = outcome(await run([{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: DENY_RULE } }]));
    expect(r.applied[0]).toMatchObject({ changed: true, created: { securityGroupId: SG_WEB } });
    expect(rulesOf(SG_WEB).some((x) => x.id === DENY_RULE)).toBe(false);
    expect(apply.describeActions([{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: DENY_RULE } }], { applied: r.applied })[0]).toEqual([`security group ${SG_WEB}:`, `- rule ${DENY_RULE} (deny TCP 22 from 0.0.0.0/0 priority 1 (ingress))`]);
    const u = outcome(await run(r.applied[0].undo));
    expect(u.applied[0]).toMatchObject({ api: 'CreateSecurityGroupRule', changed: true });
    const back = rulesOf(SG_WEB).find((x) => x.action === 'deny');
    expect(back).toMatchObject({ direction: 'ingress', protocol: 'tcp', multiport: '22', remote_ip_prefix: '0.0.0.0/0', priority: 1, description: 'block' });
  });
});

describe('Huawei apply: network ACL and port groups', { timeout: 60_000 }, () => {
  it('AddFirewallRules inserts the rule at its place; undo (RemoveFirewallRules) removes exactly it', async () => {
    await start(aclState());
    const add: CloudAction = {
      api: 'AddFirewallRules',
      params: { firewall_id: ACL_ID, firewall: { ingress_rules: [{ name: 'sg-doctor', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: MY_IP, destination_port: '22', enabled: true }] } },
    };
    expect(apply.describeActions([add])[0]).toEqual([`network ACL ${ACL_ID} ingress:`, `+ allow TCP 22 from ${MY_IP} — inserted first`]);
    const r = outcome(await run([add]));
    const c = r.applied[0];
    const ids = c.created.ruleIds as string[];
    expect(ids).toHaveLength(1);
    const fw = () => fake!.options.state.firewalls[0];
    expect(fw().ingress_rules!.map((x) => x.id)).toEqual([ids[0], ACL_IN_DENY, ACL_IN_SSH]);
    expect(c.undo).toEqual([{ api: 'RemoveFirewallRules', params: { firewall_id: ACL_ID, firewall: { ingress_rules: [{ id: ids[0] }] } } }]);
    expect(apply.describeActions(c.undo, { applied: r.applied })[0]).toEqual([`network ACL ${ACL_ID} ingress:`, `- rule ${ids[0]} (allow TCP 22 from ${MY_IP})`]);
    // The same insert again: the rule is already first → nothing written.
    fake!.calls.length = 0;
    expect(outcome(await run([add])).applied[0].changed).toBe(false);
    expect(writes()).toEqual([]);
    const u = outcome(await run(c.undo));
    expect(u.applied[0]).toMatchObject({ api: 'RemoveFirewallRules', changed: true });
    expect(fw().ingress_rules!.map((x) => x.id)).toEqual([ACL_IN_DENY, ACL_IN_SSH]);
    expect(fw().egress_rules!.map((x) => x.id)).toEqual([ACL_OUT]);
  });

  it('insert_after_rule puts the rule right after the named rule', async () => {
    await start(aclState());
    const add: CloudAction = { api: 'AddFirewallRules', params: { firewall_id: ACL_ID, firewall: { ingress_rules: [{ action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: MY_IP, destination_port: '2222' }], insert_after_rule: ACL_IN_DENY } } };
    const c = outcome(await run([add])).applied[0];
    expect(fake!.options.state.firewalls[0].ingress_rules!.map((x) => x.id)).toEqual([ACL_IN_DENY, (c.created.ruleIds as string[])[0], ACL_IN_SSH]);
  });

  it('AddSecurityGroups puts the group first on the port; undo (RemoveSecurityGroups) takes exactly it off', async () => {
    const st = scenario('healthy');
    st.securityGroups.push(group(SG_DENY, 'allow-me', []));
    await start(st);
    const add: CloudAction = { api: 'AddSecurityGroups', params: { port_id: PORT_ID, port: { security_groups: [SG_DENY], index: 0 } } };
    expect(apply.describeActions([add])[0]).toEqual([`port ${PORT_ID}:`, `+ security group ${SG_DENY} (matched first)`]);
    const c = outcome(await run([add])).applied[0];
    expect(c).toMatchObject({ changed: true, created: { portId: PORT_ID, securityGroupIds: [SG_DENY], previousGroups: [SG_WEB] } });
    expect(fake!.options.state.ports[0].security_groups).toEqual([SG_DENY, SG_WEB]);
    expect(c.undo).toEqual([{ api: 'RemoveSecurityGroups', params: { port_id: PORT_ID, port: { security_groups: [SG_DENY] } } }]);
    fake!.calls.length = 0;
    expect(outcome(await run([add])).applied[0].changed).toBe(false);
    expect(writes()).toEqual([]);
    outcome(await run(c.undo));
    expect(fake!.options.state.ports[0].security_groups).toEqual([SG_WEB]);
  });

  it('BatchStartServers starts a stopped server; no automatic undo, undoNote says so', async () => {
    await start(scenario('shutoff'));
    const startIt: CloudAction = { api: 'BatchStartServers', params: { 'os-start': { servers: [{ id: SERVER_ID }] } } };
    const c = outcome(await run([startIt])).applied[0];
    expect(c).toMatchObject({ changed: true, undo: [] });
    expect(c.undoNote?.en).toContain('not undone automatically');
    expect(c.undoNote?.['zh-CN']).toContain('不会自动撤销');
    expect(fake!.options.state.servers[0].status).toBe('ACTIVE');
    expect(outcome(await run([startIt])).applied[0].changed).toBe(false);
  });
});

describe('Huawei apply: denied, refused, declined', { timeout: 60_000 }, () => {
  it('a denied write (403) names vpc:securityGroupRules:create in both languages; nothing changed, nothing after it sent', async () => {
    await start(scenario('rule-missing'), [{ op: 'CreateSecurityGroupRule', kind: 'forbidden' }]);
    const before = structuredClone(fake!.options.state);
    const second: CloudAction = { api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: DENY_RULE } };
    const o = outcome(await run([allowSsh, second]));
    expect(o.applied).toEqual([]);
    expect(o.failure).toMatchObject({ index: 0, api: 'CreateSecurityGroupRule', code: 'VPC.0015' });
    expect(o.failure!.message.en).toContain('Grant vpc:securityGroupRules:create');
    expect(o.failure!.message.en).toContain('cloud policy --provider huawei --write');
    expect(o.failure!.message['zh-CN']).toContain('请授予 vpc:securityGroupRules:create');
    expect(o.notSent).toBe(1);
    expect(fake!.options.state).toEqual(before);
    expect(fake!.calls.filter((c) => c.op === 'CreateSecurityGroupRule')).toHaveLength(1); // a 403 is not retried
    expect(fake!.calls.some((c) => c.op === 'ShowSecurityGroupRule' || c.op === 'DeleteSecurityGroupRule')).toBe(false);
    expect(JSON.stringify(o)).not.toContain(FAKE_SK);
  });

  it('a throttled write is retried (API Gateway refused it before it ran); a 5xx write is not', async () => {
    await start(scenario('rule-missing'), [{ op: 'CreateSecurityGroupRule', kind: 'throttle', times: 1 }]);
    const o = outcome(await run([allowSsh]));
    expect(o.failure).toBeNull();
    expect(fake!.calls.filter((c) => c.op === 'CreateSecurityGroupRule').map((c) => c.status)).toEqual([429, 201]);
    await fake!.close();
    await start(scenario('rule-missing'), [{ op: 'CreateSecurityGroupRule', kind: 'server-error' }]);
    const f = outcome(await run([allowSsh]));
    expect(f.failure).toMatchObject({ api: 'CreateSecurityGroupRule' });
    expect(fake!.calls.filter((c) => c.op === 'CreateSecurityGroupRule')).toHaveLength(1);
  });

  it('refuses, with nothing sent: a non-fix action, a malformed id, another region, a placeholder, unknown parameters', async () => {
    await start(scenario('rule-missing'));
    const cases: [CloudAction[], RegExp][] = [
      [[{ api: 'DeleteSecurityGroup', params: { security_group_id: SG_WEB } }], /DeleteSecurityGroup is not one of the fix actions/],
      [[allowSsh, { api: 'NeutronCreateSecurityGroupRule', params: {} }], /NeutronCreateSecurityGroupRule is not one of the fix actions/],
      [[{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: 'sg-rule-1; rm -rf' } }], /security_group_rule_id is not valid/],
      [[{ api: 'AddSecurityGroups', params: { port_id: PORT_ID, port: { security_groups: ['default'] } } }], /port\.security_groups\.0 is not valid/],
      [[{ api: 'CreateSecurityGroupRule', params: { security_group_rule: { ...(allowSsh.params.security_group_rule as object), region: 'cn-east-3' } } }], /names region cn-east-3 but the diagnosis read cn-north-4/],
      [[{ api: 'CreateSecurityGroupRule', params: { security_group_rule: { ...(allowSsh.params.security_group_rule as object), remote_ip_prefix: '<your-ip>/32' } } }], /placeholder <your-ip>/],
      [[{ api: 'CreateSecurityGroupRule', params: { security_group_rule: { ...(allowSsh.params.security_group_rule as object), tenant_id: 'x' } } }], /not valid/],
      [[{ api: 'BatchStartServers', params: { 'os-start': { servers: [{ id: SERVER_ID }] }, 'os-stop': {} } }], /not valid/],
    ];
    for (const [actions, why] of cases) {
      const r = await run(actions);
      expect(r.ok, why.source).toBe(false);
      if (!r.ok) expect(r.refused.en).toMatch(why);
    }
    const region = await run([allowSsh], { region: 'not a region' });
    expect(region.ok).toBe(false);
    expect(fake!.calls).toEqual([]);
  });

  it('refuses credentials of another project than the diagnosis read (after the IAM project list only), and no credentials at all', async () => {
    await start(scenario('rule-missing'));
    let asked = 0;
    const other = await run([allowSsh], { expectAccountId: '2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e', confirm: async () => (asked++, true) });
    expect(other.ok).toBe(false);
    if (!other.ok) {
      expect(other.refused.en).toContain(`These credentials belong to project ${PROJECT_ID} (cn-north-4) but the diagnosis read project 2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e`);
      expect(other.refused['zh-CN']).toContain('没有做任何更改');
    }
    expect(asked).toBe(0);
    expect(fake!.calls.map((c) => c.op)).toEqual(['KeystoneListAuthProjects']);
    fake!.calls.length = 0;
    const none = await apply.applyActions([allowSsh], { region: REGION, env: { SGD_HUAWEI_ENDPOINT: fake!.url, HOME: '/nonexistent-home' }, expectAccountId: PROJECT_ID });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.refused.en).toContain('No Huawei Cloud credentials could be used; nothing was changed');
    expect(fake!.calls).toEqual([]);
  });

  it('the project is looked up through IAM when not configured; a declined confirmation sends no write', async () => {
    await start(scenario('rule-missing'));
    const e = env();
    delete e.HUAWEICLOUD_SDK_PROJECT_ID;
    const r = outcome(await apply.applyActions([allowSsh], { region: REGION, env: e, expectAccountId: PROJECT_ID, confirm: async () => false }));
    expect(r).toEqual({ applied: [], failure: null, notSent: 1 });
    expect(fake!.calls.map((c) => c.op)).toEqual(['KeystoneListAuthProjects']);
  });
});

describe('Huawei write policy', () => {
  it('names an IAM action for every fix and undo API; --write adds them, the read policy has none', () => {
    expect(Object.keys(HUAWEI_WRITE_ACTIONS).sort()).toEqual(['AddFirewallRules', 'AddSecurityGroups', 'BatchStartServers', 'CreateSecurityGroupRule', 'DeleteSecurityGroupRule', 'RemoveFirewallRules', 'RemoveSecurityGroups']);
    const write = huaweiPolicy({ write: true }).Statement[0].Action;
    for (const a of ['vpc:securityGroupRules:create', 'vpc:securityGroupRules:delete', 'vpc:firewalls:update', 'vpc:ports:update', 'ecs:cloudServers:start']) expect(write).toContain(a);
    expect(huaweiPolicy().Statement[0].Action.filter((a) => /:(create|delete|update|start)$/.test(a))).toEqual([]);
    expect(apply.permissions!([{ api: 'CreateSecurityGroupRule', params: {} }, { api: 'AddFirewallRules', params: {} }, { api: 'constructor', params: {} }])).toEqual(['vpc:securityGroupRules:create', 'vpc:firewalls:update']);
    // The server and port fixtures are what the tests above change.
    expect(server().id).toBe(SERVER_ID);
    expect(port().id).toBe(PORT_ID);
  });
});

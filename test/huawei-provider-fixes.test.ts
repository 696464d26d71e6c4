// Huawei fixes as data: intents become Huawei API actions; the KooCLI command, Terraform and console text are
// rendered from those actions; applying the actions to the snapshot's native data (an independent applier
// written here) and evaluating again admits the flow.
import { describe, expect, it } from 'vitest';
import { applyHuaweiActions, huaweiFixes, hcloudCommand, simulateHuaweiFix, terraformRule, type HuaweiFix } from '../src/core/cloud/huawei/fixes';
import { mapHuaweiSnapshot, type HuaweiProviderData, type HwFirewall, type HwSecurityGroup } from '../src/core/cloud/huawei/map';
import { HUAWEI_WRITE_ACTIONS } from '../src/core/cloud/huawei/policy';
import { evaluateNetworkAcl, evaluateSecurityGroups } from '../src/core/cloud/huawei/provider';
import type { CloudSnapshot } from '../src/core/cloud/model';
import type { CloudAction, FixIntent } from '../src/core/cloud/provider';
import type { Flow } from '../src/core/rules/types';
import { ACL_ID, EIP, PORT_ID, REGION, SERVER_ID, SG_DENY, SG_WEB, firewall, port, publicip, server } from './fake-huawei/scenarios';

const CLIENT = '198.51.100.7';
const ssh: Flow = { direction: 'ingress', protocol: 'tcp', sourceIp: CLIENT, destinationIp: EIP, port: 22 };
type R = Record<string, unknown>;
let seq = 0;
const rule = (groupId: string, over: R = {}): R => ({ id: `r-${++seq}`, security_group_id: groupId, direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', multiport: '22', action: 'allow', priority: 1, remote_ip_prefix: '0.0.0.0/0', ...over });
const grp = (id: string, rules: R[]): HwSecurityGroup => ({ id, name: id.slice(-4), security_group_rules: rules as HwSecurityGroup['security_group_rules'] });

function snap(groups: HwSecurityGroup[], opts: { order?: string[]; firewalls?: HwFirewall[]; status?: string } = {}): CloudSnapshot {
  const order = opts.order ?? groups.map((g) => g.id);
  return JSON.parse(
    JSON.stringify(
      mapHuaweiSnapshot({
        region: REGION,
        source: 'import',
        server: server({ status: opts.status ?? 'ACTIVE', security_groups: order.map((id) => ({ id, name: '' })) }),
        ports: [port({ security_groups: order })],
        securityGroups: groups,
        firewalls: opts.firewalls ?? [],
        firewallsRead: true,
        publicips: [publicip()],
      }),
    ),
  ) as CloudSnapshot;
}

/** Applies Huawei actions to the snapshot's provider data, as the API would (independent of fixes.ts). */
function apply(s: CloudSnapshot, actions: CloudAction[]): CloudSnapshot {
  const out = JSON.parse(JSON.stringify(s)) as CloudSnapshot;
  const d = out.providerData as HuaweiProviderData;
  for (const a of actions) {
    const p = a.params as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    switch (a.api) {
      case 'CreateSecurityGroupRule': {
        const r = p.security_group_rule;
        const g = [...d.securityGroups, ...d.otherGroups].find((x) => x.id === r.security_group_id);
        if (!g) throw new Error(`no group ${r.security_group_id}`);
        g.security_group_rules.push({ id: `new-${++seq}`, ...r });
        break;
      }
      case 'DeleteSecurityGroupRule':
        for (const g of [...d.securityGroups, ...d.otherGroups]) g.security_group_rules = g.security_group_rules.filter((r) => r.id !== p.security_group_rule_id);
        break;
      case 'AddFirewallRules': {
        // Every copy of the ACL in the data (the primary subnet's, and the per-subnet list).
        const copies = [d.firewall, ...d.subnetAcls.map((a) => a.firewall)].filter((f) => f && f.id === p.firewall_id);
        expect(copies.length).toBeGreaterThan(0);
        for (const fw of copies) {
          for (const key of ['ingress_rules', 'egress_rules'] as const) {
            const add = p.firewall[key] as R[] | undefined;
            if (!add) continue;
            const list = [...(fw![key] ?? [])];
            const at = p.firewall.insert_after_rule ? list.findIndex((r) => r.id === p.firewall.insert_after_rule) + 1 : 0;
            list.splice(at, 0, ...add.map((r, i) => ({ id: `new-${key}-${i}`, ...r }) as (typeof list)[number]));
            fw![key] = list;
          }
        }
        break;
      }
      case 'AddSecurityGroups': {
        const port = d.ports.find((x) => x.id === p.port_id)!;
        port.securityGroupIds.splice(p.port.index ?? port.securityGroupIds.length, 0, ...p.port.security_groups);
        // A group not on the port is only in the display part of the snapshot: its raw API rules are there.
        for (const id of p.port.security_groups as string[]) {
          const shown = out.securityGroups.find((g) => g.id === id);
          if (shown && ![...d.securityGroups, ...d.otherGroups].some((g) => g.id === id)) d.securityGroups.push({ id, security_group_rules: shown.rules.map((r) => r.raw as HuaweiProviderData['securityGroups'][number]['security_group_rules'][number]) });
        }
        break;
      }
      case 'BatchStartServers':
        d.server!.status = 'ACTIVE';
        break;
      default:
        throw new Error(`unknown action ${a.api}`);
    }
  }
  return out;
}

const withActions = (fs: HuaweiFix[]): HuaweiFix => fs.find((f) => f.actions.length)!;
const allow = (over: Partial<Extract<FixIntent, { kind: 'allow-flow' }>> = {}): FixIntent => ({ kind: 'allow-flow', groupId: SG_WEB, direction: 'ingress', protocol: 'tcp', port: 22, cidr: `${CLIENT}/32`, ...over });

describe('allow-flow: the narrowest rule that decides, proven on the snapshot', () => {
  it('no rule: an allow for the client’s /32 and the one port, in the port’s first group', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { multiport: '80' })])]);
    expect(evaluateSecurityGroups(s, ssh).decision).toBe('deny');
    const fixes = huaweiFixes(allow({ groupId: null }), { snapshot: s, flow: ssh });
    const f = withActions(fixes);
    expect(f.kind).toBe('hcloud-cli');
    expect(f.actions).toEqual([
      { api: 'CreateSecurityGroupRule', params: { security_group_rule: { security_group_id: SG_WEB, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', multiport: '22', remote_ip_prefix: `${CLIENT}/32`, action: 'allow', priority: 1, description: 'sg-doctor' } } },
    ]);
    expect(f.command).toBe(
      `hcloud VPC CreateSecurityGroupRule/v3 --cli-region=cn-north-4 --security_group_rule.security_group_id=${SG_WEB} --security_group_rule.direction=ingress --security_group_rule.ethertype=IPv4 --security_group_rule.protocol=tcp --security_group_rule.multiport=22 --security_group_rule.remote_ip_prefix=${CLIENT}/32 --security_group_rule.action=allow --security_group_rule.priority=1 --security_group_rule.description=sg-doctor`,
    );
    expect(evaluateSecurityGroups(apply(s, f.actions), ssh).decision).toBe('allow');
    expect(fixes.map((x) => x.kind)).toEqual(['hcloud-cli', 'terraform', 'console']);
  });

  it('a deny at priority 50 in the same group: the allow gets priority 49', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { action: 'deny', priority: 50, remote_ip_prefix: '0.0.0.0/0' })])]);
    const f = withActions(huaweiFixes(allow(), { snapshot: s, flow: ssh }));
    expect((f.actions[0].params.security_group_rule as R).priority).toBe(49);
    expect(evaluateSecurityGroups(apply(s, f.actions), ssh).decision).toBe('allow');
  });

  it('a deny in an earlier group: the allow goes into that group (a later group never comes first)', () => {
    const s = snap([grp(SG_DENY, [rule(SG_DENY, { action: 'deny', priority: 100 })]), grp(SG_WEB, [rule(SG_WEB, { multiport: '80' })])], { order: [SG_DENY, SG_WEB] });
    const f = withActions(huaweiFixes(allow({ groupId: SG_WEB }), { snapshot: s, flow: ssh }));
    expect(f.actions[0].params.security_group_rule).toMatchObject({ security_group_id: SG_DENY, priority: 99 });
    expect(evaluateSecurityGroups(apply(s, f.actions), ssh).decision).toBe('allow');
    // Naively following the intent's group would not have helped.
    const naive = apply(s, [{ api: 'CreateSecurityGroupRule', params: { security_group_rule: { ...(f.actions[0].params.security_group_rule as R), security_group_id: SG_WEB, priority: 1 } } }]);
    expect(evaluateSecurityGroups(naive, ssh).decision).toBe('deny');
  });

  it('a deny at priority 1 cannot be beaten: no command, the console step says to change the deny', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { action: 'deny', priority: 1 })])]);
    const fixes = huaweiFixes(allow(), { snapshot: s, flow: ssh });
    expect(fixes.every((f) => f.actions.length === 0)).toBe(true);
    expect(fixes.map((f) => f.kind)).toEqual(['console']);
    expect(fixes[0].title.en).toContain('change or delete that deny rule');
    expect(fixes[0].title['zh-CN']).toContain('优先级 1');
    expect(fixes[0].title['zh-CN']).not.toMatch(/[,;:()]/);
  });

  it('the client’s address unknown: no actions (never 0.0.0.0/0), the console step says what to fill in', () => {
    const s = snap([grp(SG_WEB, [])]);
    const fixes = huaweiFixes(allow({ cidr: null }), { snapshot: s, flow: ssh });
    expect(fixes.map((f) => [f.kind, f.actions.length])).toEqual([['console', 0]]);
    expect(fixes[0].url).toBe(`https://console.huaweicloud.com/vpc/?region=cn-north-4#/secGroups/detail/${SG_WEB}`);
    expect(JSON.stringify(fixes)).not.toContain('0.0.0.0/0');
  });

  it('ICMP: no port, IPv6: ethertype IPv6', () => {
    const s = snap([grp(SG_WEB, [])]);
    const icmp = withActions(huaweiFixes(allow({ protocol: 'icmp', port: null }), { snapshot: s, flow: { ...ssh, protocol: 'icmp', port: 0 } }));
    expect(icmp.actions[0].params.security_group_rule).not.toHaveProperty('multiport');
    const v6 = withActions(huaweiFixes(allow({ cidr: '2001:db8::7/128' }), { snapshot: s }));
    expect(v6.actions[0].params.security_group_rule).toMatchObject({ ethertype: 'IPv6', remote_ip_prefix: '2001:db8::7/128' });
  });
});

describe('renderings come from the actions', () => {
  it('changing an action parameter changes the command and the Terraform', () => {
    const s = snap([grp(SG_WEB, [])]);
    const [cli, tf] = huaweiFixes(allow(), { snapshot: s, flow: ssh });
    expect(tf.command).toContain('resource "huaweicloud_networking_secgroup_rule"');
    expect(tf.command).toMatch(/ports\s+= "22"/);
    expect(tf.command).toMatch(/priority\s+= 1\n/);
    const changed: CloudAction = { api: 'CreateSecurityGroupRule', params: { security_group_rule: { ...(cli.actions[0].params.security_group_rule as R), multiport: '2222', priority: 7 } } };
    expect(hcloudCommand(changed, REGION)).toContain('--security_group_rule.multiport=2222');
    expect(hcloudCommand(changed, REGION)).toContain('--security_group_rule.priority=7');
    expect(terraformRule(changed)).toMatch(/ports\s+= "2222"/);
    expect(terraformRule(changed)).toMatch(/priority\s+= 7/);
    expect(hcloudCommand(cli.actions[0], REGION)).toBe(cli.command);
  });

  it('values are shell-quoted; an unknown region leaves --cli-region to the KooCLI profile', () => {
    const a: CloudAction = { api: 'CreateSecurityGroupRule', params: { security_group_rule: { description: "it's; rm -rf /" } } };
    expect(hcloudCommand(a, null)).toBe(`hcloud VPC CreateSecurityGroupRule/v3 --security_group_rule.description='it'\\''s; rm -rf /'`);
    expect(hcloudCommand(a, 'unknown')).not.toContain('--cli-region');
  });

  it('every API a fix emits is in the write policy', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { id: 'old', multiport: '2222' })])], { firewalls: [firewall()] });
    const intents: FixIntent[] = [
      allow(),
      { kind: 'revoke-rule', groupId: SG_WEB, ruleId: 'old', direction: 'ingress' },
      { kind: 'modify-rule', groupId: SG_WEB, ruleId: 'old', changes: { PortRange: '22/22' } },
      { kind: 'join-group', instanceId: SERVER_ID, groupId: SG_DENY },
      { kind: 'acl-allow', aclId: ACL_ID, direction: 'ingress', protocol: 'tcp', port: 22, cidr: `${CLIENT}/32` },
      { kind: 'start-instance', instanceId: SERVER_ID },
    ];
    for (const i of intents) {
      // No flow: nothing to prove here, only which APIs the intents become.
      const acts = huaweiFixes(i, { snapshot: s }).flatMap((f) => f.actions);
      expect(acts.length, i.kind).toBeGreaterThan(0);
      for (const a of acts) expect(HUAWEI_WRITE_ACTIONS[a.api], a.api).toBeDefined();
    }
  });
});

describe('other intents', () => {
  it('modify-rule: the v3 API cannot update a rule, so create the changed rule, then delete the old one', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { id: 'old', multiport: '2222', priority: 3 })])]);
    const f = withActions(huaweiFixes({ kind: 'modify-rule', groupId: SG_WEB, ruleId: 'old', changes: { PortRange: '22/22' } }, { snapshot: s, flow: ssh }));
    expect(f.actions.map((a) => a.api)).toEqual(['CreateSecurityGroupRule', 'DeleteSecurityGroupRule']);
    expect(f.actions[0].params.security_group_rule).toMatchObject({ security_group_id: SG_WEB, multiport: '22', priority: 3, action: 'allow', remote_ip_prefix: '0.0.0.0/0' });
    expect(f.actions[0].params.security_group_rule).not.toHaveProperty('id');
    expect(f.command?.split('\n')).toHaveLength(2);
    expect(f.command).toContain('hcloud VPC DeleteSecurityGroupRule/v3 --cli-region=cn-north-4 --security_group_rule_id=old');
    const after = apply(s, f.actions);
    expect(evaluateSecurityGroups(after, ssh).decision).toBe('allow');
    expect(huaweiFixes({ kind: 'modify-rule', groupId: SG_WEB, ruleId: 'nope', changes: { multiport: '22' } }, { snapshot: s })[0].actions).toEqual([]);
  });

  it('revoke-rule removes the deciding deny', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { id: 'deny', action: 'deny' }), rule(SG_WEB, { priority: 2 })])]);
    const f = withActions(huaweiFixes({ kind: 'revoke-rule', groupId: SG_WEB, ruleId: 'deny', direction: 'ingress' }, { snapshot: s, flow: ssh }));
    expect(f.command).toBe('hcloud VPC DeleteSecurityGroupRule/v3 --cli-region=cn-north-4 --security_group_rule_id=deny');
    expect(evaluateSecurityGroups(apply(s, f.actions), ssh).decision).toBe('allow');
  });

  it('acl-allow: inserted before the denying rule (after the one before it, or first), no return rule (stateful)', () => {
    const acl = firewall({
      ingress_rules: [
        { id: 'a-80', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '80', enabled: true },
        { id: 'a-deny', action: 'deny', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true },
      ],
      egress_rules: [],
    });
    const s = snap([grp(SG_WEB, [rule(SG_WEB)])], { firewalls: [acl] });
    expect(evaluateNetworkAcl(s, ssh).decision).toBe('deny');
    const f = withActions(huaweiFixes({ kind: 'acl-allow', aclId: ACL_ID, direction: 'ingress', protocol: 'tcp', port: 22, cidr: `${CLIENT}/32`, beforeEntryId: 'a-deny' }, { snapshot: s, flow: ssh }));
    expect(f.actions).toHaveLength(1);
    expect(f.actions[0]).toMatchObject({ api: 'AddFirewallRules', params: { firewall_id: ACL_ID, firewall: { insert_after_rule: 'a-80', ingress_rules: [{ action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: `${CLIENT}/32`, destination_port: '22', enabled: true }] } } });
    expect(f.command).toContain(`hcloud VPC AddFirewallRules/v3 --cli-region=cn-north-4 --firewall_id=${ACL_ID} --firewall.ingress_rules.1.name=sg-doctor --firewall.ingress_rules.1.action=allow`);
    expect(f.command).toContain('--firewall.insert_after_rule=a-80');
    const after = apply(s, f.actions);
    expect(evaluateNetworkAcl(after, ssh)).toMatchObject({ decision: 'allow', returnPath: { explanation: 'stateful' } });
    // The deny first: no insert_after_rule, which inserts at the front.
    const first = withActions(huaweiFixes({ kind: 'acl-allow', aclId: ACL_ID, direction: 'ingress', protocol: 'tcp', port: 22, cidr: `${CLIENT}/32`, beforeEntryId: 'a-80' }, { snapshot: s, flow: ssh }));
    expect((first.actions[0].params.firewall as R).insert_after_rule).toBeUndefined();
    expect(evaluateNetworkAcl(apply(s, first.actions), ssh).decision).toBe('allow');
  });

  it('join-group puts the group first on the port (groups are matched in order)', () => {
    const s = snap([grp(SG_DENY, [rule(SG_DENY, { action: 'deny', priority: 100 })]), grp(SG_WEB, [rule(SG_WEB)])], { order: [SG_DENY] });
    expect(evaluateSecurityGroups(s, ssh).decision).toBe('deny');
    const f = withActions(huaweiFixes({ kind: 'join-group', instanceId: SERVER_ID, groupId: SG_WEB }, { snapshot: s, flow: ssh }));
    expect(f.actions).toEqual([{ api: 'AddSecurityGroups', params: { port_id: PORT_ID, port: { security_groups: [SG_WEB], index: 0 } } }]);
    expect(f.command).toBe(`hcloud VPC AddSecurityGroups/v3 --cli-region=cn-north-4 --port_id=${PORT_ID} --port.security_groups.1=${SG_WEB} --port.index=0`);
    expect(evaluateSecurityGroups(apply(s, f.actions), ssh).decision).toBe('allow');
  });

  it('start-instance: BatchStartServers with os-start', () => {
    const s = snap([grp(SG_WEB, [rule(SG_WEB)])], { status: 'SHUTOFF' });
    const f = withActions(huaweiFixes({ kind: 'start-instance', instanceId: null }, { snapshot: s }));
    expect(f.actions).toEqual([{ api: 'BatchStartServers', params: { 'os-start': { servers: [{ id: SERVER_ID }] } } }]);
    expect(f.command).toBe(`hcloud ECS BatchStartServers --cli-region=cn-north-4 --os-start.servers.1.id=${SERVER_ID}`);
    expect((apply(s, f.actions).providerData as HuaweiProviderData).server?.status).toBe('ACTIVE');
  });

  it('bandwidth and EIP binding: console steps in both languages, no invented command', () => {
    const s = snap([grp(SG_WEB, [])]);
    for (const i of [{ kind: 'public-bandwidth', instanceId: SERVER_ID, mbps: 5 }, { kind: 'bind-public-ip', instanceId: SERVER_ID }] as FixIntent[]) {
      const fs = huaweiFixes(i, { snapshot: s });
      expect(fs.map((f) => [f.kind, f.actions.length])).toEqual([['console', 0]]);
      expect(fs[0].url).toBe('https://console.huaweicloud.com/vpc/?region=cn-north-4#/eips');
      expect(fs[0].title['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(fs[0].title.en).toMatch(/console/i);
    }
  });
});

describe('simulation: proven before shown', () => {
  it('each offered fix carries its simulation, and the independent applier agrees with the provider’s', () => {
    const s = snap([grp(SG_DENY, [rule(SG_DENY, { action: 'deny', priority: 100 })]), grp(SG_WEB, [rule(SG_WEB, { multiport: '80' })])], { order: [SG_DENY, SG_WEB] });
    const fixes = huaweiFixes(allow({ groupId: SG_WEB }), { snapshot: s, flow: ssh });
    for (const f of fixes) expect(f.simulated).toEqual({ decision: 'allow' });
    const mine = apply(s, fixes[0].actions);
    const theirs = applyHuaweiActions(s, fixes[0].actions)!;
    expect(evaluateSecurityGroups(theirs, ssh).decision).toBe(evaluateSecurityGroups(mine, ssh).decision);
    expect(evaluateSecurityGroups(theirs, ssh).decidedBy).toMatchObject({ containerId: SG_DENY, priority: 99, policy: 'accept' });
    // The snapshot given is not changed.
    expect(evaluateSecurityGroups(s, ssh).decision).toBe('deny');
  });

  it('a change that does not let the flow through is withheld, and the console step says why', () => {
    // Deleting the deny leaves no rule that allows: still denied.
    const s = snap([grp(SG_WEB, [rule(SG_WEB, { id: 'deny', action: 'deny' })])]);
    const fixes = huaweiFixes({ kind: 'revoke-rule', groupId: SG_WEB, ruleId: 'deny', direction: 'ingress' }, { snapshot: s, flow: ssh });
    expect(fixes.map((f) => [f.kind, f.actions.length])).toEqual([['console', 0]]);
    expect(fixes[0].title.en).toContain('still does not let the connection through');
    expect(simulateHuaweiFix(s, ssh, [{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: 'deny' } }]).decision).toBe('deny');
  });

  it('an action on data that was not read cannot be proven: unknown, with the reason', () => {
    const s = snap([grp(SG_WEB, [])]);
    const sim = simulateHuaweiFix(s, ssh, [{ api: 'CreateSecurityGroupRule', params: { security_group_rule: { security_group_id: 'not-read', direction: 'ingress' } } }]);
    expect(sim.decision).toBe('unknown');
    expect(sim.rejected?.en).toContain('not read');
    expect(simulateHuaweiFix(s, ssh, [{ api: 'SomethingElse', params: {} }]).decision).toBe('unknown');
  });
});

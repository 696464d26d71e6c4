import { describe, expect, it } from 'vitest';
import type { Flow } from '../../rules/types';
import { evaluateHuaweiFirewall } from './firewall';
import { evaluateHuaweiPath } from './path';
import type { HuaweiFirewall, HuaweiFirewallRule } from './types';

const CLIENT = '203.0.113.7';
const SERVER = '10.0.1.20';
const SUBNET = 'subnet-1';
const flow = (over: Partial<Flow> = {}): Flow => ({ direction: 'ingress', protocol: 'tcp', sourceIp: CLIENT, destinationIp: SERVER, port: 22, ...over });
let n = 0;
const r = (over: Partial<HuaweiFirewallRule> = {}): HuaweiFirewallRule => ({ id: `f${++n}`, action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true, ...over });
const acl = (ingress: HuaweiFirewallRule[], egress: HuaweiFirewallRule[] = [], over: Partial<HuaweiFirewall> = {}): HuaweiFirewall => ({
  id: 'acl-1',
  admin_state_up: true,
  status: 'ACTIVE',
  associations: [{ virsubnet_id: SUBNET }],
  ingress_rules: ingress,
  egress_rules: egress,
  ...over,
});
const opts = { subnetId: SUBNET };

describe('evaluateHuaweiFirewall', () => {
  it('no ACL, an ACL on another subnet, or a disabled ACL filters nothing', () => {
    expect(evaluateHuaweiFirewall(null, flow())).toMatchObject({ present: false, decision: 'allow' });
    expect(evaluateHuaweiFirewall(acl([]), flow(), { subnetId: 'subnet-2' })).toMatchObject({ present: false, decision: 'allow', inbound: { explanation: 'acl-not-associated' } });
    expect(evaluateHuaweiFirewall(acl([], [], { associations: [], status: 'INACTIVE' }), flow())).toMatchObject({ present: false, decision: 'allow' });
    expect(evaluateHuaweiFirewall(acl([], [], { admin_state_up: false }), flow(), opts)).toMatchObject({ present: false, decision: 'allow', inbound: { explanation: 'acl-disabled' } });
  });
  it('an associated ACL with no rule denies (default rule "*")', () => {
    const e = evaluateHuaweiFirewall(acl([]), flow(), opts);
    expect(e).toMatchObject({ present: true, decision: 'deny', inbound: { explanation: 'default-deny', decidedBy: { kind: 'default', policy: 'drop' } } });
  });
  it('is stateful: an inbound allow suffices, with no outbound rule for the client ports', () => {
    const e = evaluateHuaweiFirewall(acl([r({ id: 'ssh' })], []), flow(), opts);
    expect(e.decision).toBe('allow');
    expect(e.inbound.decidedBy).toEqual({ kind: 'rule', ruleId: 'ssh', containerId: 'acl-1', order: 0, policy: 'accept' });
    expect(e.returnPath).toMatchObject({ decision: 'allow', explanation: 'stateful' });
    expect(e.returnPorts).toBeUndefined();
  });
  it('rules in their order, first match decides (no priority sort, no deny-first)', () => {
    const allowFirst = acl([r({ id: 'a' }), r({ id: 'd', action: 'deny' })]);
    expect(evaluateHuaweiFirewall(allowFirst, flow(), opts).decision).toBe('allow');
    const denyFirst = acl([r({ id: 'd', action: 'deny', source_ip_address: '203.0.113.0/24' }), r({ id: 'a' })]);
    const e = evaluateHuaweiFirewall(denyFirst, flow(), opts);
    expect(e.decision).toBe('deny');
    expect(e.inbound.decidedBy).toMatchObject({ ruleId: 'd' });
    expect(e.inbound.nearMisses).toMatchObject([{ reason: 'shadowed-by-drop', ruleId: 'a', containerId: 'acl-1' }]);
  });
  it('a disabled rule is skipped, and reported when it alone would have allowed', () => {
    const e = evaluateHuaweiFirewall(acl([r({ id: 'off', enabled: false })]), flow(), opts);
    expect(e.decision).toBe('deny');
    expect(e.inbound.nearMisses).toMatchObject([{ reason: 'rule-disabled', ruleId: 'off' }]);
    const d = evaluateHuaweiFirewall(acl([r({ action: 'deny', enabled: false }), r({ id: 'a' })]), flow(), opts);
    expect(d.decision).toBe('allow');
  });
  it('traffic inside the subnet is not filtered', () => {
    const e = evaluateHuaweiFirewall(acl([]), flow({ sourceIp: '10.0.1.30' }), { ...opts, sameSubnet: true });
    expect(e).toMatchObject({ present: true, decision: 'allow', inbound: { explanation: 'intra-subnet' } });
  });
  it('empty or "any" protocol and port lists', () => {
    const a = acl([r({ protocol: 'any', destination_port: null })]);
    expect(evaluateHuaweiFirewall(a, flow({ protocol: 'udp', port: 53 }), opts).decision).toBe('allow');
    const list = acl([r({ destination_port: '80,443,8000-8080' })]);
    expect(evaluateHuaweiFirewall(list, flow({ port: 8080 }), opts).decision).toBe('allow');
    expect(evaluateHuaweiFirewall(list, flow({ port: 22 }), opts).inbound.nearMisses).toMatchObject([{ reason: 'port-outside-range' }]);
  });
  it('names the one wrong field', () => {
    const cases: [HuaweiFirewall, string][] = [
      [acl([], [r({ source_ip_address: null, destination_ip_address: '0.0.0.0/0' })]), 'wrong-direction'],
      [acl([r({ protocol: 'udp' })]), 'wrong-protocol'],
      [acl([r({ source_ip_address: '10.0.0.0/8' })]), 'private-source'],
      [acl([r({ source_ip_address: '198.51.100.0/24' })]), 'source-excludes-client'],
      [acl([r({ source_port: '22' })]), 'source-port-restricted'],
      [acl([r({ ip_version: 6, source_ip_address: '::/0' })]), 'source-excludes-client'],
    ];
    for (const [a, reason] of cases) {
      const e = evaluateHuaweiFirewall(a, flow(), opts);
      expect(e.decision, reason).toBe('deny');
      expect(e.inbound.nearMisses.map((m) => m.reason), reason).toEqual([reason]);
    }
  });
  it('a source port range covering part of the client ports, or an unread address group, may match: unknown', () => {
    expect(evaluateHuaweiFirewall(acl([r({ source_port: '32768-65535' })]), flow(), opts).decision).toBe('unknown');
    expect(evaluateHuaweiFirewall(acl([r({ source_port: '1-65535' })]), flow(), opts).decision).toBe('allow');
    const ag = acl([r({ source_ip_address: null, source_address_group_id: 'ag-1' })]);
    expect(evaluateHuaweiFirewall(ag, flow(), opts).decision).toBe('unknown');
    expect(evaluateHuaweiFirewall(ag, flow(), { ...opts, addressGroups: { 'ag-1': ['203.0.113.7'] } }).decision).toBe('allow');
  });
  it('the destination is the private address the ACL sees; through an EIP it must be given', () => {
    const a = acl([r({ destination_ip_address: '10.0.1.0/24' })]);
    expect(evaluateHuaweiFirewall(a, flow(), opts).decision).toBe('allow');
    expect(evaluateHuaweiFirewall(a, flow({ destinationIp: '198.51.100.50' }), opts).decision).toBe('unknown');
    expect(evaluateHuaweiFirewall(a, flow({ destinationIp: '198.51.100.50' }), { ...opts, localIp: SERVER }).decision).toBe('allow');
    expect(evaluateHuaweiFirewall(a, flow({ destinationIp: '198.51.100.50' }), { ...opts, localIp: '10.0.2.5' }).decision).toBe('deny');
  });
  it('egress flows use the outbound rules: source is the server, destination the peer', () => {
    const a = acl([], [r({ source_ip_address: null, destination_ip_address: '198.51.100.0/24', destination_port: '443' })]);
    const out = (dst: string): Flow => flow({ direction: 'egress', sourceIp: SERVER, destinationIp: dst, port: 443 });
    expect(evaluateHuaweiFirewall(a, out('198.51.100.9'), opts).decision).toBe('allow');
    expect(evaluateHuaweiFirewall(a, out('203.0.113.9'), opts).decision).toBe('deny');
  });
});

describe('evaluateHuaweiPath: the ACL is met before the security groups', () => {
  const allowSg = [{ id: 'sg-a', security_group_rules: [{ id: 'ssh', direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', multiport: '22', action: 'allow', priority: 1, remote_ip_prefix: '0.0.0.0/0' }] }];
  const o = { ...opts, flavour: 's6.small.1' };
  it('an ACL deny stops the traffic although a security group allows it', () => {
    const p = evaluateHuaweiPath(acl([r({ action: 'deny' })]), allowSg, flow(), o);
    expect(p).toMatchObject({ decision: 'deny', blockedAt: 'network-acl', securityGroups: { decision: 'allow' } });
  });
  it('both allow: allowed; the ACL allows and no group rule does: the group blocks', () => {
    expect(evaluateHuaweiPath(acl([r()]), allowSg, flow(), o)).toMatchObject({ decision: 'allow', blockedAt: null });
    expect(evaluateHuaweiPath(acl([r()]), [{ id: 'sg-b', security_group_rules: [] }], flow(), o)).toMatchObject({ decision: 'deny', blockedAt: 'security-group' });
  });
  it('an undecided ACL with groups that allow is undecided; with groups that deny it is a deny', () => {
    const maybe = acl([r({ source_ip_address: null, source_address_group_id: 'ag-1' })]);
    expect(evaluateHuaweiPath(maybe, allowSg, flow(), o).decision).toBe('unknown');
    expect(evaluateHuaweiPath(maybe, [{ id: 'sg-b', security_group_rules: [] }], flow(), o)).toMatchObject({ decision: 'deny', blockedAt: 'security-group' });
  });
  it('no ACL: the groups decide', () => {
    expect(evaluateHuaweiPath(null, allowSg, flow(), o).decision).toBe('allow');
  });
});

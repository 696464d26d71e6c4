// The Huawei provider behind the port: evaluation adapters over providerData (every documented semantic, through
// the mapped snapshot as diagnose sees it), JSON-shape and reason-code parity with Alibaba for the same mistakes,
// semantics, console links and policy.
import { describe, expect, it } from 'vitest';
import { huaweiProviderData, mapHuaweiSnapshot, type HuaweiDocuments, type HwFirewall, type HwPort, type HwSecurityGroup } from '../src/core/cloud/huawei/map';
import { HUAWEI_CONSOLE, HUAWEI_SEMANTICS, evaluateNetworkAcl, evaluateSecurityGroups, huaweiProvider } from '../src/core/cloud/huawei/provider';
import { HUAWEI_POLICY_READ_ACTIONS, HUAWEI_WRITE_ACTIONS, huaweiPolicy } from '../src/core/cloud/huawei/policy';
import { HUAWEI_READ_ACTIONS } from '../src/core/cloud/huawei/read';
import { CARRIER_BLOCKED_TCP } from '../src/core/cloud/huawei/carrierPorts';
import type { CloudSnapshot } from '../src/core/cloud/model';
import { evaluationWords, nearMissWords } from '../src/core/diagnosis/words';
import { evaluateSecurityGroups as aliSecurityGroups } from '../src/core/rules/securityGroups';
import { evaluateNetworkAcl as aliNetworkAcl } from '../src/core/rules/networkAcl';
import type { NetworkAclEntry } from '../src/core/cloud/model';
import { CLIENT_IP as ALI_CLIENT, EIP as ALI_EIP, group as aliGroup, snapshot as aliSnapshot, type RuleSpec } from '../src/core/rules/fixtures';
import type { Evaluation, Flow, NearMissReason } from '../src/core/rules/types';
import { ACL_ID, EIP, PORT2_ID, PORT_ID, PRIVATE_IP, REGION, SG_DENY, SG_WEB, SUBNET2_ID, SUBNET_ID, defaultRules, firewall, port, publicip, server } from './fake-huawei/scenarios';

const CLIENT = '198.51.100.7';
const flow = (over: Partial<Flow> = {}): Flow => ({ direction: 'ingress', protocol: 'tcp', sourceIp: CLIENT, destinationIp: EIP, port: 22, ...over });

type R = Record<string, unknown>;
let seq = 0;
/** A v3 security-group rule as the API returns it (defaults: inbound TCP 22 from anywhere, allow, priority 1). */
const hwRule = (groupId: string, over: R = {}): R => ({ id: `r-${++seq}`, security_group_id: groupId, direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', multiport: '22', action: 'allow', priority: 1, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null, remote_address_group_id: null, description: '', ...over });
const hwGroup = (id: string, rules: R[]): HwSecurityGroup => ({ id, name: id.slice(-4), security_group_rules: rules as HwSecurityGroup['security_group_rules'] });

interface Spec {
  groups: HwSecurityGroup[];
  order?: string[];
  firewalls?: HwFirewall[];
  firewallsRead?: boolean;
  flavour?: string | null;
  ports?: HwPort[];
}

/** A mapped snapshot, round-tripped through JSON as a session file would be. */
function snap(spec: Spec): CloudSnapshot {
  const order = spec.order ?? spec.groups.map((g) => g.id);
  const d: HuaweiDocuments = {
    region: REGION,
    source: 'import',
    server: server({ security_groups: order.map((id) => ({ id, name: id.slice(-4) })), flavor: spec.flavour === null ? null : { id: spec.flavour ?? 's6.small.1', name: spec.flavour ?? 's6.small.1' } }),
    ports: spec.ports ?? [port({ security_groups: order })],
    securityGroups: spec.groups,
    firewalls: spec.firewalls ?? [],
    firewallsRead: spec.firewallsRead ?? true,
    publicips: [publicip()],
  };
  return JSON.parse(JSON.stringify(mapHuaweiSnapshot(d))) as CloudSnapshot;
}

const reasons = (e: Evaluation): NearMissReason[] => [...new Set(e.nearMisses.map((m) => m.reason))].sort();

describe('JSON shape and reason codes: the same as Alibaba for the same mistakes', () => {
  // One mistake, written once for each cloud.
  const cases: { name: string; reason: NearMissReason; ali: RuleSpec[]; hw: R[] }[] = [
    { name: 'outbound rule for inbound traffic', reason: 'wrong-direction', ali: [{ direction: 'egress' }], hw: [{ direction: 'egress' }] },
    { name: 'UDP instead of TCP', reason: 'wrong-protocol', ali: [{ protocol: 'udp' }], hw: [{ protocol: 'udp' }] },
    { name: 'port 2222 instead of 22', reason: 'port-outside-range', ali: [{ ports: '2222/2222' }], hw: [{ multiport: '2222' }] },
    { name: 'a private source for internet traffic', reason: 'private-source', ali: [{ cidr: '10.0.0.0/8' }], hw: [{ remote_ip_prefix: '10.0.0.0/8' }] },
    { name: 'a source range without the client', reason: 'source-excludes-client', ali: [{ cidr: '192.0.2.0/24' }], hw: [{ remote_ip_prefix: '192.0.2.0/24' }] },
    { name: 'a network written without its mask', reason: 'bare-ip-without-mask', ali: [{ cidr: '198.51.100.0' }], hw: [{ remote_ip_prefix: '198.51.100.0' }] },
    { name: 'a security group as the source', reason: 'group-reference', ali: [{ group: 'sg-bp1otherxxxxxxxx' }], hw: [{ remote_ip_prefix: null, remote_group_id: SG_DENY }] },
    {
      name: 'an allow shadowed by a deny of higher priority',
      reason: 'shadowed-by-drop',
      ali: [{ policy: 'drop', priority: 1 }, { priority: 2 }],
      hw: [{ action: 'deny', priority: 1 }, { priority: 2 }],
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.reason} on both clouds`, () => {
      const ali = aliSecurityGroups(aliSnapshot({ groups: [aliGroup('sg-bp1webxxxxxxxxxx', c.ali)] }), { direction: 'ingress', protocol: 'tcp', sourceIp: ALI_CLIENT.replace('203.0.113', '198.51.100'), destinationIp: ALI_EIP, port: 22 });
      const hw = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, c.hw.map((o) => hwRule(SG_WEB, o)))] }), flow());
      expect(ali.decision).toBe('deny');
      expect(hw.decision).toBe('deny');
      expect(reasons(ali)).toContain(c.reason);
      expect(reasons(hw)).toEqual(reasons(ali));
      // Same JSON shape: the same keys on the evaluation, the decider and every near miss.
      const keys = (o: object): string[] => Object.keys(o).filter((k) => !['notes', 'interfaceId'].includes(k)).sort();
      expect(keys(hw)).toEqual(keys(ali));
      expect(Object.keys(hw.decidedBy ?? {}).sort()).toEqual(expect.arrayContaining(['kind', 'policy']));
      expect(hw.decidedBy?.kind).toBe(ali.decidedBy?.kind);
      for (const m of hw.nearMisses) expect(Object.keys(m).sort()).toEqual(expect.arrayContaining(['containerId', 'detail', 'policy', 'reason', 'ruleId', 'values']));
      expect(hw.nearMisses.map((m) => Object.keys(m).sort().join())).toEqual(ali.nearMisses.map((m) => Object.keys(m).sort().join()));
    });
  }
});

describe('a peer that cannot be resolved: the same near miss on both clouds', () => {
  it('a prefix list / IP address group whose entries were not read → prefix-list-unresolved, decision unknown', () => {
    const ali = aliSecurityGroups(aliSnapshot({ groups: [aliGroup('sg-bp1webxxxxxxxxxx', [{ prefixList: { id: 'pl-bp1unread', cidrs: null } }])] }), { direction: 'ingress', protocol: 'tcp', sourceIp: CLIENT, destinationIp: ALI_EIP, port: 22 });
    const hw = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { remote_ip_prefix: null, remote_address_group_id: 'ag-unread' })])] }), flow());
    expect(ali.decision).toBe('unknown');
    expect(hw.decision).toBe('unknown');
    expect(reasons(ali)).toEqual(['prefix-list-unresolved']);
    expect(reasons(hw)).toEqual(reasons(ali));
  });

  it('a group reference and a client inside the VPC → group-reference with membership unknown', () => {
    const inside = '192.168.0.77';
    const ali = aliSecurityGroups(aliSnapshot({ groups: [aliGroup('sg-bp1webxxxxxxxxxx', [{ group: 'sg-bp1otherxxxxxxxx' }])] }), { direction: 'ingress', protocol: 'tcp', sourceIp: '172.16.0.77', destinationIp: '172.16.0.10', port: 22 });
    const hw = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { remote_ip_prefix: null, remote_group_id: SG_DENY })])] }), flow({ sourceIp: inside, destinationIp: PRIVATE_IP }));
    expect(hw.decision).toBe(ali.decision);
    expect(reasons(hw)).toEqual(reasons(ali));
    expect(hw.nearMisses[0].values).toMatchObject({ membership: 'unknown' });
  });
});

describe('network ACL near misses: the same codes as Alibaba for the same mistakes', () => {
  // Both ACLs also let everything out (Alibaba needs it for the replies; on Huawei it is the same rule written).
  const all = { protocol: 'all' as const, portRange: { from: -1, to: -1 } };
  const out: R = { id: 'out-all', action: 'allow', protocol: 'any', ip_version: 4, destination_ip_address: '0.0.0.0/0', enabled: true };
  const cases: { name: string; reason: NearMissReason; ali: { ingress: Partial<NetworkAclEntry>[]; egress: Partial<NetworkAclEntry>[] }; hw: { ingress: R[]; egress: R[] } }[] = [
    { name: 'UDP instead of TCP', reason: 'wrong-protocol', ali: { ingress: [{ protocol: 'udp' }], egress: [all] }, hw: { ingress: [{ protocol: 'udp' }], egress: [out] } },
    { name: 'port 2222 instead of 22', reason: 'port-outside-range', ali: { ingress: [{ portRange: { from: 2222, to: 2222 } }], egress: [all] }, hw: { ingress: [{ destination_port: '2222' }], egress: [out] } },
    { name: 'a private source', reason: 'private-source', ali: { ingress: [{ cidr: '10.0.0.0/8' }], egress: [all] }, hw: { ingress: [{ source_ip_address: '10.0.0.0/8' }], egress: [out] } },
    { name: 'a source without the client', reason: 'source-excludes-client', ali: { ingress: [{ cidr: '192.0.2.0/24' }], egress: [all] }, hw: { ingress: [{ source_ip_address: '192.0.2.0/24' }], egress: [out] } },
    { name: 'an allow after a deny', reason: 'shadowed-by-drop', ali: { ingress: [{ policy: 'drop' }, {}], egress: [all] }, hw: { ingress: [{ action: 'deny' }, {}], egress: [out] } },
  ];
  const hwAclRule = (over: R): R => ({ id: `a-${++seq}`, name: '', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true, ...over });
  for (const c of cases) {
    it(`${c.name} → ${c.reason}`, () => {
      const ali = aliNetworkAcl(aliSnapshot({ groups: [aliGroup('sg-bp1webxxxxxxxxxx', [{}])], acl: c.ali }), { direction: 'ingress', protocol: 'tcp', sourceIp: CLIENT, destinationIp: ALI_EIP, port: 22 });
      const hw = evaluateNetworkAcl(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB)])], firewalls: [firewall({ ingress_rules: c.hw.ingress.map(hwAclRule) as HwFirewall['ingress_rules'], egress_rules: c.hw.egress as HwFirewall['egress_rules'] })] }), flow());
      expect(ali.inbound.decision).toBe('deny');
      expect(hw.inbound.decision).toBe('deny');
      expect(reasons(ali.inbound)).toContain(c.reason);
      expect(reasons(hw.inbound)).toEqual(reasons(ali.inbound));
      expect(Object.keys(hw).sort()).toEqual(expect.arrayContaining(['aclId', 'decision', 'inbound', 'present', 'returnPath']));
      // The one designed difference: Huawei's ACL is stateful, Alibaba's needs the reply rule it has here.
      expect(hw.returnPath.explanation).toBe('stateful');
    });
  }
});

describe('security-group semantics through the provider', () => {
  it('priority: a lower number is matched first', () => {
    expect(evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { priority: 1 }), hwRule(SG_WEB, { action: 'deny', priority: 2 })])] }), flow()).decision).toBe('allow');
    const e = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { priority: 2 }), hwRule(SG_WEB, { action: 'deny', priority: 1 })])] }), flow());
    expect(e).toMatchObject({ decision: 'deny', explanation: 'rule-drop', decidedBy: { kind: 'rule', policy: 'drop', priority: 1, containerId: SG_WEB } });
  });

  it('deny before allow at equal priority', () => {
    const e = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { priority: 5 }), hwRule(SG_WEB, { action: 'deny', priority: 5 })])] }), flow());
    expect(e.decision).toBe('deny');
    expect(e.nearMisses.find((m) => m.reason === 'shadowed-by-drop')?.values).toMatchObject({ samePriority: 1 });
  });

  it('multiport lists and ranges', () => {
    const s = snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { multiport: '80,443,20-30' })])] });
    expect(evaluateSecurityGroups(s, flow({ port: 25 })).decision).toBe('allow');
    expect(evaluateSecurityGroups(s, flow({ port: 443 })).decision).toBe('allow');
    const e = evaluateSecurityGroups(s, flow({ port: 31 }));
    expect(e.decision).toBe('deny');
    expect(reasons(e)).toEqual(['port-outside-range']);
  });

  it('an empty protocol means every protocol', () => {
    const s = snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { protocol: null, multiport: null })])] });
    expect(evaluateSecurityGroups(s, flow()).decision).toBe('allow');
    expect(evaluateSecurityGroups(s, flow({ protocol: 'udp', port: 53 })).decision).toBe('allow');
    expect(evaluateSecurityGroups(s, flow({ protocol: 'icmp', port: 0 })).decision).toBe('allow');
  });

  it('ethertype: an IPv6 rule does not admit an IPv4 client', () => {
    const e = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { ethertype: 'IPv6', remote_ip_prefix: '::/0' })])] }), flow());
    expect(e.decision).toBe('deny');
    expect(e.nearMisses[0]).toMatchObject({ reason: 'source-excludes-client', values: { familyMismatch: 1 } });
  });

  it('a remote security group never admits an internet client', () => {
    const e = evaluateSecurityGroups(snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB, { remote_ip_prefix: null, remote_group_id: SG_WEB })])] }), flow());
    expect(e.decision).toBe('deny');
    expect(reasons(e)).toEqual(['group-reference']);
  });

  it('several groups: matched in their order on the port, not pooled', () => {
    const groups = [hwGroup(SG_DENY, [hwRule(SG_DENY, { action: 'deny', priority: 100 })]), hwGroup(SG_WEB, [hwRule(SG_WEB, { priority: 1 })])];
    const e = evaluateSecurityGroups(snap({ groups, order: [SG_DENY, SG_WEB] }), flow());
    expect(e).toMatchObject({ decision: 'deny', decidedBy: { containerId: SG_DENY }, considered: [SG_DENY, SG_WEB], interfaceId: PORT_ID });
    expect(e.nearMisses.find((m) => m.reason === 'shadowed-by-drop')?.values).toMatchObject({ earlierGroup: 1 });
    // The other order on the port: the allow group first.
    expect(evaluateSecurityGroups(snap({ groups, order: [SG_WEB, SG_DENY] }), flow()).decision).toBe('allow');
  });

  it('the default rules of a new group: everything out, in only from members of the group', () => {
    const s = snap({ groups: [hwGroup(SG_WEB, defaultRules(SG_WEB))] });
    const inbound = evaluateSecurityGroups(s, flow());
    expect(inbound.decision).toBe('deny');
    expect(reasons(inbound)).toEqual(['group-reference', 'wrong-direction']);
    expect(evaluateSecurityGroups(s, { direction: 'egress', protocol: 'tcp', sourceIp: PRIVATE_IP, destinationIp: CLIENT, port: 443 }).decision).toBe('allow');
  });

  it('rules an older flavour ignores: a near miss of their own, and unknown when the flavour is not known', () => {
    const groups = [hwGroup(SG_WEB, [hwRule(SG_WEB, { multiport: '22,80' })])];
    expect(evaluateSecurityGroups(snap({ groups }), flow()).decision).toBe('allow');
    const old = evaluateSecurityGroups(snap({ groups, flavour: 's1.medium' }), flow());
    expect(old.decision).toBe('deny');
    expect(reasons(old)).toEqual(['ignored-on-flavour']);
    const unknownFlavour = evaluateSecurityGroups(snap({ groups, flavour: null }), flow());
    expect(unknownFlavour).toMatchObject({ decision: 'unknown', explanation: 'flavour-unknown' });
  });

  it('a group whose rules were not read makes every later decision unknown, not an earlier one', () => {
    const web = hwGroup(SG_WEB, [hwRule(SG_WEB)]);
    const before = evaluateSecurityGroups(snap({ groups: [web], order: [SG_DENY, SG_WEB] }), flow());
    expect(before).toMatchObject({ decision: 'unknown', explanation: 'group-missing' });
    expect(before.notes?.some((n) => n.code === 'group-missing')).toBe(true);
    const after = evaluateSecurityGroups(snap({ groups: [web], order: [SG_WEB, SG_DENY] }), flow());
    expect(after.decision).toBe('allow');
  });

  it('an address that is not the server’s, and malformed provider data, are unknown', () => {
    const s = snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB)])] });
    expect(evaluateSecurityGroups(s, flow({ destinationIp: '192.0.2.99' }))).toMatchObject({ decision: 'unknown', explanation: 'destination-not-on-instance' });
    const bad = { ...s, providerData: { ...(s.providerData as R), securityGroups: [{ id: 7 }] } };
    expect(evaluateSecurityGroups(bad, flow())).toMatchObject({ decision: 'unknown', explanation: 'not-evaluated' });
    expect(evaluateNetworkAcl(bad, flow()).decision).toBe('unknown');
    expect(evaluateSecurityGroups({ ...s, providerData: undefined }, flow()).decision).toBe('unknown');
  });
});

describe('network ACL semantics through the provider', () => {
  const open = [hwGroup(SG_WEB, [hwRule(SG_WEB)])];
  const fwRule = (over: R): R => ({ id: `a-${++seq}`, name: '', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true, ...over });
  const acl = (ingress: R[], over: Partial<HwFirewall> = {}): HwFirewall => firewall({ ingress_rules: ingress as HwFirewall['ingress_rules'], egress_rules: [], ...over });

  it('first match decides; an allow after the deny is a shadowed near miss', () => {
    const e = evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({ id: 'deny', action: 'deny' }), fwRule({ id: 'allow' })])] }), flow());
    expect(e).toMatchObject({ present: true, aclId: ACL_ID, decision: 'deny', inbound: { decidedBy: { ruleId: 'deny', policy: 'drop', containerId: ACL_ID }, interfaceId: PORT_ID } });
    expect(e.inbound.nearMisses.map((m) => [m.reason, m.ruleId])).toEqual([['shadowed-by-drop', 'allow']]);
  });

  it('disabled rules are skipped; a disabled allow is the rule-disabled near miss', () => {
    expect(evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({ action: 'deny', enabled: false }), fwRule({})])] }), flow()).decision).toBe('allow');
    const e = evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({ id: 'off', enabled: false })])] }), flow());
    expect(e).toMatchObject({ decision: 'deny', inbound: { explanation: 'default-deny' } });
    expect(e.inbound.nearMisses.map((m) => [m.reason, m.ruleId])).toEqual([['rule-disabled', 'off']]);
  });

  it('default deny once a subnet is associated', () => {
    const e = evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({ destination_port: '80' })])] }), flow());
    expect(e).toMatchObject({ decision: 'deny', inbound: { explanation: 'default-deny', decidedBy: { kind: 'default', policy: 'drop' } } });
    expect(reasons(e.inbound)).toEqual(['port-outside-range']);
  });

  it('stateful: no outbound rule is needed for the replies, and the evaluation says so', () => {
    const e = evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({})], { egress_rules: [] })] }), flow());
    expect(e.decision).toBe('allow');
    expect(e.returnPath).toMatchObject({ decision: 'allow', explanation: 'stateful', nearMisses: [] });
    expect(e.returnPorts).toBeUndefined();
    expect(huaweiProvider.semantics.aclStateful).toBe(true);
  });

  it('traffic inside the subnet is not filtered', () => {
    const peer = '192.168.0.20';
    const ports = [port(), port({ id: PORT2_ID, fixed_ips: [{ subnet_id: 'b0b0b0b0-0000-4000-8000-000000000001', ip_address: peer }], security_groups: [SG_WEB] })];
    const e = evaluateNetworkAcl(snap({ groups: open, ports, firewalls: [acl([fwRule({ action: 'deny' })])] }), flow({ sourceIp: peer, destinationIp: PRIVATE_IP }));
    expect(e).toMatchObject({ decision: 'allow', inbound: { explanation: 'intra-subnet' } });
  });

  it('no ACL on the subnet (the ACLs were read) passes; ACLs not read is unknown', () => {
    expect(evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({ action: 'deny' })], { associations: [{ virsubnet_id: 'other' }] })] }), flow())).toMatchObject({ present: false, decision: 'allow' });
    expect(evaluateNetworkAcl(snap({ groups: open, firewallsRead: false }), flow())).toMatchObject({ present: false, decision: 'unknown', inbound: { explanation: 'acl-unknown' } });
  });

  it('a secondary port in another subnet: its own groups and its own subnet’s ACL decide', () => {
    const second = '192.168.1.20';
    const ports = [port(), port({ id: PORT2_ID, network_id: SUBNET2_ID, fixed_ips: [{ subnet_id: 'b0b0b0b0-0000-4000-8000-000000000002', ip_address: second }], security_groups: [SG_DENY], device_id: undefined })];
    const groups = [hwGroup(SG_WEB, [hwRule(SG_WEB)]), hwGroup(SG_DENY, [hwRule(SG_DENY, { multiport: '80' })])];
    const acls = [acl([fwRule({})]), acl([fwRule({ id: 'deny-2', action: 'deny' })], { id: 'acl-2', associations: [{ virsubnet_id: SUBNET2_ID }] })];
    const s = snap({ groups, order: [SG_WEB], ports, firewalls: acls });
    const toSecond = flow({ sourceIp: '10.9.9.9', destinationIp: second });
    expect(evaluateSecurityGroups(s, toSecond)).toMatchObject({ decision: 'deny', considered: [SG_DENY], interfaceId: PORT2_ID });
    expect(evaluateNetworkAcl(s, toSecond)).toMatchObject({ aclId: 'acl-2', decision: 'deny', inbound: { decidedBy: { ruleId: 'deny-2' } } });
    // The primary port is not affected by the second subnet's ACL.
    expect(evaluateNetworkAcl(s, flow())).toMatchObject({ aclId: ACL_ID, decision: 'allow' });
    expect(evaluateSecurityGroups(s, flow()).decision).toBe('allow');
  });

  it('an ACL that is switched off filters nothing', () => {
    expect(evaluateNetworkAcl(snap({ groups: open, firewalls: [acl([fwRule({ action: 'deny' })], { admin_state_up: false })] }), flow())).toMatchObject({ decision: 'allow', inbound: { explanation: 'acl-disabled' } });
  });
});

describe('provider surface', () => {
  it('semantics: priority 1..100, lower first; Huawei’s carrier-blocked ports', () => {
    expect(HUAWEI_SEMANTICS).toMatchObject({ aclStateful: true, priority: { min: 1, max: 100, lowerFirst: true }, carrierBlockedTcpPorts: CARRIER_BLOCKED_TCP, groupsDropSilently: true });
    // Outbound TCP 25 is blocked by default only in cn-north-1 (ECS FAQ); the filing console is Huawei's own.
    expect(HUAWEI_SEMANTICS.outboundTcp25Blocked).toEqual(['cn-north-1']);
    expect(HUAWEI_SEMANTICS.icpFiling.console).toBe('https://beian.huaweicloud.com/');
    expect(HUAWEI_SEMANTICS.carrierBlockedTcpPorts).toEqual(expect.arrayContaining([135, 139, 445, 4444]));
    expect(huaweiProvider.id).toBe('huawei');
    expect(huaweiProvider.name.en).toBe('Huawei Cloud');
  });

  it('console links stay on the console host and refuse a malformed region', () => {
    const urls = [HUAWEI_CONSOLE.securityGroup('cn-north-4', SG_WEB), HUAWEI_CONSOLE.securityGroup('cn-north-4', null), HUAWEI_CONSOLE.instance('cn-north-4', 'x'), HUAWEI_CONSOLE.networkAcl('cn-north-4', ACL_ID)];
    for (const u of urls) expect(HUAWEI_CONSOLE.hosts).toContain(new URL(u!).host);
    expect(HUAWEI_CONSOLE.securityGroup('cn-north-4', SG_WEB)).toBe(`https://console.huaweicloud.com/vpc/?region=cn-north-4#/secGroups/detail/${SG_WEB}`);
    expect(HUAWEI_CONSOLE.securityGroup('x@127.0.0.1:99/', SG_WEB)).toBeNull();
    expect(HUAWEI_CONSOLE.instance(null, 'x')).toBeNull();
  });

  it('policy: read-only by default, write adds exactly the fix actions', () => {
    const ro = huaweiPolicy();
    expect(ro).toEqual({ Version: '1.1', Statement: [{ Effect: 'Allow', Action: [...HUAWEI_POLICY_READ_ACTIONS] }] });
    expect(ro.Statement[0].Action.every((a) => /:(get|list)$/.test(a))).toBe(true);
    expect(ro.Statement[0].Action).toEqual(expect.arrayContaining(['ecs:cloudServers:get', 'ecs:cloudServers:list', 'vpc:ports:get', 'vpc:securityGroups:get', 'vpc:securityGroupRules:get', 'vpc:firewalls:get', 'vpc:firewalls:list']));
    // Every call the reader makes is covered, and nothing else.
    const reader = Object.values(HUAWEI_READ_ACTIONS).map((a) => a.iam).filter((x) => x !== null);
    expect(new Set(ro.Statement[0].Action)).toEqual(new Set(reader));
    const rw = huaweiPolicy({ write: true }).Statement[0].Action;
    expect(rw.filter((a) => !ro.Statement[0].Action.includes(a)).sort()).toEqual([...new Set(Object.values(HUAWEI_WRITE_ACTIONS))].sort());
    expect(huaweiPolicy({ remoteScript: true })).toEqual(ro);
    expect(huaweiProvider.policy()).toEqual(ro);
  });

  it('read delegates to the Huawei reader: without a key it reports one error, never throws', async () => {
    const s = await huaweiProvider.read({ instanceId: '7d1e3f1a-2b4c-4d5e-8f90-a1b2c3d4e5f6', region: 'cn-north-4', env: { HOME: '/nonexistent-sgd-home' } });
    expect(s.provider).toBe('huawei');
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ action: 'ResolveCredentials', leavesUnknown: ['everything'] });
  });

  it('every code the Huawei evaluations emit has words, in both languages', () => {
    const codes = ['rule-accept', 'rule-drop', 'default-deny', 'flavour-unknown', 'no-group', 'uncertain-peer', 'uncertain-field', 'no-acl', 'acl-not-associated', 'acl-disabled', 'intra-subnet', 'stateful', 'group-missing', 'acl-unknown', 'destination-not-on-instance', 'not-evaluated'];
    const fallback = evaluationWords('no-such-code');
    for (const c of codes) expect(evaluationWords(c), c).not.toEqual(fallback);
    const fallbackMiss = nearMissWords('no-such-reason');
    for (const r of ['ignored-on-flavour', 'rule-disabled'] as const) {
      const w = nearMissWords(r);
      expect(w).not.toEqual(fallbackMiss);
      expect(w['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('providerData of a mapped snapshot reads back', () => {
    const s = snap({ groups: [hwGroup(SG_WEB, [hwRule(SG_WEB)])] });
    expect(huaweiProviderData(s)?.ports[0]).toMatchObject({ id: PORT_ID, subnetId: SUBNET_ID });
  });
});

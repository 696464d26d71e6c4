// map.ts: Huawei API documents → CloudSnapshot + providerData, checked through the Huawei evaluators.
import { describe, expect, it } from 'vitest';
import { evaluateHuaweiPath } from '../src/core/cloud/huawei/path';
import { aclForSubnet, evaluatorFirewall, evaluatorGroups, groupsForPort, huaweiProviderData, portForAddress, HuaweiProviderDataSchema, mapHuaweiSnapshot, type HuaweiDocuments } from '../src/core/cloud/huawei/map';
import type { Flow } from '../src/core/rules/types';
import { ACL_ID, EIP, EIP_ID, PORT2_ID, PORT_ID, PRIVATE_IP, REGION, scenario, SERVER_ID, SG_DENY, SG_WEB, SUBNET2_ID, SUBNET_ID, port, type ScenarioName } from './fake-huawei/scenarios';

const ssh: Flow = { direction: 'ingress', protocol: 'tcp', sourceIp: '198.51.100.7', destinationIp: EIP, port: 22 };

function docs(name: ScenarioName, over: Partial<HuaweiDocuments> = {}): HuaweiDocuments {
  const st = scenario(name);
  return { region: REGION, source: 'import', server: st.servers[0], ports: st.ports, securityGroups: st.securityGroups, firewalls: st.firewalls, firewallsRead: true, publicips: st.publicips, ...over };
}

function decide(name: ScenarioName, over: Partial<HuaweiDocuments> = {}) {
  const snap = mapHuaweiSnapshot(docs(name, over));
  const d = huaweiProviderData(JSON.parse(JSON.stringify(snap)) as { providerData?: unknown });
  expect(d).not.toBeNull();
  return { snap, d: d!, path: evaluateHuaweiPath(evaluatorFirewall(d!), evaluatorGroups(d!), ssh, { subnetId: d!.ports[0]?.subnetId ?? undefined, localIp: PRIVATE_IP, flavour: d!.server?.flavour ?? undefined }) };
}

describe('mapHuaweiSnapshot', () => {
  it('fills the neutral fields for display', () => {
    const { snap } = decide('healthy');
    expect(snap.provider).toBe('huawei');
    expect(snap.instance).toMatchObject({ id: SERVER_ID, name: 'web-1', status: 'Running', region: REGION, zone: 'cn-north-4a', eipAddress: EIP, eipAllocationId: EIP_ID, privateIps: [PRIVATE_IP], securityGroupIds: [SG_WEB], internetMaxBandwidthOut: 5, vSwitchId: SUBNET_ID, operationLocks: [] });
    expect(snap.interfaces).toEqual([expect.objectContaining({ id: PORT_ID, type: 'primary', privateIps: [PRIVATE_IP], publicIp: EIP, securityGroupIds: [SG_WEB], vSwitchId: SUBNET_ID, instanceId: SERVER_ID })]);
    expect(snap.eips).toEqual([expect.objectContaining({ allocationId: EIP_ID, ipAddress: EIP, status: 'InUse', bandwidthMbps: 5, instanceId: PORT_ID })]);
    const r = snap.securityGroups[0].rules.find((x) => x.id.endsWith('-ssh'))!;
    expect(r).toMatchObject({ direction: 'ingress', protocol: 'tcp', portRange: { from: 22, to: 22 }, policy: 'accept', priority: 1, peer: { kind: 'cidr', cidr: '0.0.0.0/0' } });
    // An empty protocol is "all" on Huawei.
    expect(snap.securityGroups[0].rules.find((x) => x.id.endsWith('def-e4'))).toMatchObject({ direction: 'egress', protocol: 'all', portRange: { from: -1, to: -1 } });
    expect(snap.securityGroups[0].rules.find((x) => x.id.endsWith('def-i4'))?.peer).toEqual({ kind: 'group', groupId: SG_WEB });
  });

  it('providerData validates and round-trips through JSON', () => {
    const { d } = decide('healthy');
    expect(HuaweiProviderDataSchema.safeParse(d).success).toBe(true);
    expect(d.ports[0]).toEqual({ id: PORT_ID, subnetId: SUBNET_ID, fixedIps: [PRIVATE_IP], securityGroupIds: [SG_WEB], portSecurityEnabled: true, primary: true });
    expect(d.server).toMatchObject({ id: SERVER_ID, status: 'ACTIVE', locked: false, frozen: null, flavour: 's6.small.1' });
    expect(d.firewallState).toBe('none');
  });

  it('rejects tampered providerData (a session file is untrusted)', () => {
    const { snap } = decide('healthy');
    const bad = JSON.parse(JSON.stringify(snap)) as { providerData: { securityGroups: unknown } };
    bad.providerData.securityGroups = 'everything allowed';
    expect(huaweiProviderData(bad)).toBeNull();
    expect(huaweiProviderData({})).toBeNull();
    expect(huaweiProviderData(null)).toBeNull();
  });

  it.each([
    ['healthy', 'allow', null],
    ['rule-missing', 'deny', 'security-group'],
    ['deny-higher-priority', 'deny', 'security-group'],
    ['acl-deny', 'deny', 'network-acl'],
    ['acl-stateful-return', 'allow', null],
    ['several-groups', 'deny', 'security-group'],
  ] as const)('%s → the evaluators decide %s (blocked at %s)', (name, decision, at) => {
    const { path } = decide(name);
    expect(path.decision).toBe(decision);
    expect(path.blockedAt).toBe(at);
  });

  it('keeps the port order of several groups (the first group decides first)', () => {
    const { d, snap } = decide('several-groups');
    expect(d.securityGroups.map((g) => g.id)).toEqual([SG_DENY, SG_WEB]);
    expect(snap.instance?.securityGroupIds).toEqual([SG_DENY, SG_WEB]);
  });

  it('the network ACL of the port subnet is kept with both directions', () => {
    const { d, snap } = decide('acl-deny');
    expect(d.firewallState).toBe('associated');
    expect(d.firewall?.id).toBe(ACL_ID);
    expect(d.firewall?.ingress_rules?.map((r) => r.id)).toEqual(['acl-in-deny', 'acl-in-1']);
    expect(d.firewall?.egress_rules?.length).toBe(1);
    expect(snap.networkAcls[0]).toMatchObject({ id: ACL_ID, vSwitchIds: [SUBNET_ID] });
    expect(snap.networkAcls[0].ingress[0]).toMatchObject({ policy: 'drop', portRange: { from: 22, to: 22 }, order: 0 });
  });

  it('an ACL of another subnet is not the port ACL; ACLs not read leave it unknown, not "none"', () => {
    const st = scenario('acl-deny');
    const other = { ...st.firewalls[0], associations: [{ virsubnet_id: SUBNET2_ID }] };
    expect(decide('healthy', { firewalls: [other] }).d.firewallState).toBe('none');
    const unread = decide('healthy', { firewalls: [], firewallsRead: false });
    expect(unread.d.firewallState).toBe('unknown');
    expect(unread.d.firewall).toBeNull();
  });

  it('server state: SHUTOFF, frozen (EcmResStatus freeze), locked', () => {
    const off = decide('shutoff');
    expect(off.snap.instance?.status).toBe('Stopped'); // neutral word; Huawei's own stays in providerData
    expect(off.d.server?.status).toBe('SHUTOFF');
    const st = scenario('healthy');
    expect(decide('healthy', { server: { ...st.servers[0], status: 'MIGRATING' } }).snap.instance?.status).toBe('MIGRATING');
    expect(decide('healthy', { server: { ...st.servers[0], status: 'HARD_REBOOT' } }).snap.instance?.status).toBe('Starting');
    const frozen = decide('frozen');
    expect(frozen.d.server?.frozen).toBe(true);
    expect(frozen.snap.instance?.operationLocks).toEqual(['frozen']);
    expect(frozen.snap.eips[0]).toMatchObject({ status: 'InUse', businessStatus: 'FinancialLocked' });
    const locked = decide('healthy', { server: { ...st.servers[0], locked: true } });
    expect(locked.snap.instance?.operationLocks).toEqual(['locked']);
    expect(locked.d.server?.locked).toBe(true);
  });

  it('several ports: the primary is the one carrying the first fixed address; each keeps its own groups', () => {
    const st = scenario('healthy');
    const second = port({ id: PORT2_ID, network_id: SUBNET2_ID, fixed_ips: [{ subnet_id: 'x', ip_address: '192.168.1.20' }], security_groups: [SG_DENY] });
    const { d, snap } = decide('healthy', { ports: [second, ...st.ports] });
    expect(d.ports.map((p) => [p.id, p.primary])).toEqual([
      [PORT_ID, true],
      [PORT2_ID, false],
    ]);
    expect(d.portGroupIds).toEqual({ [PORT2_ID]: [SG_DENY], [PORT_ID]: [SG_WEB] });
    expect(d.unreadGroupIds).toEqual([SG_DENY]);
    expect(snap.interfaces.find((i) => i.id === PORT2_ID)?.type).toBe('secondary');
  });

  it('a secondary port: its own groups in its order, its own subnet ACL, found by its address', () => {
    const st = scenario('several-groups');
    const acl = scenario('acl-deny').firewalls[0];
    const second = port({ id: PORT2_ID, network_id: SUBNET2_ID, fixed_ips: [{ subnet_id: 'x', ip_address: '192.168.1.20' }], security_groups: [SG_WEB, SG_DENY] });
    const { d, snap } = decide('several-groups', { ports: [...st.ports, second], firewalls: [{ ...acl, associations: [{ virsubnet_id: SUBNET2_ID }] }] });
    expect(groupsForPort(d)?.groups.map((g) => g.id)).toEqual([SG_DENY, SG_WEB]);
    expect(groupsForPort(d, PORT2_ID)?.groups.map((g) => g.id)).toEqual([SG_WEB, SG_DENY]);
    expect(groupsForPort(d, 'no-such-port')).toBeNull();
    expect(aclForSubnet(d, SUBNET_ID)).toEqual({ state: 'none', firewall: null });
    expect(aclForSubnet(d, SUBNET2_ID).state).toBe('associated');
    expect(aclForSubnet(d, 'other').state).toBe('unknown');
    expect(d.firewallState).toBe('none'); // the primary's subnet has none
    expect(portForAddress(d, snap.eips, '192.168.1.20')).toBe(PORT2_ID);
    expect(portForAddress(d, snap.eips, EIP)).toBe(PORT_ID);
    expect(portForAddress(d, snap.eips, '198.51.100.1')).toBeNull();
    // Through the evaluators: the second port's order puts the allow first.
    const g2 = groupsForPort(d, PORT2_ID)!;
    expect(evaluateHuaweiPath(null, g2.groups, { ...ssh, destinationIp: '192.168.1.20' }, {}).securityGroups.decision).toBe('allow');
  });

  it('a subnet whose ACL detail was not read is unknown; the others keep their state', () => {
    const acl = scenario('acl-deny').firewalls[0];
    const second = port({ id: PORT2_ID, network_id: SUBNET2_ID, fixed_ips: [{ subnet_id: 'x', ip_address: '192.168.1.20' }] });
    const { d } = decide('healthy', { ports: [...scenario('healthy').ports, second], firewalls: [acl], unreadFirewallSubnets: [SUBNET2_ID] });
    expect(aclForSubnet(d, SUBNET_ID).state).toBe('associated');
    expect(aclForSubnet(d, SUBNET2_ID)).toEqual({ state: 'unknown', firewall: null });
  });

  it('groups named by the port but not read are listed as unread (their rules are unknown)', () => {
    const { d, path } = decide('several-groups', { securityGroups: scenario('several-groups').securityGroups.filter((g) => g.id === SG_WEB) });
    expect(d.unreadGroupIds).toEqual([SG_DENY]);
    expect(d.securityGroups.map((g) => g.id)).toEqual([SG_WEB]);
    expect(path.securityGroups.decision).toBe('allow'); // the provider must combine this with unreadGroupIds
  });

  it('without an EIP record, the floating address still names the EIP and bandwidth is not claimed from it', () => {
    const { snap } = decide('healthy', { publicips: [] });
    expect(snap.instance?.eipAddress).toBe(EIP);
    expect(snap.instance?.eipAllocationId).toBeUndefined();
    expect(snap.eips).toEqual([]);
    expect(snap.interfaces[0].publicIp).toBe(EIP);
  });

  it('no server: ports and groups are still mapped', () => {
    const { snap, d } = decide('healthy', { server: null });
    expect(snap.instance).toBeNull();
    expect(d.server).toBeNull();
    expect(d.securityGroups.map((g) => g.id)).toEqual([SG_WEB]);
  });
});

describe('scenario placement (lab addresses and port)', () => {
  it.each(['healthy', 'rule-missing', 'deny-higher-priority', 'acl-deny', 'several-groups'] as const)('%s keeps its decision on port 8080 at lab addresses', (name) => {
    const params = { eip: '10.200.3.2', privateIp: '10.200.3.2', port: 8080 };
    const st = scenario(name, params);
    const snap = mapHuaweiSnapshot({ region: REGION, source: 'import', server: st.servers[0], ports: st.ports, securityGroups: st.securityGroups, firewalls: st.firewalls, firewallsRead: true, publicips: st.publicips });
    const d = huaweiProviderData(snap)!;
    expect(snap.instance?.eipAddress).toBe('10.200.3.2');
    const flow = { ...ssh, destinationIp: '10.200.3.2', port: 8080 };
    const at8080 = evaluateHuaweiPath(evaluatorFirewall(d), evaluatorGroups(d), flow, { subnetId: SUBNET_ID, localIp: '10.200.3.2', flavour: 's6.small.1' });
    const at22 = evaluateHuaweiPath(evaluatorFirewall(d), evaluatorGroups(d), { ...flow, port: 22 }, { subnetId: SUBNET_ID, localIp: '10.200.3.2', flavour: 's6.small.1' });
    expect(at8080.decision).toBe(decide(name).path.decision);
    expect(at22.decision).toBe('deny'); // the rules moved to 8080
  });
});

describe('address groups reach the evaluators', () => {
  it.each([
    ['198.51.100.7', 'allow'],
    ['192.0.2.15', 'allow'],
    ['203.0.113.99', 'deny'],
  ] as const)('SSH only from the office address group: client %s → %s', (client, decision) => {
    const st = scenario('address-group');
    const snap = mapHuaweiSnapshot({ region: REGION, source: 'import', server: st.servers[0], ports: st.ports, securityGroups: st.securityGroups, firewalls: [], firewallsRead: true, publicips: st.publicips, addressGroups: Object.fromEntries(st.addressGroups!.map((g) => [g.id, g.ip_set])) });
    const d = huaweiProviderData(snap)!;
    const out = evaluateHuaweiPath(null, evaluatorGroups(d), { ...ssh, sourceIp: client }, { addressGroups: d.addressGroups, flavour: 's6.small.1' });
    expect(out.decision).toBe(decision);
    expect(snap.securityGroups[0].rules[0].peer).toEqual({ kind: 'prefix-list', prefixListId: st.addressGroups![0].id, cidrs: ['198.51.100.0/24', '192.0.2.10-192.0.2.20'] });
  });

  it('without the group contents the rule may match: not a deny', () => {
    const st = scenario('address-group');
    const snap = mapHuaweiSnapshot({ region: REGION, source: 'import', server: st.servers[0], ports: st.ports, securityGroups: st.securityGroups, firewalls: [], firewallsRead: true, publicips: st.publicips });
    const d = huaweiProviderData(snap)!;
    expect(evaluateHuaweiPath(null, evaluatorGroups(d), { ...ssh, sourceIp: '203.0.113.99' }, { addressGroups: d.addressGroups, flavour: 's6.small.1' }).decision).toBe('unknown');
  });
});

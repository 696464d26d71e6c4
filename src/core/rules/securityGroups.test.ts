import { describe, expect, it } from 'vitest';
import { CLIENT_IP, EIP, PRIVATE_IP, group, snapshot, sshFlow } from './fixtures';
import { evaluateSecurityGroups } from './securityGroups';
import type { Evaluation, NearMiss } from './types';

const reasons = (e: Evaluation): string[] => e.nearMisses.map((m) => m.reason);
const only = (e: Evaluation, reason: NearMiss['reason']): NearMiss => {
  const ms = e.nearMisses.filter((m) => m.reason === reason);
  expect(ms).toHaveLength(1);
  return ms[0];
};

describe('evaluateSecurityGroups: allow paths', () => {
  it('accepts SSH from 0.0.0.0/0 and names the deciding rule', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'sgr-ssh', cidr: '0.0.0.0/0', ports: '22/22', priority: 1 }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('allow');
    expect(e.decidedBy).toEqual({ kind: 'rule', ruleId: 'sgr-ssh', containerId: 'sg-web', priority: 1, order: 0, policy: 'accept' });
    expect(e.explanation).toBe('rule-accept');
    expect(e.interfaceId).toBe('eni-bp1d66qjxb3qoin3xxxx');
    expect(e.nearMisses).toEqual([]);
  });

  it('accepts the client /32 and a port range containing the port', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'r', cidr: `${CLIENT_IP}/32`, ports: '20/25' }])] });
    expect(evaluateSecurityGroups(snap, sshFlow()).decision).toBe('allow');
    expect(evaluateSecurityGroups(snap, sshFlow({ port: 26 })).decision).toBe('deny');
  });

  it('protocol ALL with -1/-1 admits TCP on any port and ICMP', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'all', protocol: 'all', ports: '-1/-1', cidr: '203.0.113.0/24' }])] });
    expect(evaluateSecurityGroups(snap, sshFlow({ port: 3389 })).decidedBy).toMatchObject({ ruleId: 'all' });
    expect(evaluateSecurityGroups(snap, sshFlow({ protocol: 'icmp', port: 0 })).decision).toBe('allow');
    expect(evaluateSecurityGroups(snap, sshFlow({ protocol: 'udp', port: 53 })).decision).toBe('allow');
  });

  it('aggregates all groups of the ENI: an accept in the second group admits', () => {
    const snap = snapshot({ groups: [group('sg-base', [{ ports: '80/80' }]), group('sg-ssh', [{ id: 'ssh', ports: '22/22', priority: 50 }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('allow');
    expect(e.decidedBy).toMatchObject({ ruleId: 'ssh', containerId: 'sg-ssh' });
    expect(e.considered).toEqual(['sg-base', 'sg-ssh']);
  });

  it('ignores egress rules for an inbound connection (stateful: replies are allowed)', () => {
    const snap = snapshot({
      groups: [group('sg-web', [{ id: 'in', ports: '22/22' }, { id: 'out-drop', direction: 'egress', protocol: 'all', ports: '-1/-1', policy: 'drop' }])],
    });
    expect(evaluateSecurityGroups(snap, sshFlow()).decision).toBe('allow');
  });

  it('basic group: a private address of a member of the same group is accepted by the intra-group default', () => {
    const snap = snapshot({
      groups: [group('sg-web', [])],
      secondary: { id: 'eni-second', privateIps: ['172.16.0.20'], groups: ['sg-web'] },
    });
    const e = evaluateSecurityGroups(snap, sshFlow({ sourceIp: '172.16.0.20', destinationIp: PRIVATE_IP }));
    expect(e.decision).toBe('allow');
    expect(e.explanation).toBe('inner-access-accept');
    const drop = snapshot({ groups: [group('sg-web', [], { innerAccessPolicy: 'Drop' })], secondary: { id: 'eni-second', privateIps: ['172.16.0.20'], groups: ['sg-web'] } });
    expect(evaluateSecurityGroups(drop, sshFlow({ sourceIp: '172.16.0.20', destinationIp: PRIVATE_IP })).decision).toBe('deny');
  });

  it('basic group: outbound is allowed by default; enterprise group denies it', () => {
    const egress = { direction: 'egress' as const, protocol: 'tcp' as const, sourceIp: PRIVATE_IP, destinationIp: '198.51.100.80', port: 443 };
    expect(evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [])] }), egress)).toMatchObject({ decision: 'allow', explanation: 'default-allow-egress-basic' });
    const ent = evaluateSecurityGroups(snapshot({ groups: [group('sg-ent', [], { type: 'enterprise' })] }), egress);
    expect(ent).toMatchObject({ decision: 'deny', explanation: 'default-deny-enterprise' });
    expect(reasons(ent)).toContain('enterprise-default-deny');
  });

  it('notes the platform block of outbound TCP 25', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [])] }), { direction: 'egress', protocol: 'tcp', sourceIp: PRIVATE_IP, destinationIp: '198.51.100.25', port: 25 });
    expect(e.notes?.map((n) => n.code)).toContain('tcp-25-blocked');
  });
});

describe('evaluateSecurityGroups: priority and policy', () => {
  it('a higher-priority drop 0.0.0.0/0 beats an accept listed first (not top-to-bottom)', () => {
    const snap = snapshot({
      groups: [group('sg-web', [{ id: 'accept-me', cidr: `${CLIENT_IP}/32`, priority: 10 }, { id: 'drop-all', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])],
    });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('deny');
    expect(e.decidedBy).toMatchObject({ ruleId: 'drop-all', policy: 'drop', priority: 1 });
    const m = only(e, 'shadowed-by-drop');
    expect(m.ruleId).toBe('accept-me');
    expect(m.values).toMatchObject({ dropRuleId: 'drop-all', dropPriority: 1, priority: 10, samePriority: 0, dropPeer: '0.0.0.0/0' });
  });

  it('a one-field near miss behind the deciding drop says that fixing it alone is not enough', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'lan', cidr: '192.168.1.10/32', priority: 5 }, { id: 'drop-all', policy: 'drop', priority: 1 }, { id: 'late', ports: '2222/2222', priority: 1, policy: 'accept' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(only(e, 'private-source').values).toMatchObject({ shadowedBy: 'drop-all' });
    expect(only(e, 'port-outside-range').values).toMatchObject({ shadowedBy: 'drop-all' });
  });

  it('drop beats accept at the same priority, even across groups', () => {
    const snap = snapshot({
      groups: [group('sg-a', [{ id: 'accept', cidr: '0.0.0.0/0', priority: 5 }]), group('sg-b', [{ id: 'drop', cidr: '203.0.113.0/24', policy: 'drop', priority: 5 }])],
    });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('deny');
    expect(e.decidedBy).toMatchObject({ ruleId: 'drop', containerId: 'sg-b' });
    expect(only(e, 'shadowed-by-drop').values).toMatchObject({ samePriority: 1, dropRuleId: 'drop' });
  });

  it('a lower-priority drop does not stop a higher-priority accept', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'drop', policy: 'drop', priority: 100 }, { id: 'accept', priority: 99 }])] });
    expect(evaluateSecurityGroups(snap, sshFlow()).decidedBy).toMatchObject({ ruleId: 'accept' });
  });

  it('treats Priority given as a string like the API does', () => {
    const g = group('sg-web', [{ id: 'a', priority: 2 }, { id: 'd', policy: 'drop', priority: 10 }]);
    (g.rules[0] as { priority: unknown }).priority = '2';
    expect(evaluateSecurityGroups(snapshot({ groups: [g] }), sshFlow()).decidedBy).toMatchObject({ ruleId: 'a' });
  });
});

describe('evaluateSecurityGroups: near misses (the seeds\' 高频误区)', () => {
  it('wrong-direction: the SSH rule was added as an outbound rule only', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'out22', direction: 'egress', cidr: '0.0.0.0/0', ports: '22/22' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e).toMatchObject({ decision: 'deny', explanation: 'default-deny-basic' });
    expect(only(e, 'wrong-direction')).toMatchObject({ ruleId: 'out22', values: { ruleDirection: 'egress', direction: 'ingress' } });
  });

  it('wrong-protocol: UDP 22 for SSH', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'udp22', protocol: 'udp', ports: '22/22' }])] }), sshFlow());
    expect(e.decision).toBe('deny');
    expect(only(e, 'wrong-protocol').values).toMatchObject({ ruleProtocol: 'udp', protocol: 'tcp', port: 22 });
  });

  it('port-outside-range: 2222 instead of 22, marked likely', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'p2222', ports: '2222/2222' }, { id: 'p443', ports: '443/443' }])] }), sshFlow());
    const ms = e.nearMisses.filter((m) => m.reason === 'port-outside-range');
    expect(ms.map((m) => [m.ruleId, m.values?.likely])).toEqual([
      ['p2222', 1],
      ['p443', 0],
    ]);
    expect(ms[0].values).toMatchObject({ portFrom: 2222, portTo: 2222, port: 22, portRange: '2222/2222' });
  });

  it('source-excludes-client: the office range, not the current egress IP', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'office', cidr: '198.51.100.0/24' }])] }), sshFlow());
    expect(only(e, 'source-excludes-client')).toMatchObject({ ruleId: 'office', values: { clientIp: CLIENT_IP, cidr: '198.51.100.0/24' } });
    expect(e.nearMisses[0].detail).toContain(CLIENT_IP);
  });

  it('private-source: 192.168.1.10/32 used for internet access (and 100.64/10 shared space)', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'lan', cidr: '192.168.1.10/32' }, { id: 'cgnat', cidr: '100.64.0.0/10' }, { id: 'ten', cidr: '10.0.0.0/8' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.nearMisses.map((m) => [m.reason, m.ruleId])).toEqual([
      ['private-source', 'lan'],
      ['private-source', 'cgnat'],
      ['private-source', 'ten'],
    ]);
    expect(e.nearMisses[0].values).toMatchObject({ clientIp: CLIENT_IP, cidr: '192.168.1.10/32' });
  });

  it('bare-ip-without-mask: "203.0.113.0" is one host, the user meant the /24', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'bare', cidr: '203.0.113.0' }])] }), sshFlow());
    expect(e.decision).toBe('deny');
    expect(only(e, 'bare-ip-without-mask').values).toMatchObject({ cidr: '203.0.113.0', treatedAs: '203.0.113.0/32', suggestion: '203.0.113.0/24', clientIp: CLIENT_IP });
  });

  it('a bare IP equal to the client works (platform treats it as /32): allow plus an informative note', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'bare', cidr: CLIENT_IP }])] }), sshFlow());
    expect(e.decision).toBe('allow');
    expect(e.notes?.map((n) => n.code)).toEqual(['bare-ip-is-host']);
  });

  it('a bare IP far from the client is just a source that excludes it', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'bare', cidr: '198.51.100.9' }])] }), sshFlow());
    expect(only(e, 'source-excludes-client').values).toMatchObject({ bare: 1 });
  });

  it('group-reference: a public client IP never matches a security-group reference', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'ref', group: 'sg-bastion' }])] }), sshFlow());
    expect(e.decision).toBe('deny');
    const m = only(e, 'group-reference');
    expect(m.values).toMatchObject({ groupId: 'sg-bastion', clientScope: 'public' });
    expect(m.detail).toMatch(/public address.*private addresses/);
  });

  it('group-reference with a private source outside the snapshot: unknown, not a guess', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-web', [{ id: 'ref', group: 'sg-bastion' }])] }), sshFlow({ sourceIp: '172.16.5.9', destinationIp: PRIVATE_IP }));
    expect(e.decision).toBe('unknown');
    expect(only(e, 'group-reference').values).toMatchObject({ membership: 'unknown' });
  });

  it('enterprise-default-deny: enterprise group without rules', () => {
    const e = evaluateSecurityGroups(snapshot({ groups: [group('sg-ent', [], { type: 'enterprise' })] }), sshFlow());
    expect(e).toMatchObject({ decision: 'deny', explanation: 'default-deny-enterprise', decidedBy: { kind: 'default', policy: 'drop' } });
    expect(only(e, 'enterprise-default-deny')).toMatchObject({ containerId: 'sg-ent', values: { acceptRules: 0 } });
  });

  it('other-interface: the SSH rule is on the secondary ENI\'s group, the EIP is on the primary', () => {
    const snap = snapshot({
      groups: [group('sg-web', [{ ports: '80/80' }]), group('sg-eni2', [{ id: 'ssh2', ports: '22/22' }])],
      primaryGroups: ['sg-web'],
      secondary: { id: 'eni-bp1second', privateIps: ['172.16.0.30'], groups: ['sg-eni2'] },
    });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('deny');
    expect(e.considered).toEqual(['sg-web']);
    expect(only(e, 'other-interface')).toMatchObject({ ruleId: 'ssh2', containerId: 'sg-eni2', values: { interfaceId: 'eni-bp1second', usedInterfaceId: 'eni-bp1d66qjxb3qoin3xxxx' } });
  });

  it('an EIP bound to a secondary ENI (NAT mode) uses that ENI\'s groups', () => {
    const snap = snapshot({
      groups: [group('sg-web', [{ ports: '80/80' }]), group('sg-eni2', [{ id: 'ssh2', ports: '22/22' }])],
      primaryGroups: ['sg-web'],
      secondary: { id: 'eni-bp1second', privateIps: ['172.16.0.30'], groups: ['sg-eni2'], eip: '47.98.10.99' },
    });
    const e = evaluateSecurityGroups(snap, sshFlow({ destinationIp: '47.98.10.99' }));
    expect(e).toMatchObject({ decision: 'allow', interfaceId: 'eni-bp1second', considered: ['sg-eni2'] });
  });

  it('nic-type: classic network, the rule is on the intranet NIC but the client comes from the internet', () => {
    const snap = snapshot({ classic: true, groups: [group('sg-classic', [{ id: 'intra', nicType: 'intranet' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('deny');
    expect(only(e, 'nic-type').values).toMatchObject({ nicType: 'intranet', trafficNic: 'internet' });
    const ok = snapshot({ classic: true, groups: [group('sg-classic', [{ id: 'inet', nicType: 'internet' }])] });
    expect(evaluateSecurityGroups(ok, sshFlow()).decision).toBe('allow');
  });

  it('prefix-list-unresolved: cannot tell, says unknown', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'pl', prefixList: { id: 'pl-office', cidrs: null } }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('unknown');
    expect(only(e, 'prefix-list-unresolved').values).toMatchObject({ prefixListId: 'pl-office' });
    const resolved = snapshot({ groups: [group('sg-web', [{ id: 'pl', prefixList: { id: 'pl-office', cidrs: ['203.0.113.0/24'] } }])] });
    expect(evaluateSecurityGroups(resolved, sshFlow()).decision).toBe('allow');
  });

  it('near misses only explain denials; an allowed flow has none', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'udp', protocol: 'udp' }, { id: 'ok' }])] });
    expect(evaluateSecurityGroups(snap, sshFlow()).nearMisses).toEqual([]);
  });
});

describe('evaluateSecurityGroups: IPv6, ICMP, odd inputs', () => {
  it('IPv6: Ipv6SourceCidrIp ::/0 admits an IPv6 client to the ENI IPv6 address; an IPv4 rule does not', () => {
    const v6 = '2408:4005:300:ab00::10';
    const snap = snapshot({ ipv6: v6, groups: [group('sg-web', [{ id: 'v4', cidr: '0.0.0.0/0' }, { id: 'v6', cidr: '::/0', priority: 2 }])] });
    const e = evaluateSecurityGroups(snap, sshFlow({ sourceIp: '2001:db8:1::7', destinationIp: v6 }));
    expect(e.decidedBy).toMatchObject({ ruleId: 'v6' });
    const only4 = snapshot({ ipv6: v6, groups: [group('sg-web', [{ id: 'v4', cidr: '0.0.0.0/0' }])] });
    const d = evaluateSecurityGroups(only4, sshFlow({ sourceIp: '2001:db8:1::7', destinationIp: v6 }));
    expect(d.decision).toBe('deny');
    expect(only(d, 'source-excludes-client').values).toMatchObject({ familyMismatch: 1 });
  });

  it('ICMP: no ICMP rule means ping is dropped although TCP 22 is open', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'ssh' }])] });
    expect(evaluateSecurityGroups(snap, sshFlow({ protocol: 'icmp', port: 0 })).decision).toBe('deny');
    const withIcmp = snapshot({ groups: [group('sg-web', [{ id: 'icmp', protocol: 'icmp', ports: '-1/-1' }])] });
    expect(evaluateSecurityGroups(withIcmp, sshFlow({ protocol: 'icmp', port: 0 })).decidedBy).toMatchObject({ ruleId: 'icmp' });
  });

  it('ICMPv6: an IPv6 ping needs an ICMPv6 rule; an ICMP (v4) rule is a wrong-protocol near miss', () => {
    const v6 = '2408:4005:300:ab00::10';
    const snap = snapshot({ ipv6: v6, groups: [group('sg-web', [{ id: 'icmp4', protocol: 'icmp', ports: '-1/-1', cidr: '::/0' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow({ protocol: 'icmp', port: 0, sourceIp: '2001:db8::7', destinationIp: v6 }));
    expect(e.decision).toBe('deny');
    expect(only(e, 'wrong-protocol').values).toMatchObject({ ruleProtocol: 'icmp', protocol: 'icmpv6' });
  });

  it('mixed basic and enterprise groups are reported', () => {
    const snap = snapshot({ groups: [group('sg-a', [{ ports: '80/80' }]), group('sg-e', [], { type: 'enterprise' })] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.notes?.map((n) => n.code)).toContain('mixed-group-types');
    expect(e.decision).toBe('deny');
  });

  it('a group whose rules were not read makes an accept uncertain', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'ok' }])], primaryGroups: ['sg-web', 'sg-unread'] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e).toMatchObject({ decision: 'unknown', explanation: 'group-missing' });
    expect(e.notes?.map((n) => n.code)).toContain('group-missing');
    // ...but a priority-1 drop cannot be overturned by anything.
    const drop = snapshot({ groups: [group('sg-web', [{ id: 'd', policy: 'drop', priority: 1 }])], primaryGroups: ['sg-web', 'sg-unread'] });
    expect(evaluateSecurityGroups(drop, sshFlow()).decision).toBe('deny');
  });

  it('an address that is not the instance\'s is undecided, naming the addresses the snapshot does describe', () => {
    // Even an allow-all rule says nothing about another host's address.
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'ok', cidr: '0.0.0.0/0' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow({ destinationIp: '198.51.100.200' }));
    expect(e).toMatchObject({ decision: 'unknown', explanation: 'destination-not-on-instance' });
    expect(e.notes?.[0]).toMatchObject({ code: 'destination-not-on-instance' });
    expect(String(e.notes?.[0].values?.instanceAddresses)).toContain(snap.instance!.privateIps[0]);
    // A deny-everything configuration is just as silent about it.
    const none = snapshot({ groups: [group('sg-web', [])] });
    expect(evaluateSecurityGroups(none, sshFlow({ destinationIp: '198.51.100.200' })).decision).toBe('unknown');
  });

  it('groups given without any instance are evaluated as the instance\'s, with a note saying so', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'ok' }])] });
    const groupsOnly = { ...snap, instance: null };
    const e = evaluateSecurityGroups(groupsOnly, sshFlow({ destinationIp: '198.51.100.200' }));
    expect(e.decision).toBe('allow');
    expect(e.notes?.[0]).toMatchObject({ code: 'destination-not-on-instance' });
  });

  it('a rule pushed into a group after an evaluation is seen by the next one (cache guard)', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'p80', ports: '80/80' }])] });
    expect(evaluateSecurityGroups(snap, sshFlow()).decision).toBe('deny');
    snap.securityGroups[0].rules.push({ ...snap.securityGroups[0].rules[0], id: 'p22', portRange: { from: 22, to: 22 }, rawPortRange: '22/22', order: 1 });
    expect(evaluateSecurityGroups(snap, sshFlow()).decidedBy).toMatchObject({ ruleId: 'p22' });
  });

  it('no instance data: unknown', () => {
    const snap = { ...snapshot({ groups: [] }), instance: null, interfaces: [] };
    expect(evaluateSecurityGroups(snap, sshFlow())).toMatchObject({ decision: 'unknown', explanation: 'no-interface' });
  });

  it('uses the instance public IP (not an EIP) on the primary ENI', () => {
    const snap = snapshot({ publicIp: '121.40.1.2', groups: [group('sg-web', [{ id: 'ok' }])] });
    expect(evaluateSecurityGroups(snap, sshFlow({ destinationIp: '121.40.1.2' })).notes).toEqual([]);
    expect(EIP).not.toBe('121.40.1.2');
  });
});
